package io.runnel.broker.consume;

import io.runnel.broker.common.Errors;
import io.runnel.broker.common.RunnelException;
import io.runnel.storage.LogStore;
import io.runnel.storage.TopicInfo;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The state of every consumer group of this broker: members, groups, and the store's ids of the topics they
 * read. Owned by the group thread ({@link GroupThread}); never touched elsewhere.
 */
final class GroupState {
    final Map<String, GroupMember> members = new HashMap<>();
    final Map<String, ConsumerGroup> groups = new TreeMap<>();
    private final Map<String, Integer> topicIds = new HashMap<>();
    private final Map<Integer, String> topicNames = new HashMap<>();
    private final LogStore store;

    GroupState(LogStore store) {
        this.store = store;
    }

    /** The store's id of {@code topic}, or {@code null} while it does not exist. */
    Integer topicId(String topic) {
        Integer id = topicIds.get(topic);
        if (id == null) {
            Optional<TopicInfo> info = store.topic(topic);
            if (info.isPresent()) {
                id = info.get().id();
                topicIds.put(topic, id); // topics are never deleted, so the id can be cached
                topicNames.put(id, topic);
            }
        }
        return id;
    }

    /** The name of a topic whose id {@link #topicId} returned. */
    String topicName(int id) {
        return topicNames.get(id);
    }

    /** The member, or {@code not_registered}. */
    GroupMember member(String id) {
        GroupMember m = members.get(id);
        if (m == null) {
            throw notRegistered(id);
        }
        return m;
    }

    static RunnelException notRegistered(String consumerId) {
        return Errors.NOT_REGISTERED.exception("consumer '" + consumerId
                + "' is not registered: register it with PUT /v1/consumer/register and retry");
    }
}
