package io.runnel.broker.replication;

import io.runnel.broker.cluster.transport.ClusterMessage.AckStatus;
import io.runnel.broker.cluster.transport.ClusterMessage.Fetch;
import io.runnel.broker.cluster.transport.ClusterMessage.FetchReply;
import io.runnel.broker.cluster.transport.ClusterMessage.Follow;
import io.runnel.broker.cluster.transport.ClusterMessage.FollowReply;
import io.runnel.broker.cluster.transport.ClusterMessage.Replicate;
import io.runnel.broker.cluster.transport.ClusterMessage.ReplicateAck;
import io.runnel.broker.cluster.transport.ClusterMessage.ReplyStatus;
import io.runnel.broker.cluster.transport.ReplyChannel;
import io.runnel.broker.common.Errors;
import io.runnel.broker.common.Futures;
import io.runnel.discovery.Generation;
import io.runnel.storage.AppendResult;
import io.runnel.storage.TopicInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's part in one range whose replica set it belongs to: leader ({@link LeaderRole}) or
 * follower ({@link FollowerRole}) of the range's current generation.
 *
 * <p>Threads: all state of the range is owned by one thread, its {@link RangeExecutor} ({@code runnel-range-<n>}
 * in a broker). Everything that reaches the range (metadata changes, frames from peers, store callbacks, the
 * periodic tick) is queued there; the store's writer thread and the event loops only enqueue. Produce calls
 * ({@link #append}) read two volatile fields and hand the chunk to the store without waiting for this thread.
 * Different ranges never share state, so there is no lock on the write path.
 */
public final class RangeReplica {
    private static final Logger log = LoggerFactory.getLogger(RangeReplica.class);

    private final ReplicationContext ctx;
    final int range;
    private final List<Integer> partitions;
    private final RangeExecutor thread;
    /** High watermark per partition as this broker knows it: its own as leader, the leader's as follower. */
    private final Map<TopicPartition, Long> highWatermarks = new ConcurrentHashMap<>();

    private Generation generation;
    private LeaderRole leader;
    private FollowerRole follower;
    /** This broker hands the range over before shutting down: it does not follow the new leader. */
    private HandOver handOver;
    /** The leader role, for produce threads. */
    private volatile LeaderRole published;
    private volatile Generation publishedGeneration;

    RangeReplica(ReplicationContext ctx, int range) {
        this.ctx = ctx;
        this.range = range;
        this.partitions = ctx.ring().partitionsOfRange(range);
        this.thread = ctx.executors().apply(range);
    }

    List<Integer> partitions() {
        return partitions;
    }

    /** Runs {@code task} on the range's thread (dropped once closed). */
    void execute(Runnable task) {
        thread.execute(task);
    }

    void schedule(Runnable task, long delayMillis) {
        thread.schedule(task, delayMillis);
    }

    /**
     * Starts the periodic work: the roles' ticks every {@code periodMillis}, and the log-end report to
     * the controller every {@code reportMillis}.
     */
    void scheduleTicks(long periodMillis, long reportMillis) {
        thread.scheduleWithFixedDelay(this::tick, periodMillis, periodMillis);
        thread.scheduleWithFixedDelay(this::reportLogEnd, 0, reportMillis);
    }

    // ------------------------------------------------------------------ any thread

    /** Whether this broker serves the range and takes writes for it (it is not handing it over). */
    boolean takesWrites() {
        LeaderRole l = published;
        return l != null && !l.fenced() && serving();
    }

    /** Whether this broker serves the range as the leader of its current generation. */
    boolean serving() {
        LeaderRole l = published;
        Generation g = publishedGeneration;
        return l != null && l.serving() && g != null && g.version() == l.version && g.leader() == ctx.self();
    }

    /** The high watermark of a partition as this broker knows it (0 if unknown). */
    long highWatermark(String topic, int partition) {
        return highWatermarks.getOrDefault(new TopicPartition(topic, partition), 0L);
    }

    Generation generation() {
        return publishedGeneration;
    }

    /**
     * Appends a producer's chunk as the leader: the future completes once the high watermark passes it
     * (the chunk is durable on every ISR member, and the ISR is a majority), or fails with a 503
     * {@link io.runnel.broker.common.RunnelException}.
     */
    CompletableFuture<AppendResult> append(TopicInfo topic, int partition, byte[] chunk) {
        LeaderRole role = published;
        if (role == null || !serving()) {
            return CompletableFuture.failedFuture(Errors.NOT_LEADER.exception("this broker does not lead partition "
                    + partition + " right now; retry (any broker forwards keyed writes)"));
        }
        if (role.fenced()) {
            return CompletableFuture.failedFuture(Errors.NOT_LEADER.exception("this broker is handing partition "
                    + partition + " over to another broker; retry"));
        }
        if (!role.hasMinIsr() || !role.majorityInView()) {
            return CompletableFuture.failedFuture(Errors.NOT_ENOUGH_REPLICAS.exception("partition " + partition
                    + " has fewer than " + role.minIsr() + " in-sync replicas, so a write could not be made durable on a"
                    + " majority; retry later"));
        }
        CompletableFuture<AppendResult> acked = new CompletableFuture<>();
        TopicPartition tp = new TopicPartition(topic.name(), partition);
        ctx.store().append(topic.id(), partition, role.version, chunk,
                        (base, stamped) -> execute(() -> role.onAssigned(topic, partition, base, stamped, acked)))
                .whenComplete((result, error) -> execute(() -> role.onLocalAppend(tp, result,
                        error == null ? null : Futures.unwrap(error), acked)));
        return acked;
    }

    // ------------------------------------------------------------------ range thread

    /** Applies the range's current generation from the metadata. */
    void onGeneration(Generation g) {
        if (g == null || generation != null && g.version() < generation.version()) {
            return;
        }
        generation = g;
        publishedGeneration = g;
        if (g.leader() == ctx.self()) {
            lead(g);
            return;
        }
        if (leader != null) {
            leader.close();
            leader = null;
            published = null;
        }
        if (!g.replicas().contains(ctx.self())) {
            return;
        }
        if (handOver != null && !g.isr().contains(ctx.self())) {
            // Following would put this broker back in the ISR, and the controller would hand the range back.
            if (follower != null) {
                follower.close();
                follower = null;
            }
            return;
        }
        if (follower == null || follower.version != g.version() || follower.leader != g.leader()) {
            if (follower != null) {
                follower.close();
            }
            follower = new FollowerRole(ctx, this, g);
            follower.start();
        }
    }

    private void lead(Generation g) {
        if (follower != null) {
            follower.close();
            follower = null;
        }
        if (leader != null && leader.version == g.version()) {
            leader.onGeneration(g);
            return;
        }
        if (leader != null) {
            leader.close();
        }
        leader = new LeaderRole(ctx, this, g);
        published = leader;
        leader.start();
    }

    /**
     * Hands the range, if this broker leads it, to an in-sync follower before a shutdown (see {@link HandOver}).
     * Completes with the new leader, or -1 if this broker does not lead the range; fails if no in-sync follower
     * can take it or the metadata refuses.
     */
    CompletableFuture<Integer> handOver(Duration drain) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        execute(() -> {
            handOver = new HandOver(ctx, this, drain, done);
            handOver.start(leader);
        });
        return done;
    }

    /** The current leader role, or {@code null} (range thread). */
    LeaderRole leader() {
        return leader;
    }

    /** The current follower role, or {@code null} (range thread). */
    FollowerRole follower() {
        return follower;
    }

    /** A chunk from a leader (answered on {@code reply}). */
    void onReplicate(int peer, Replicate r, ReplyChannel reply) {
        if (follower == null || !follower.accepts(peer, r.version())) {
            int known = generation == null ? 0 : generation.version();
            AckStatus status = r.version() != known ? AckStatus.STALE_GENERATION : AckStatus.NOT_FOLLOWING;
            reply.reply(FollowerRole.ack(r, status, status == AckStatus.STALE_GENERATION ? known : 0));
            return;
        }
        follower.onReplicate(r, reply);
    }

    void onAck(int peer, ReplicateAck ack) {
        if (leader != null) {
            leader.onAck(peer, ack);
        }
    }

    FetchReply onFetch(int peer, Fetch fetch) {
        if (leader == null) {
            return new FetchReply(fetch.requestId(), range, fetch.version(), ReplyStatus.NOT_LEADER, List.of(), List.of());
        }
        return leader.onFetch(peer, fetch);
    }

    FollowReply onFollow(int peer, Follow follow) {
        if (leader == null) {
            return new FollowReply(follow.requestId(), range, follow.version(), ReplyStatus.NOT_LEADER);
        }
        return leader.onFollow(peer, follow);
    }

    void onPeerConnected(int peer) {
        if (leader != null) {
            leader.onPeerConnected(peer);
        }
        if (follower != null) {
            follower.onPeerConnected(peer);
        }
    }

    void onPeerDisconnected(int peer) {
        if (leader != null) {
            leader.onPeerDisconnected(peer);
        }
        if (follower != null) {
            follower.onPeerDisconnected(peer);
        }
    }

    /** The roles' periodic work. */
    void tick() {
        long now = ctx.nanoTime();
        if (leader != null) {
            leader.tick(now);
        }
        if (follower != null) {
            follower.tick(now);
        }
    }

    /** Reports the sum of this broker's log ends over the range to the controller. */
    void reportLogEnd() {
        long sum = 0;
        for (TopicInfo t : ctx.topics().all()) {
            for (int p : partitions) {
                sum += ctx.store().state(t.id(), p).logEndOffset();
            }
        }
        ctx.metadata().reportLogEnd(range, sum);
    }

    /** The high watermark this broker learned as follower, the start of its own as new leader. */
    long knownHighWatermark(TopicPartition tp) {
        return highWatermarks.getOrDefault(tp, 0L);
    }

    /** As follower: the leader's high watermark, from a frame. */
    void learnHighWatermark(TopicPartition tp, long hwm) {
        highWatermarks.merge(tp, hwm, Math::max);
    }

    /** As leader: the partition's high watermark advanced. */
    void publishHighWatermark(TopicPartition tp, long hwm) {
        highWatermarks.merge(tp, hwm, Math::max);
    }

    /** Stops the range's thread; a leader's unanswered producers get 503. */
    void close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        execute(() -> {
            if (leader != null) {
                leader.close();
            }
            if (follower != null) {
                follower.close();
            }
            done.complete(null);
        });
        try {
            done.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("range {}: closing took too long", range);
        }
        thread.shutdown();
    }

    @Override
    public String toString() {
        return "range " + range + " (" + (leader != null ? leader : follower) + ")";
    }
}
