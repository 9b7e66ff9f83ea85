package io.runnel.discovery;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The generation (leader epoch) of a range: who leads it, which brokers hold it and which of those hold every
 * acknowledged chunk. Every leader change makes a new version; ISR changes keep the version.
 *
 * @param range    the range (natural leader's ordinal)
 * @param version  the leader epoch, from 1; stamped into every chunk the leader writes
 * @param leader   the ordinal of the broker that leads the range in this version
 * @param replicas the replica set, in ring order (natural leader first)
 * @param isr      the in-sync replicas: a subset of {@code replicas} that always contains the leader
 */
public record Generation(int range, int version, int leader, List<Integer> replicas, Set<Integer> isr) {

    public Generation {
        Objects.requireNonNull(replicas, "replicas");
        Objects.requireNonNull(isr, "isr");
        replicas = List.copyOf(replicas);
        // Sorted so that equal generations print and iterate the same on every broker.
        isr = Collections.unmodifiableSet(new TreeSet<>(isr));
        if (range < 0) {
            throw new IllegalArgumentException("range must be >= 0, not " + range);
        }
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, not " + version);
        }
        if (!replicas.contains(leader)) {
            throw new IllegalArgumentException("leader " + leader + " is not a replica " + replicas);
        }
        if (!replicas.containsAll(isr)) {
            throw new IllegalArgumentException("isr " + isr + " is not a subset of the replicas " + replicas);
        }
        if (!isr.contains(leader)) {
            throw new IllegalArgumentException("isr " + isr + " lacks the leader " + leader);
        }
    }

    /** Whether broker {@code broker} is in the ISR. */
    public boolean inSync(int broker) {
        return isr.contains(broker);
    }

    /** Whether the range is led by its natural leader. */
    public boolean naturallyLed() {
        return leader == range;
    }
}
