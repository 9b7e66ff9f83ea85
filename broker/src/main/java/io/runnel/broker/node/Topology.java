package io.runnel.broker.node;

import io.runnel.discovery.ClusterState;
import io.runnel.discovery.Generation;
import io.runnel.discovery.TokenRing;
import io.runnel.storage.LogStore;
import io.runnel.storage.TopicInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.function.ToLongBiFunction;

/**
 * A snapshot of the cluster as this broker sees it, for {@code GET /v1/topology}: brokers and who is live, every
 * range's generation, and for the ranges this broker holds a replica of, each partition's high watermark and
 * log end per topic (its own log end, and the high watermark it leads or last learned from the leader).
 *
 * @param self  this broker's ordinal
 * @param ready whether the metadata is known
 */
public record Topology(int self, boolean ready, List<Broker> brokers, List<Range> ranges) {

    public record Broker(int ordinal, String host, boolean live) {
    }

    /** @param generation {@code null} while the range has none */
    public record Range(int range, Generation generation, List<Partition> partitions) {
    }

    /** @param topics empty when this broker holds no replica of the partition's range ({@link #held}) */
    public record Partition(int partition, long token, boolean held, List<TopicOffsets> topics) {
        public long highWatermark() {
            return topics.stream().mapToLong(TopicOffsets::highWatermark).sum();
        }

        public long logEnd() {
            return topics.stream().mapToLong(TopicOffsets::logEnd).sum();
        }
    }

    public record TopicOffsets(String topic, long highWatermark, long logEnd) {
    }

    /**
     * Reads the store: call on a worker thread.
     *
     * @param held          whether this broker holds a replica of a range
     * @param highWatermark the high watermark of a topic's partition as this broker knows it
     */
    public static Topology of(int self, List<String> hosts, boolean ready, ClusterState state, TokenRing ring, LogStore store,
                       Collection<TopicInfo> topics, IntPredicate held, ToLongBiFunction<String, Integer> highWatermark) {
        List<Broker> brokers = new ArrayList<>();
        for (int b = 0; b < hosts.size(); b++) {
            brokers.add(new Broker(b, hosts.get(b), state.live().contains(b)));
        }
        List<Range> ranges = new ArrayList<>();
        for (int range = 0; range < ring.brokers(); range++) {
            List<Partition> partitions = new ArrayList<>();
            boolean replica = held.test(range);
            for (int p : ring.partitionsOfRange(range)) {
                List<TopicOffsets> offsets = new ArrayList<>();
                if (replica) {
                    for (TopicInfo t : topics) {
                        offsets.add(new TopicOffsets(t.name(), highWatermark.applyAsLong(t.name(), p),
                                store.state(t.id(), p).logEndOffset()));
                    }
                }
                partitions.add(new Partition(p, ring.startToken(p), replica, offsets));
            }
            ranges.add(new Range(range, state.generation(range), partitions));
        }
        return new Topology(self, ready, brokers, ranges);
    }
}
