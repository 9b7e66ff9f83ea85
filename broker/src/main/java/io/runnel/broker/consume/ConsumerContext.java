package io.runnel.broker.consume;

import io.runnel.discovery.Cluster;
import io.runnel.discovery.TokenRing;
import io.runnel.storage.LogStore;
import java.time.Clock;
import java.util.Objects;
import java.util.function.IntPredicate;

/**
 * Everything a {@link ConsumerService} is built from, for a single broker and a cluster alike.
 *
 * @param store      the broker's store (reads, and the start positions of new groups)
 * @param ring       the token ring: every broker assigns the same partitions from it
 * @param cluster    where registrations live (raft metadata, or a single-node cluster), so that every broker
 *                   applies the same membership and computes the same assignment
 * @param offsetLog  where commits become durable
 * @param leads      which partitions this broker serves now (read on every poll); assignment still spans all
 * @param readLimit  how far each partition may be read (its high watermark in a cluster)
 * @param config     timeouts and poll limits
 * @param clock      last-seen times and evictions
 */
public record ConsumerContext(LogStore store, TokenRing ring, Cluster cluster, OffsetLog offsetLog, IntPredicate leads,
                              ReadLimit readLimit, ConsumerConfig config, Clock clock) {
    public ConsumerContext {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(ring, "ring");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(offsetLog, "offsetLog");
        Objects.requireNonNull(leads, "leads");
        Objects.requireNonNull(readLimit, "readLimit");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clock, "clock");
    }

    /** A single broker's groups: it leads every partition and commits into its store. */
    public static ConsumerContext singleBroker(LogStore store, Cluster cluster, ConsumerConfig config, Clock clock) {
        return new ConsumerContext(store, cluster.ring(), cluster, new LocalOffsetLog(store), p -> true, ReadLimit.NONE,
                config, clock);
    }
}
