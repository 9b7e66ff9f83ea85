package io.runnel.broker.consume;

import io.runnel.storage.OffsetKey;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Mutable state of one group; touched only by the service's group thread.
 *
 * <p>Kept after its last member leaves: {@link #committed} is the floor that stops commits from moving
 * backwards while earlier commits are still on their way to disk.
 */
final class ConsumerGroup {
    final String name;
    /** Members by id; the sorted order is the assignment's tie-break order. */
    final TreeMap<String, GroupMember> members = new TreeMap<>();
    /** Highest position committed (or being committed) per partition, loaded lazily from the store. */
    final Map<OffsetKey, Long> committed = new HashMap<>();
    /**
     * Topics that did not exist when the group was first assigned their partitions: all their data
     * was written after the group subscribed, so the group reads them from the start.
     */
    final Set<String> awaitingTopics = new HashSet<>();
    /** Bumped on every rebalance; for logs and views. */
    long generation;

    ConsumerGroup(String name) {
        this.name = name;
    }
}
