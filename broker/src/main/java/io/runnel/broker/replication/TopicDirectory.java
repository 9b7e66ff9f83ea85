package io.runnel.broker.replication;

import io.runnel.storage.LogStore;
import io.runnel.storage.TopicConfig;
import io.runnel.storage.TopicInfo;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This broker's topics by name, cached over the store. Replication names topics, and each store numbers
 * them its own way, so every frame's topic name is looked up (or created) here. Thread-safe;
 * {@link #ensure} may block on the store (first use of a name only), so never call it on an event loop.
 */
public final class TopicDirectory {
    private final LogStore store;
    private final TopicConfig newTopicConfig;
    private final Map<String, TopicInfo> byName = new ConcurrentHashMap<>();

    public TopicDirectory(LogStore store, TopicConfig newTopicConfig) {
        this.store = store;
        this.newTopicConfig = newTopicConfig;
    }

    /** The topic, created durably with the default config if this broker does not have it yet. */
    public TopicInfo ensure(String name) {
        TopicInfo info = byName.get(name);
        return info != null ? info : byName.computeIfAbsent(name, n -> store.ensureTopic(n, newTopicConfig));
    }

    /** The topic if this broker has it. */
    public Optional<TopicInfo> find(String name) {
        TopicInfo info = byName.get(name);
        if (info != null) {
            return Optional.of(info);
        }
        Optional<TopicInfo> stored = store.topic(name);
        stored.ifPresent(t -> byName.putIfAbsent(name, t));
        return stored;
    }

    /** Every topic of the store. */
    public List<TopicInfo> all() {
        List<TopicInfo> topics = List.copyOf(store.topics());
        topics.forEach(t -> byName.putIfAbsent(t.name(), t));
        return topics;
    }
}
