package io.runnel.broker.replication;

import io.runnel.broker.cluster.transport.ClusterMessage;
import io.runnel.broker.cluster.transport.ClusterMessage.AckStatus;
import io.runnel.broker.cluster.transport.ClusterMessage.Fetch;
import io.runnel.broker.cluster.transport.ClusterMessage.FetchPartition;
import io.runnel.broker.cluster.transport.ClusterMessage.FetchReply;
import io.runnel.broker.cluster.transport.ClusterMessage.Follow;
import io.runnel.broker.cluster.transport.ClusterMessage.FollowReply;
import io.runnel.broker.cluster.transport.ClusterMessage.Position;
import io.runnel.broker.cluster.transport.ClusterMessage.Replicate;
import io.runnel.broker.cluster.transport.ClusterMessage.ReplicateAck;
import io.runnel.broker.cluster.transport.ClusterMessage.ReplyStatus;
import io.runnel.broker.cluster.transport.ClusterMessage.TruncationPoint;
import io.runnel.broker.cluster.transport.PeerChannel;
import io.runnel.broker.cluster.transport.ReplyChannel;
import io.runnel.broker.common.Futures;
import io.runnel.discovery.Generation;
import io.runnel.storage.OffsetMismatchException;
import io.runnel.storage.PartitionState;
import io.runnel.storage.TopicInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker following one range in one generation: it joins the generation (Fetch → truncate →
 * Follow, docs/replication.md "Truncation and catch-up"), then appends the leader's chunks. Runs on the
 * range's thread.
 *
 * <p>States: {@code JOINING} (waiting to send a Fetch, at once or after a failed attempt) → {@code FETCH_SENT}
 * → {@code TRUNCATING} → {@code FOLLOW_SENT} → {@code FOLLOWING}; {@code CLOSED} at the end. Chunks are taken
 * in {@code FOLLOW_SENT} and {@code FOLLOWING} only: before, this broker's log may still hold a tail the
 * generation does not keep. Whenever the connection to the leader comes back the follower joins again,
 * because the leader may have restarted and forgotten where the stream stood.
 */
final class FollowerRole {
    private static final Logger log = LoggerFactory.getLogger(FollowerRole.class);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    enum State { JOINING, FETCH_SENT, TRUNCATING, FOLLOW_SENT, FOLLOWING, CLOSED }

    private final ReplicationContext ctx;
    private final RangeReplica owner;
    final int range;
    final int version;
    final int leader;
    private State state = State.JOINING;
    /** Counts join attempts: answers to an earlier attempt are ignored. */
    private long attempt;
    /** In {@code JOINING}: when the next Fetch may go out. */
    private long retryAt;

    FollowerRole(ReplicationContext ctx, RangeReplica owner, Generation generation) {
        this.ctx = ctx;
        this.owner = owner;
        this.range = generation.range();
        this.version = generation.version();
        this.leader = generation.leader();
        this.retryAt = ctx.nanoTime();
    }

    State state() {
        return state;
    }

    /** Whether a {@code Replicate} from {@code broker} with {@code frameVersion} may be appended. */
    boolean accepts(int broker, int frameVersion) {
        return frameVersion == version && broker == leader && (state == State.FOLLOW_SENT || state == State.FOLLOWING);
    }

    void start() {
        join();
    }

    /** Starts (again) from Fetch. */
    private void join() {
        if (state == State.CLOSED) {
            return;
        }
        long a = ++attempt;
        PeerChannel peer = ctx.peer(leader);
        if (peer == null || !peer.connected()) {
            retryLater();
            return;
        }
        List<FetchPartition> parts = new ArrayList<>();
        for (TopicInfo t : ctx.topics().all()) {
            for (int p : owner.partitions()) {
                PartitionState st = ctx.store().state(t.id(), p);
                int last = ctx.store().lastGeneration(t.id(), p);
                if (st.logEndOffset() > 0 || last > 0) {
                    parts.add(new FetchPartition(t.name(), p, st.logEndOffset(), last));
                }
            }
        }
        state = State.FETCH_SENT;
        peer.request(id -> new Fetch(id, range, version, parts), REQUEST_TIMEOUT)
                .whenComplete((m, e) -> owner.execute(() -> onFetchReply(a, m, e)));
    }

    private void retryLater() {
        state = State.JOINING;
        retryAt = ctx.nanoTime() + RETRY_NANOS;
    }

    private boolean current(long a) {
        return state != State.CLOSED && a == attempt;
    }

    private void onFetchReply(long a, ClusterMessage m, Throwable e) {
        if (!current(a)) {
            return;
        }
        if (e != null || !(m instanceof FetchReply reply) || reply.status() != ReplyStatus.OK) {
            log.debug("range {}: joining generation {} at broker {}: {}", range, version, leader, e != null ? e.toString() : m);
            retryLater();
            return;
        }
        state = State.TRUNCATING;
        try {
            // First: a point may name a topic this broker has not seen yet (it must restart at the leader's start).
            for (String name : reply.topics()) {
                ctx.topics().ensure(name);
            }
        } catch (RuntimeException ex) {
            log.error("range {}: cannot create the leader's topics", range, ex);
            retryLater();
            return;
        }
        List<CompletableFuture<Long>> truncated = new ArrayList<>();
        for (TruncationPoint point : reply.points()) {
            Optional<TopicInfo> topic = ctx.topics().find(point.topic());
            if (topic.isPresent()) {
                truncated.add(truncate(topic.get().id(), point));
            }
        }
        CompletableFuture.allOf(truncated.toArray(CompletableFuture[]::new))
                .whenComplete((v, ex) -> owner.execute(() -> follow(a, ex)));
    }

    /** Cuts one partition where the leader says (KIP-279), and restarts it at the leader's log start if it ends below. */
    private CompletableFuture<Long> truncate(int id, TruncationPoint point) {
        int p = point.partition();
        long end = ctx.store().state(id, p).logEndOffset();
        long target = point.endOffset();
        if (point.version() != ctx.store().lastGeneration(id, p)) {
            // The leader never had our last generation: also cut at our own end of its floor (KIP-279).
            target = Math.min(target, ctx.store().endOffsetForGeneration(id, p, point.version()));
        }
        CompletableFuture<Long> joined = CompletableFuture.completedFuture(end);
        if (target < end) {
            log.info("range {}: truncating {}/{} from {} to {} to join generation {}", range, point.topic(), p, end,
                    target, version);
            joined = ctx.store().truncate(id, p, target);
        }
        long leaderStart = point.logStart();
        return joined.thenComposeAsync(newEnd -> {
            if (newEnd >= leaderStart) {
                return CompletableFuture.completedFuture(newEnd);
            }
            // Everything this log lacks was removed by retention on the leader: start again where it starts.
            log.info("range {}: {}/{} ends at {}, below the leader's log start {}; restarting it there", range,
                    point.topic(), p, newEnd, leaderStart);
            return ctx.store().restartAt(id, p, leaderStart);
        }, owner::execute); // not on the store's writer thread, which completed the truncation
    }

    private void follow(long a, Throwable truncateError) {
        if (!current(a)) {
            return;
        }
        if (truncateError != null) {
            log.error("range {}: truncation failed", range, truncateError);
            retryLater();
            return;
        }
        PeerChannel peer = ctx.peer(leader);
        if (peer == null || !peer.connected()) {
            retryLater();
            return;
        }
        List<Position> positions = new ArrayList<>();
        for (TopicInfo t : ctx.topics().all()) {
            for (int p : owner.partitions()) {
                positions.add(new Position(t.name(), p, ctx.store().state(t.id(), p).logEndOffset()));
            }
        }
        state = State.FOLLOW_SENT;
        peer.request(id -> new Follow(id, range, version, positions), REQUEST_TIMEOUT)
                .whenComplete((m, e) -> owner.execute(() -> {
                    if (!current(a)) {
                        return;
                    }
                    if (e == null && m instanceof FollowReply r && r.status() == ReplyStatus.OK) {
                        state = State.FOLLOWING;
                        log.info("range {}: following broker {} in generation {}", range, leader, version);
                    } else {
                        log.debug("range {}: Follow refused by broker {}: {}", range, leader, e != null ? e.toString() : m);
                        retryLater();
                    }
                }));
    }

    /**
     * A chunk from the leader, already checked with {@link #accepts}: stored unchanged and acknowledged with the
     * partition's durable log end once synced (on the store's writer thread: writing to a channel only
     * enqueues).
     */
    void onReplicate(Replicate r, ReplyChannel reply) {
        TopicInfo topic;
        try {
            topic = ctx.topics().ensure(r.topic());
        } catch (RuntimeException e) {
            log.error("range {}: cannot create topic {}", range, r.topic(), e);
            reply.reply(ack(r, AckStatus.FAILED, 0));
            return;
        }
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        owner.learnHighWatermark(tp, r.leaderHighWatermark());
        boolean wanted = ctx.replicated().wants(r.topic());
        ctx.store().appendReplica(topic.id(), r.partition(), r.chunk()).whenComplete((result, error) -> {
            Throwable cause = error == null ? null : Futures.unwrap(error);
            if (cause == null) {
                if (wanted) {
                    owner.execute(() -> ctx.replicated().appended(r.topic(), r.partition(), r.chunk()));
                }
                reply.reply(ack(r, AckStatus.OK, result.nextOffset()));
            } else if (cause instanceof OffsetMismatchException m) {
                reply.reply(ack(r, AckStatus.OFFSET_MISMATCH, m.expectedOffset()));
            } else {
                log.error("range {}: storing a chunk of {} failed", range, tp, cause);
                reply.reply(ack(r, AckStatus.FAILED, 0));
            }
        });
    }

    static ReplicateAck ack(Replicate r, AckStatus status, long value) {
        return new ReplicateAck(r.requestId(), r.range(), r.version(), r.topic(), r.partition(), status, value);
    }

    void tick(long now) {
        if (state == State.JOINING && now - retryAt >= 0) {
            join();
        }
    }

    void onPeerConnected(int broker) {
        if (broker == leader) {
            join();
        }
    }

    void onPeerDisconnected(int broker) {
        if (broker == leader && state != State.CLOSED) {
            attempt++;
            retryLater();
        }
    }

    void close() {
        state = State.CLOSED;
    }

    @Override
    public String toString() {
        return "follower of range " + range + " v" + version + " (" + state + ")";
    }
}
