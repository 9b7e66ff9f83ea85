package io.runnel.broker.replication;

import io.runnel.broker.cluster.transport.ClusterMessage.Fetch;
import io.runnel.broker.cluster.transport.ClusterMessage.FetchReply;
import io.runnel.broker.cluster.transport.ClusterMessage.Follow;
import io.runnel.broker.cluster.transport.ClusterMessage.FollowReply;
import io.runnel.broker.cluster.transport.ClusterMessage.Position;
import io.runnel.broker.cluster.transport.ClusterMessage.ReplicateAck;
import io.runnel.broker.cluster.transport.ClusterMessage.ReplyStatus;
import io.runnel.broker.cluster.transport.ClusterMessage.TruncationPoint;
import io.runnel.broker.common.Errors;
import io.runnel.broker.common.Futures;
import io.runnel.broker.common.RunnelException;
import io.runnel.discovery.Generation;
import io.runnel.storage.AppendResult;
import io.runnel.storage.Chunk;
import io.runnel.storage.TopicInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker leading one range in one generation (docs/replication.md, "Write path"). Everything runs
 * on the range's thread except the few volatile reads {@link RangeReplica#append} makes.
 *
 * <p>Lifecycle ({@link LeaderState}): {@link #start} records the generation in the history of every partition
 * of the range ({@code beginGeneration}); once enough followers joined the role serves. It ends with
 * {@link #close} when a newer generation names another leader (or the broker stops): unanswered producers then
 * get 503, the outcome unknown.
 *
 * <p>Acknowledgement: a chunk's producer is answered once the partition's high watermark (smallest
 * durable end over the ISR, leader included) passes it and the committed ISR has at least
 * {@code minIsr} members. ISR changes are the {@link IsrManager}'s; the one in flight, if any, is an
 * {@link IsrChange}.
 */
final class LeaderRole implements LeaderStreams.Events, IsrManager.Events {
    private static final Logger log = LoggerFactory.getLogger(LeaderRole.class);

    private final ReplicationContext ctx;
    private final RangeReplica owner;
    final int range;
    final int version;
    /** The range's replica set (the same in every generation). */
    private final List<Integer> replicas;
    private final int minIsr;
    private final Map<TopicPartition, LeaderPartition> partitions = new HashMap<>();
    private final LeaderStreams streams;

    private Generation generation;
    private volatile LeaderState state = LeaderState.TAKING_OVER;
    private volatile int committedIsrSize;
    private final IsrManager isr;

    LeaderRole(ReplicationContext ctx, RangeReplica owner, Generation generation) {
        this.ctx = ctx;
        this.owner = owner;
        this.range = generation.range();
        this.version = generation.version();
        this.generation = generation;
        this.replicas = generation.replicas();
        this.minIsr = replicas.size() / 2 + 1;
        this.committedIsrSize = generation.isr().size();
        Map<Integer, FollowerStream> followers = new HashMap<>();
        for (int r : generation.replicas()) {
            if (r != ctx.self()) {
                followers.put(r, new FollowerStream(r));
            }
        }
        this.streams = new LeaderStreams(ctx, range, version, partitions, followers, this);
        this.isr = new IsrManager(ctx, range, version, partitions, streams, this, owner::execute);
    }

    // ------------------------------------------------------------------ read from any thread

    LeaderState state() {
        return state;
    }

    boolean serving() {
        return state.acknowledges();
    }

    boolean fenced() {
        return state == LeaderState.FENCED;
    }

    boolean hasMinIsr() {
        return committedIsrSize >= minIsr;
    }

    int minIsr() {
        return minIsr;
    }

    /** Whether at least {@code minIsr} replicas are in this broker's view: without them nothing can be acknowledged. */
    boolean majorityInView() {
        Set<Integer> live = ctx.metadata().live();
        int inView = 0;
        for (int broker : replicas) {
            if (live.contains(broker)) {
                inView++;
            }
        }
        return inView >= minIsr;
    }

    // ------------------------------------------------------------------ range thread

    /** Takes the range over: every partition's history gets this generation, then followers may join. */
    void start() {
        List<TopicInfo> topics = ctx.topics().all();
        List<CompletableFuture<Void>> begun = new ArrayList<>();
        for (TopicInfo t : topics) {
            for (int p : owner.partitions()) {
                begun.add(ctx.store().beginGeneration(t.id(), p, version));
            }
        }
        CompletableFuture.allOf(begun.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> owner.execute(() -> {
            if (state != LeaderState.TAKING_OVER) {
                return;
            }
            if (e != null) {
                log.error("range {}: cannot begin generation {}; not serving it", range, version, e);
                return;
            }
            for (TopicInfo t : topics) {
                for (int p : owner.partitions()) {
                    partition(new TopicPartition(t.name(), p), t.id(), ctx.store().state(t.id(), p).logEndOffset());
                }
            }
            state = LeaderState.AWAITING_FOLLOWERS;
            log.info("range {}: leading generation {} (replicas {}, isr {})", range, version, generation.replicas(), generation.isr());
            confirmIfJoined();
        }));
    }

    private LeaderPartition partition(TopicPartition tp, int topicId, long logEnd) {
        return partitions.computeIfAbsent(tp, k -> new LeaderPartition(k, topicId, logEnd, owner.knownHighWatermark(k)));
    }

    /** The store stamped a chunk of this generation (called in offset order per partition). */
    void onAssigned(TopicInfo topic, int partition, long base, byte[] chunk, CompletableFuture<AppendResult> acked) {
        if (state == LeaderState.CLOSED || state == LeaderState.DEPOSED) {
            acked.completeExceptionally(notLeader());
            return;
        }
        TopicPartition tp = new TopicPartition(topic.name(), partition);
        LeaderPartition lp = partition(tp, topic.id(), base);
        if (base != lp.assignedEnd) {
            log.error("range {}: chunk of {} stamped at {} but the partition ends at {}", range, tp, base, lp.assignedEnd);
        }
        PendingChunk pc = new PendingChunk(base, Chunk.recordCount(chunk), chunk, ctx.nanoTime(), acked);
        lp.assignedEnd = Math.max(lp.assignedEnd, pc.next);
        lp.pending.put(base, pc);
        streams.pumpAll(lp);
    }

    /** The store finished (or failed) the local write of a chunk of {@code tp}. */
    void onLocalAppend(TopicPartition tp, AppendResult result, Throwable error, CompletableFuture<AppendResult> acked) {
        if (error != null) {
            acked.completeExceptionally(error);
            return;
        }
        LeaderPartition lp = partitions.get(tp);
        if (lp == null || state == LeaderState.CLOSED) {
            acked.completeExceptionally(notLeader());
            return;
        }
        lp.localEnd = Math.max(lp.localEnd, result.nextOffset());
        advanceHighWatermark(lp);
    }

    /** A follower answered a {@code Replicate}. */
    void onAck(int broker, ReplicateAck ack) {
        streams.onAck(broker, ack);
    }

    @Override
    public void acknowledged(LeaderPartition lp) {
        advanceHighWatermark(lp);
    }

    @Override
    public void superseded(int broker, long newerVersion) {
        // This generation was superseded (this broker was paused or cut off). Answer the waiting producers now
        // rather than after the metadata or a proposal tells it.
        stepDown();
    }

    /** Where each partition of a joining follower must end (KIP-279). */
    FetchReply onFetch(int broker, Fetch fetch) {
        if (!state.takenOver() || fetch.version() != version || streams.get(broker) == null) {
            return new FetchReply(fetch.requestId(), range, fetch.version(), ReplyStatus.NOT_LEADER, List.of(), List.of());
        }
        List<TruncationPoint> points = TruncationPoints.of(ctx, owner.partitions(), partitions, fetch);
        List<String> topics = ctx.topics().all().stream().map(TopicInfo::name).toList();
        return new FetchReply(fetch.requestId(), range, version, ReplyStatus.OK, points, topics);
    }

    /** A follower truncated and waits for chunks from its positions on. */
    FollowReply onFollow(int broker, Follow follow) {
        FollowerStream s = streams.get(broker);
        if (!state.takenOver() || follow.version() != version || s == null) {
            return new FollowReply(follow.requestId(), range, follow.version(), ReplyStatus.NOT_LEADER);
        }
        Map<TopicPartition, FollowerStream.Cursor> old = new HashMap<>(s.cursors);
        s.cursors.clear();
        for (Position p : follow.positions()) {
            TopicPartition tp = new TopicPartition(p.topic(), p.partition());
            FollowerStream.Cursor c = new FollowerStream.Cursor(p.logEnd());
            FollowerStream.Cursor before = old.get(tp);
            c.seq = before == null ? 1 : before.seq + 1;
            s.cursors.put(tp, c);
            LeaderPartition lp = partitions.get(tp);
            if (lp != null && p.logEnd() > lp.assignedEnd) {
                log.warn("range {}: broker {} joined with {} at {}, beyond this leader's end {}", range, broker, tp,
                        p.logEnd(), lp.assignedEnd);
            }
        }
        s.inflight.clear();
        s.inflightBytes = 0;
        s.following = true;
        s.joined = true;
        log.info("range {}: broker {} follows generation {}", range, broker, version);
        confirmIfJoined();
        owner.execute(() -> {
            streams.pump(s);
            partitions.values().forEach(this::advanceHighWatermark);
        });
        return new FollowReply(follow.requestId(), range, version, ReplyStatus.OK);
    }

    /** Stops taking writes (a hand-over begins); the ones already taken are still acknowledged. */
    void fence() {
        if (state == LeaderState.SERVING) {
            state = LeaderState.FENCED;
        }
    }

    /** Whether every write taken has been answered. */
    boolean drained() {
        for (LeaderPartition lp : partitions.values()) {
            for (PendingChunk pc : lp.pending.values()) {
                if (!pc.acked.isDone()) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The follower to hand the range to: a live, connected ISR member that follows this generation, the one with
     * most acknowledged; -1 if none. Any ISR member holds everything acknowledged (the high watermark is the
     * smallest durable end over the ISR); the most caught-up one truncates least of what was not.
     */
    int handOverTarget() {
        Set<Integer> live = ctx.metadata().live();
        int best = -1;
        long bestAcked = -1;
        for (int broker : generation.isr()) {
            FollowerStream s = streams.get(broker);
            if (s == null || !s.following || !live.contains(broker) || !ctx.connected(broker)) {
                continue;
            }
            long acked = 0;
            for (LeaderPartition lp : partitions.values()) {
                acked += Math.max(0, s.acked(lp.tp));
            }
            if (acked > bestAcked) {
                best = broker;
                bestAcked = acked;
            }
        }
        return best;
    }

    /** A newer state of this generation (same version): the committed ISR changed. */
    void onGeneration(Generation g) {
        if (g.version() != version) {
            return;
        }
        generation = g;
        committedIsrSize = g.isr().size();
        partitions.values().forEach(this::advanceHighWatermark);
    }

    void onPeerConnected(int broker) {
        FollowerStream s = streams.get(broker);
        if (s != null) {
            streams.pump(s);
        }
    }

    /** Frames on the lost connection may or may not have arrived: resend from what was acknowledged. */
    void onPeerDisconnected(int broker) {
        FollowerStream s = streams.get(broker);
        if (s != null) {
            s.rewind();
        }
    }

    /** Periodic work: producers waiting too long, lagging and caught-up followers, stalled streams. */
    void tick(long now) {
        if (!state.takenOver()) {
            return;
        }
        if (!majorityInView()) {
            // Without a majority of the replicas in view neither the ISR nor the raft metadata can change, and
            // nothing waiting can be acknowledged until brokers return: answer now, not at the pending timeout.
            failWaiting(majorityLost());
        }
        long timeout = ctx.config().pendingTimeout().toNanos();
        for (LeaderPartition lp : partitions.values()) {
            for (PendingChunk pc : lp.pending.values()) {
                if (now - pc.assignedNanos < timeout) {
                    break;
                }
                if (!pc.acked.isDone()) {
                    pc.acked.completeExceptionally(Errors.REPLICATION_TIMEOUT.exception("the events were not acknowledged by"
                            + " enough replicas within " + ctx.config().pendingTimeout().toSeconds()
                            + " s; they may or may not be stored; retry"));
                }
            }
        }
        if (state != LeaderState.DEPOSED) {
            isr.tick(now, generation);
        }
        streams.pumpAll();
    }

    /** The ISR change proposed and not answered yet ({@link IsrChange#NONE} if none). */
    IsrChange inFlight() {
        return isr.inFlight();
    }

    @Override
    public void committed(Generation g) {
        if (state != LeaderState.CLOSED) {
            onGeneration(g);
        }
    }

    @Override
    public void expansionFailed() {
        partitions.values().forEach(this::advanceHighWatermark); // it no longer holds the watermark back
    }

    @Override
    public void stale() {
        stepDown();
    }

    /**
     * The metadata already holds a newer generation of this range (this broker was paused or cut off
     * while the others failed over): stop taking writes, answer waiting producers, and propose nothing
     * more. Proposing on would only fill the raft log with rejected entries, and that steady stream is
     * what keeps jgroups-raft from resending this broker the entries it missed, so it would never learn
     * the new generation. The range replaces this role when that generation arrives.
     */
    private void stepDown() {
        if (state == LeaderState.DEPOSED || state == LeaderState.CLOSED) {
            return;
        }
        state = LeaderState.DEPOSED;
        failPending(notLeader());
        log.warn("range {}: generation {} is stale (the metadata holds a newer one); not taking writes until it arrives",
                range, version);
    }

    /**
     * Serves once {@code minIsr - 1} followers joined this generation. A broker whose metadata is stale
     * (restarted before it learned a newer generation) thus never takes writes in the old one: the
     * followers know better and never join it, so it cannot even write locally what it would later have
     * to truncate.
     */
    private void confirmIfJoined() {
        if (state != LeaderState.AWAITING_FOLLOWERS) {
            return;
        }
        long joined = streams.all().stream().filter(f -> f.joined).count();
        if (joined + 1 >= minIsr) {
            state = LeaderState.SERVING;
            log.info("range {}: generation {} confirmed by {} follower(s); taking writes", range, version, joined);
            partitions.values().forEach(this::advanceHighWatermark);
        }
    }

    /** Recomputes the high watermark of {@code lp} and answers the producers it passed. */
    private void advanceHighWatermark(LeaderPartition lp) {
        if (!state.acknowledges()) {
            return;
        }
        long min = lp.localEnd;
        for (int broker : generation.isr()) {
            min = Math.min(min, followerEnd(broker, lp));
        }
        if (isr.inFlight() instanceof IsrChange.Expand e) {
            min = Math.min(min, followerEnd(e.added(), lp));
        }
        if (min > lp.hwm) {
            lp.hwm = min;
            owner.publishHighWatermark(lp.tp, min);
            ctx.watermark().advanced(lp.tp.topic(), lp.tp.partition(), min);
        }
        boolean enough = hasMinIsr();
        Iterator<PendingChunk> it = lp.pending.values().iterator();
        while (it.hasNext()) {
            PendingChunk pc = it.next();
            if (pc.next > lp.hwm) {
                break;
            }
            if (enough) {
                pc.acked.complete(new AppendResult(pc.base, pc.count));
            } else if (!pc.acked.isDone()) {
                break; // durable on the ISR, but the ISR is no majority: wait for it to grow (or time out)
            }
            it.remove();
        }
    }

    private long followerEnd(int broker, LeaderPartition lp) {
        if (broker == ctx.self()) {
            return lp.localEnd;
        }
        FollowerStream s = streams.get(broker);
        return s == null ? -1 : s.acked(lp.tp);
    }

    // ------------------------------------------------------------------ end

    /** Ends the role; unanswered producers get 503 (their chunks may survive or be truncated). */
    void close() {
        if (state == LeaderState.CLOSED) {
            return;
        }
        state = LeaderState.CLOSED;
        failPending(notLeader());
        log.info("range {}: no longer leading generation {}", range, version);
    }

    /** Answers every producer still waiting on this role and forgets the chunks: they may or may not be kept. */
    private void failPending(RunnelException error) {
        for (LeaderPartition lp : partitions.values()) {
            for (PendingChunk pc : lp.pending.values()) {
                pc.acked.completeExceptionally(error);
            }
            lp.pending.clear();
        }
    }

    /** Answers every producer still waiting, keeping the chunks for the followers that still lack them. */
    private void failWaiting(RunnelException error) {
        for (LeaderPartition lp : partitions.values()) {
            for (PendingChunk pc : lp.pending.values()) {
                if (!pc.acked.isDone()) {
                    pc.acked.completeExceptionally(error);
                }
            }
        }
    }

    private RunnelException majorityLost() {
        return Errors.NOT_ENOUGH_REPLICAS.exception("fewer than " + minIsr + " replicas of partition range " + range
                + " are reachable, so the events could not be made durable on a majority; they may or may not be stored;"
                + " retry");
    }

    static RunnelException notLeader() {
        return Errors.NOT_LEADER.exception("this broker stopped leading the partition before the events were"
                + " acknowledged; they may or may not be stored; retry");
    }

    /** The partitions' high watermark and log end, for the topology API (range thread). */
    Map<TopicPartition, long[]> offsets() {
        Map<TopicPartition, long[]> out = new HashMap<>();
        partitions.forEach((tp, lp) -> out.put(tp, new long[] {lp.hwm, lp.localEnd}));
        return out;
    }

    @Override
    public String toString() {
        return "leader of range " + range + " v" + version + " (" + state + ")";
    }
}
