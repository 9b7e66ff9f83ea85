package io.runnel.broker.produce;

import io.runnel.discovery.TokenRing;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks the partition of a produce request: the ring's partition of the key when there is one,
 * otherwise the next of the partitions this broker leads (round robin, so keyless writes need no
 * hop to another broker). Thread-safe.
 */
public final class PartitionChooser {
    private final TokenRing ring;
    private final int[] led;
    private final AtomicInteger next = new AtomicInteger();

    /** @param ledPartitions the partitions this broker leads, not empty */
    public PartitionChooser(TokenRing ring, List<Integer> ledPartitions) {
        if (ledPartitions.isEmpty()) {
            throw new IllegalArgumentException("a broker that leads no partition cannot take keyless writes");
        }
        this.ring = ring;
        this.led = ledPartitions.stream().mapToInt(Integer::intValue).toArray();
    }

    /** @param partitionKey the key, or {@code null} */
    public int choose(String partitionKey) {
        if (partitionKey != null) {
            return ring.partitionOf(partitionKey);
        }
        return led[Math.floorMod(next.getAndIncrement(), led.length)];
    }
}
