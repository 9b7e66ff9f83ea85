package io.runnel.broker.produce;

import io.runnel.broker.common.Errors;
import io.runnel.discovery.TokenRing;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Picks the partition of a produce request: the ring's partition of the key when there is one,
 * otherwise the next of the partitions this broker leads (round robin, so keyless writes need no
 * hop to another broker). Thread-safe.
 */
public final class PartitionChooser {
    private final TokenRing ring;
    private final Supplier<int[]> led;
    private final AtomicInteger next = new AtomicInteger();

    /** @param ledPartitions the partitions this broker leads now (may be empty; a cluster broker's leadership moves) */
    public PartitionChooser(TokenRing ring, Supplier<int[]> ledPartitions) {
        this.ring = ring;
        this.led = ledPartitions;
    }

    /**
     * @param partitionKey the key, or {@code null}
     * @throws io.runnel.broker.common.RunnelException 503 when a keyless write comes while this broker leads no partition
     */
    public int choose(String partitionKey) {
        if (partitionKey != null) {
            return ring.partitionOf(partitionKey);
        }
        int[] partitions = led.get();
        if (partitions.length == 0) {
            throw Errors.NOT_LEADER.exception("this broker leads no partition right now; retry");
        }
        return partitions[Math.floorMod(next.getAndIncrement(), partitions.length)];
    }
}
