package io.runnel.broker.replication;

import io.runnel.broker.cluster.transport.PeerChannel;
import io.runnel.discovery.TokenRing;
import io.runnel.storage.LogStore;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/**
 * What every range's replication shares: this broker, its store and topics, the cluster metadata, the
 * channels to the peers, a clock and the range threads. Tests build one from fakes (a mock peer channel, an
 * in-memory store, a manual clock and executor).
 *
 * @param peers             the channel to each other broker, by ordinal
 * @param watermark         told when a partition's high watermark advances on this broker as leader
 * @param replicated        told of the chunks of wanted topics this broker appends as follower
 * @param nanoClock         {@code System.nanoTime()} or a test's clock
 * @param executors         the executor of each range ({@link RangeExecutor#thread} in a broker)
 */
public record ReplicationContext(int self, TokenRing ring, LogStore store, TopicDirectory topics,
                                 ReplicaMetadata metadata, Map<Integer, ? extends PeerChannel> peers,
                                 ReplicationConfig config, HighWatermarkListener watermark,
                                 ReplicatedChunkListener replicated, LongSupplier nanoClock,
                                 IntFunction<RangeExecutor> executors) {

    public ReplicationContext {
        peers = Map.copyOf(peers);
    }

    PeerChannel peer(int broker) {
        return peers.get(broker);
    }

    boolean connected(int broker) {
        PeerChannel p = peers.get(broker);
        return p != null && p.connected();
    }

    long nanoTime() {
        return nanoClock.getAsLong();
    }
}
