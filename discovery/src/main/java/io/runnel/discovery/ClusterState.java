package io.runnel.discovery;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An immutable snapshot of the cluster: the replicated metadata (generations, topics, consumer groups, Kafka
 * bridges) and who is alive.
 *
 * @param brokers     the cluster size {@code N}
 * @param generations range → its current generation; empty until the metadata has been initialised
 * @param live        ordinals of the brokers in the current membership view (this broker's own view)
 * @param topics      the topic names
 * @param consumers   consumer id → its group membership (cluster-wide consumer groups)
 * @param bridges     bridge name → the bridge, sorted by name
 */
public record ClusterState(int brokers, Map<Integer, Generation> generations, Set<Integer> live, Set<String> topics,
                           Map<String, ConsumerRegistration> consumers, Map<String, BridgeEntry> bridges) {

    /** A state without consumer registrations or bridges. */
    public ClusterState(int brokers, Map<Integer, Generation> generations, Set<Integer> live, Set<String> topics) {
        this(brokers, generations, live, topics, Map.of(), Map.of());
    }

    /** A state without bridges. */
    public ClusterState(int brokers, Map<Integer, Generation> generations, Set<Integer> live, Set<String> topics,
                        Map<String, ConsumerRegistration> consumers) {
        this(brokers, generations, live, topics, consumers, Map.of());
    }

    public ClusterState {
        Objects.requireNonNull(generations, "generations");
        Objects.requireNonNull(live, "live");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(consumers, "consumers");
        Objects.requireNonNull(bridges, "bridges");
        if (brokers < 1) {
            throw new IllegalArgumentException("brokers must be >= 1, not " + brokers);
        }
        SortedMap<Integer, Generation> sorted = new TreeMap<>(generations);
        generations = Collections.unmodifiableSortedMap(sorted);
        live = Collections.unmodifiableSortedSet(new TreeSet<>(live));
        topics = Collections.unmodifiableSortedSet(new TreeSet<>(topics));
        consumers = Collections.unmodifiableSortedMap(new TreeMap<>(consumers));
        bridges.forEach((name, bridge) -> {
            if (!name.equals(bridge.name())) {
                throw new IllegalArgumentException("bridge " + bridge.name() + " is filed under '" + name + "'");
            }
        });
        bridges = Collections.unmodifiableSortedMap(new TreeMap<>(bridges));
    }

    /** The generation of {@code range}, or {@code null} before the metadata is initialised. */
    public Generation generation(int range) {
        return generations.get(range);
    }

    /** Whether every range {@code 0..brokers-1} has a generation. */
    public boolean initialized() {
        for (int r = 0; r < brokers; r++) {
            if (!generations.containsKey(r)) {
                return false;
            }
        }
        return true;
    }

    /** The ranges {@code broker} currently leads, ascending. */
    public Set<Integer> rangesLedBy(int broker) {
        Set<Integer> out = new TreeSet<>();
        generations.forEach((range, g) -> {
            if (g.leader() == broker) {
                out.add(range);
            }
        });
        return Collections.unmodifiableSet(out);
    }

    /** A copy with another live set. */
    public ClusterState withLive(Set<Integer> newLive) {
        return new ClusterState(brokers, generations, newLive, topics, consumers, bridges);
    }
}
