package io.runnel.broker.consume;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Mutable state of one registered consumer; touched only by the service's group thread. */
final class GroupMember {
    final String id;
    final String group;
    List<String> topics;
    StartPosition onNewGroup;
    long lastSeenMillis;
    /** Partitions assigned by the last rebalance, in (topic, partition) order. */
    List<TopicPartition> assigned = List.of();
    /**
     * Next offset to read per assigned partition: where the last poll's data ended. Missing while
     * the partition's topic does not exist yet.
     */
    Map<TopicPartition, Long> positions = new HashMap<>();
    /** Rotates the partition a poll starts with, so one busy partition cannot starve the others. */
    int nextStart;
    /** The outstanding poll, if any (at most one). */
    PendingPoll poll;

    GroupMember(String id, String group, List<String> topics, StartPosition onNewGroup, long now) {
        this.id = id;
        this.group = group;
        this.topics = topics;
        this.onNewGroup = onNewGroup;
        this.lastSeenMillis = now;
    }
}
