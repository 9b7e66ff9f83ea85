package io.runnel.broker.cluster;

import io.runnel.broker.common.Futures;
import io.runnel.broker.common.Errors;
import io.netty.channel.Channel;
import io.runnel.broker.cluster.transport.ClusterMessage.AckStatus;
import io.runnel.broker.cluster.transport.ClusterMessage.Fetch;
import io.runnel.broker.cluster.transport.ClusterMessage.FetchReply;
import io.runnel.broker.cluster.transport.ClusterMessage.Follow;
import io.runnel.broker.cluster.transport.ClusterMessage.FollowReply;
import io.runnel.broker.cluster.transport.ClusterMessage.Replicate;
import io.runnel.broker.cluster.transport.ClusterMessage.ReplicateAck;
import io.runnel.broker.cluster.transport.ClusterMessage.ReplyStatus;
import io.runnel.discovery.ClusterState;
import io.runnel.discovery.Generation;
import io.runnel.storage.AppendResult;
import io.runnel.storage.OffsetMismatchException;
import io.runnel.storage.TopicInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's part in one range whose replica set it belongs to: leader ({@link LeaderRole}) or
 * follower ({@link FollowerRole}) of the range's current generation.
 *
 * <p>Threads: all state of the range is owned by one thread, {@code runnel-range-<n>}. Everything that
 * reaches the range (metadata changes, frames from peers, store callbacks, the periodic tick) is queued
 * there; the store's writer thread and the event loops only enqueue. Produce calls ({@link #append})
 * read two volatile fields and hand the chunk to the store without waiting for this thread. Different
 * ranges never share state, so there is no lock on the write path.
 */
final class RangeReplica {
    private static final Logger log = LoggerFactory.getLogger(RangeReplica.class);
    private static final long DRAIN_CHECK_MILLIS = 5;

    private final ReplicationContext ctx;
    final int range;
    private final List<Integer> partitions;
    private final ScheduledThreadPoolExecutor thread;
    /** High watermark per partition as this broker knows it: its own as leader, the leader's as follower. */
    private final Map<TopicPartition, Long> highWatermarks = new ConcurrentHashMap<>();

    private Generation generation;
    private LeaderRole leader;
    private FollowerRole follower;
    /** This broker handed the range over before shutting down: it does not follow the new leader. */
    private boolean leaving;
    /** The leader role, for produce threads. */
    private volatile LeaderRole published;
    private volatile Generation publishedGeneration;

    RangeReplica(ReplicationContext ctx, int range) {
        this.ctx = ctx;
        this.range = range;
        this.partitions = ctx.ring().partitionsOfRange(range);
        this.thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "runnel-range-" + range);
            t.setDaemon(true);
            return t;
        });
        thread.setRemoveOnCancelPolicy(true);
        thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    List<Integer> partitions() {
        return partitions;
    }

    /** Runs {@code task} on the range's thread (dropped once closed). */
    void execute(Runnable task) {
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("range {}: task failed", range, e);
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("range {} closed; dropping a task", range);
        }
    }

    /**
     * Starts the periodic work: the roles' ticks every {@code periodMillis}, and the log-end report to
     * the controller every {@code reportMillis}.
     */
    void scheduleTicks(long periodMillis, long reportMillis) {
        thread.scheduleWithFixedDelay(() -> {
            try {
                tick();
            } catch (RuntimeException e) {
                log.error("range {}: tick failed", range, e);
            }
        }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        thread.scheduleWithFixedDelay(() -> {
            try {
                reportLogEnd();
            } catch (RuntimeException e) {
                log.warn("range {}: reporting the log end failed: {}", range, e.toString());
            }
        }, 0, reportMillis, TimeUnit.MILLISECONDS);
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
            return CompletableFuture.failedFuture(Errors.NOT_LEADER.exception("this broker does not lead partition " + partition + " right now; retry (any broker forwards keyed writes)"));
        }
        if (role.fenced()) {
            return CompletableFuture.failedFuture(Errors.NOT_LEADER.exception("this broker is handing partition " + partition + " over to another broker; retry"));
        }
        if (!role.hasMinIsr() || !role.majorityInView()) {
            return CompletableFuture.failedFuture(Errors.NOT_ENOUGH_REPLICAS.exception("partition " + partition + " has fewer than " + role.minIsr()
                            + " in-sync replicas, so a write could not be made durable on a majority; retry later"));
        }
        CompletableFuture<AppendResult> acked = new CompletableFuture<>();
        TopicPartition tp = new TopicPartition(topic.name(), partition);
        ctx.store().append(topic.id(), partition, role.version, chunk,
                        (base, stamped) -> execute(() -> role.onAssigned(topic, partition, base, stamped, acked)))
                .whenComplete((result, error) -> execute(() -> role.onLocalAppend(tp, result, Futures.unwrap(error), acked)));
        return acked;
    }

    // ------------------------------------------------------------------ range thread

    /** Applies a new cluster state (the range's generation; liveness is read where needed). */
    void onState(ClusterState state) {
        onGeneration(state.generation(range));
    }

    /** Applies the range's current generation from the metadata. */
    void onGeneration(Generation g) {
        if (g == null || generation != null && g.version() < generation.version()) {
            return;
        }
        generation = g;
        publishedGeneration = g;
        if (g.leader() == ctx.self()) {
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
        if (leaving && !g.isr().contains(ctx.self())) {
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

    /**
     * Hands the range, if this broker leads it, to an in-sync follower before a shutdown: stops taking writes,
     * waits up to {@code drain} for the writes taken to be acknowledged, then proposes the follower as leader of a
     * new generation without this broker in its ISR. Completes with the new leader, or -1 if this broker does not
     * lead the range; fails if no in-sync follower can take it or the metadata refuses.
     */
    CompletableFuture<Integer> handOver(Duration drain) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        execute(() -> {
            leaving = true;
            LeaderRole role = leader;
            if (role == null || !role.serving()) {
                done.complete(-1);
                return;
            }
            role.fence();
            proposeWhenDrained(role, System.nanoTime() + drain.toNanos(), done);
        });
        return done;
    }

    private void proposeWhenDrained(LeaderRole role, long deadline, CompletableFuture<Integer> done) {
        if (role != leader) {
            done.complete(-1); // a newer generation arrived meanwhile: not this broker's to hand over any more
            return;
        }
        if (!role.drained() && System.nanoTime() - deadline < 0) {
            try {
                thread.schedule(() -> {
                    try {
                        proposeWhenDrained(role, deadline, done);
                    } catch (RuntimeException e) {
                        done.completeExceptionally(e);
                    }
                }, DRAIN_CHECK_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                done.completeExceptionally(new IllegalStateException("range " + range + " closed"));
            }
            return;
        }
        int target = role.handOverTarget();
        if (target < 0) {
            done.completeExceptionally(new IllegalStateException("no live in-sync follower of range " + range
                    + " (isr " + generation.isr() + ")"));
            return;
        }
        Set<Integer> isr = new TreeSet<>(generation.isr());
        isr.remove(ctx.self());
        ctx.cluster().proposeLeader(range, role.version, target, isr).whenComplete((g, e) -> {
            if (e != null) {
                done.completeExceptionally(e);
            } else {
                done.complete(g.leader());
            }
        });
    }

    /** A chunk from a leader (answered on {@code channel}). */
    void onReplicate(int peer, Replicate r, Channel channel) {
        if (follower == null || !follower.accepts(peer, r.version())) {
            int known = generation == null ? 0 : generation.version();
            AckStatus status = r.version() != known ? AckStatus.STALE_GENERATION : AckStatus.NOT_FOLLOWING;
            channel.writeAndFlush(new ReplicateAck(r.requestId(), r.range(), r.version(), r.topic(), r.partition(), status,
                    status == AckStatus.STALE_GENERATION ? known : 0), channel.voidPromise());
            return;
        }
        TopicInfo topic;
        try {
            topic = ctx.topics().ensure(r.topic());
        } catch (RuntimeException e) {
            log.error("range {}: cannot create topic {}", range, r.topic(), e);
            channel.writeAndFlush(ack(r, AckStatus.FAILED, 0), channel.voidPromise());
            return;
        }
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        highWatermarks.merge(tp, r.leaderHighWatermark(), Math::max);
        ctx.store().appendReplica(topic.id(), r.partition(), r.chunk()).whenComplete((result, error) -> {
            // On the store's writer thread: writing to a channel only enqueues.
            Throwable cause = Futures.unwrap(error);
            ReplicateAck ack;
            if (cause == null) {
                ack = ack(r, AckStatus.OK, result.nextOffset());
                if (OffsetTopic.NAME.equals(r.topic())) {
                    execute(() -> ctx.offsetsReplicated().accept(r.chunk())); // a new leader must know them
                }
            } else if (cause instanceof OffsetMismatchException m) {
                ack = ack(r, AckStatus.OFFSET_MISMATCH, m.expectedOffset());
            } else {
                log.error("range {}: storing a chunk of {} failed", range, tp, cause);
                ack = ack(r, AckStatus.FAILED, 0);
            }
            channel.writeAndFlush(ack, channel.voidPromise());
        });
    }

    private static ReplicateAck ack(Replicate r, AckStatus status, long value) {
        return new ReplicateAck(r.requestId(), r.range(), r.version(), r.topic(), r.partition(), status, value);
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

    private void tick() {
        long now = System.nanoTime();
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
        ctx.cluster().reportLogEnd(range, sum);
    }

    /** The high watermark this broker learned as follower, the start of its own as new leader. */
    long knownHighWatermark(TopicPartition tp) {
        return highWatermarks.getOrDefault(tp, 0L);
    }

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
        thread.shutdownNow();
    }


    @Override
    public String toString() {
        return "range " + range + " (" + (leader != null ? leader : follower) + ")";
    }
}
