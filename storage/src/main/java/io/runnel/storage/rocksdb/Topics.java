package io.runnel.storage.rocksdb;

import io.runnel.storage.TopicConfig;
import io.runnel.storage.TopicInfo;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/*
 * The topic registry. Like partition offsets, it has a writer-thread view (including topics in
 * the batch being built, and the id counter) and a published view that readers use, updated only
 * once the topic's record is durable.
 */
final class Topics {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private final Map<String, TopicInfo> byName = new ConcurrentHashMap<>();
    private final Map<Integer, TopicInfo> byId = new ConcurrentHashMap<>();

    // Writer thread only.
    private final Map<String, TopicInfo> writerView = new HashMap<>();
    private int nextId;

    Topics(Collection<TopicInfo> loaded, int nextId) {
        int next = Math.max(1, nextId);
        for (TopicInfo t : loaded) {
            byName.put(t.name(), t);
            byId.put(t.id(), t);
            writerView.put(t.name(), t);
            next = Math.max(next, t.id() + 1);
        }
        this.nextId = next;
    }

    static void validateName(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("topic name must be 1-249 characters of [a-zA-Z0-9._-] and not "
                    + "'.' or '..', not '" + name + "'");
        }
    }

    TopicInfo byName(String name) {
        return byName.get(name);
    }

    TopicInfo byId(int id) {
        return byId.get(id);
    }

    Collection<TopicInfo> all() {
        return List.copyOf(byName.values());
    }

    /** Writer thread: the existing topic, or null if {@link #create} must make it. */
    TopicInfo writerLookup(String name) {
        return writerView.get(name);
    }

    /** Writer thread: assigns the next id; the caller puts the records into the batch. */
    TopicInfo create(String name, TopicConfig config) {
        TopicInfo t = new TopicInfo(name, nextId++, config);
        writerView.put(name, t);
        return t;
    }

    /** Writer thread: the id the next created topic gets (persisted with each creation). */
    int nextId() {
        return nextId;
    }

    /** Writer thread, once the topic's record is durable. */
    void publish(TopicInfo t) {
        byId.put(t.id(), t);
        byName.put(t.name(), t);
    }
}
