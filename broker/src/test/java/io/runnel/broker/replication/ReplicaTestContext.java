package io.runnel.broker.replication;

import io.runnel.broker.cluster.transport.ClusterMessage.AckStatus;
import io.runnel.broker.cluster.transport.ClusterMessage.Follow;
import io.runnel.broker.cluster.transport.ClusterMessage.Position;
import io.runnel.broker.cluster.transport.ClusterMessage.Replicate;
import io.runnel.broker.cluster.transport.ClusterMessage.ReplicateAck;
import io.runnel.discovery.Generation;
import io.runnel.discovery.TokenRing;
import io.runnel.storage.AppendResult;
import io.runnel.storage.Chunk;
import io.runnel.storage.ChunkBuilder;
import io.runnel.storage.TopicConfig;
import io.runnel.storage.TopicInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One broker's replication, driven by hand: a ring of three brokers with one partition per range, so range
 * {@code r} is partition {@code r} with replicas {@code r, r+1, r+2}. The store is in memory, the peers are
 * {@link MockPeerChannel}s, the metadata a {@link FakeMetadata}, time a manual clock, and every task of the
 * range runs when the test says ({@link #run}). No threads, sockets or sleeps.
 */
final class ReplicaTestContext {
    static final Duration REPLICA_LAG = Duration.ofMillis(500);
    static final Duration PENDING_TIMEOUT = Duration.ofSeconds(6);
    static final String TOPIC = "orders";

    final int self;
    final TokenRing ring = new TokenRing(3, 1);
    final MemoryReplicaStore store = new MemoryReplicaStore();
    final TopicDirectory topics = new TopicDirectory(store, TopicConfig.DEFAULT);
    final FakeMetadata metadata = new FakeMetadata(Set.of(0, 1, 2));
    final ManualRangeExecutor.ManualClock clock = new ManualRangeExecutor.ManualClock();
    final ManualRangeExecutor executor = new ManualRangeExecutor(clock);
    final Map<Integer, MockPeerChannel> peers = new HashMap<>();
    final List<long[]> watermarks = new ArrayList<>();
    final ReplicationContext ctx;

    ReplicaTestContext(int self) {
        this.self = self;
        for (int b = 0; b < 3; b++) {
            if (b != self) {
                peers.put(b, new MockPeerChannel(b));
            }
        }
        this.ctx = new ReplicationContext(self, ring, store, topics, metadata, peers,
                new ReplicationConfig(REPLICA_LAG, PENDING_TIMEOUT),
                (topic, partition, hwm) -> watermarks.add(new long[] {partition, hwm}), ReplicatedChunkListener.NONE,
                clock::nanoTime, range -> executor);
        topics.ensure(TOPIC);
    }

    /** The replica of {@code range} on this broker, at {@code generation}. */
    RangeReplica replica(int range, Generation generation) {
        RangeReplica r = new RangeReplica(ctx, range);
        r.execute(() -> r.onGeneration(generation));
        run();
        return r;
    }

    static Generation generation(int range, int version, int leader, Set<Integer> isr) {
        return new Generation(range, version, leader, List.of(range, (range + 1) % 3, (range + 2) % 3), isr);
    }

    MockPeerChannel peer(int broker) {
        return peers.get(broker);
    }

    TopicInfo topic() {
        return topics.ensure(TOPIC);
    }

    /** Runs every queued task of the range. */
    void run() {
        executor.runAll();
    }

    /** Moves time on by {@code millis}, then runs a tick of {@code replica}. */
    void tickAfter(RangeReplica replica, long millis) {
        executor.advance(millis);
        replica.execute(replica::tick);
        run();
    }

    /** A producer's write of {@code events} to {@code partition} through the leader. */
    CompletableFuture<AppendResult> produce(RangeReplica leader, int partition, String... events) {
        CompletableFuture<AppendResult> acked = leader.append(topic(), partition, chunk(events));
        run();
        return acked;
    }

    static byte[] chunk(String... events) {
        ChunkBuilder b = new ChunkBuilder();
        for (String e : events) {
            byte[] v = e.getBytes(StandardCharsets.UTF_8);
            b.add(v, 0, v.length, 1L);
        }
        return b.build();
    }

    /** Broker {@code broker} joins the leader's generation with its log ends (as after truncating). */
    void follow(RangeReplica leader, int broker, int version, long logEnd) {
        int range = leader.range;
        List<Position> positions = List.of(new Position(TOPIC, range, logEnd));
        leader.execute(() -> leader.onFollow(broker, new Follow(broker * 1000L, range, version, positions)));
        run();
    }

    /** Acknowledges every {@code Replicate} the leader sent {@code broker}, as a follower that stored them. */
    List<Replicate> ackAll(RangeReplica leader, int broker) {
        List<Replicate> frames = peer(broker).drain(Replicate.class);
        for (Replicate r : frames) {
            long next = Chunk.wrap(r.chunk()).nextOffset();
            ReplicateAck ack = new ReplicateAck(r.requestId(), r.range(), r.version(), r.topic(), r.partition(), AckStatus.OK, next);
            leader.execute(() -> leader.onAck(broker, ack));
        }
        run();
        return frames;
    }
}
