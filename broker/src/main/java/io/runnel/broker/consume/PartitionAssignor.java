package io.runnel.broker.consume;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * Spreads the partitions of a group's topics over its consumers.
 *
 * <p>A pure function of its inputs, so every broker of a cluster that knows the same members
 * computes the same assignment without talking to the others. Partitions are taken in order (topic
 * name, then partition 0..n-1 in ring order); each goes to the consumer, among those subscribed to
 * its topic, that holds the fewest partitions so far, the lowest consumer id winning ties. With equal
 * subscriptions this is round robin and the counts differ by at most one. When subscriptions differ,
 * topics with fewer subscribers go first (then by name), so that the consumers who can take shared
 * topics balance what the others could not.
 */
public final class PartitionAssignor {
    private PartitionAssignor() {
    }

    /**
     * Assigns every partition of every subscribed topic to exactly one consumer subscribed to it.
     *
     * @param subscriptions  each consumer's topics, by consumer id (the map's order is the tie-break order)
     * @param partitionCount partitions of every topic ({@code TokenRing#partitionCount()})
     * @return each consumer's partitions in (topic, partition) order; every consumer is a key, possibly
     *         with an empty list
     */
    public static Map<String, List<TopicPartition>> assign(
            SortedMap<String, ? extends Collection<String>> subscriptions, int partitionCount) {
        if (partitionCount < 1) {
            throw new IllegalArgumentException("partitionCount must be positive, not " + partitionCount);
        }
        Map<String, List<TopicPartition>> out = new LinkedHashMap<>();
        Map<String, List<String>> subscribers = new HashMap<>();
        TreeSet<String> topics = new TreeSet<>();
        for (var e : subscriptions.entrySet()) {
            out.put(e.getKey(), new ArrayList<>());
            for (String topic : new TreeSet<>(e.getValue())) {
                topics.add(topic);
                // Iterating the sorted map keeps each topic's subscribers in consumer-id order.
                subscribers.computeIfAbsent(topic, t -> new ArrayList<>()).add(e.getKey());
            }
        }
        List<String> order = new ArrayList<>(topics);
        order.sort(Comparator.comparingInt((String t) -> subscribers.get(t).size()).thenComparing(t -> t));
        for (String topic : order) {
            List<String> eligible = subscribers.get(topic);
            for (int p = 0; p < partitionCount; p++) {
                String owner = null;
                int fewest = Integer.MAX_VALUE;
                for (String consumer : eligible) {
                    int n = out.get(consumer).size();
                    if (n < fewest) {
                        fewest = n;
                        owner = consumer;
                    }
                }
                out.get(owner).add(new TopicPartition(topic, p));
            }
        }
        out.replaceAll((k, v) -> {
            List<TopicPartition> sorted = new ArrayList<>(v);
            sorted.sort(null); // (topic, partition) order whatever order the topics were handed out in
            return List.copyOf(sorted);
        });
        return out;
    }
}
