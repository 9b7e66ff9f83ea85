package io.runnel.broker.cluster;

import io.runnel.broker.common.Futures;
import io.runnel.broker.common.RunnelException;
import io.runnel.broker.common.Errors;
import io.runnel.broker.cluster.FollowerStream.Cursor;
import io.runnel.broker.cluster.FollowerStream.InFlight;
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
import io.runnel.broker.cluster.transport.PeerClient;
import io.runnel.discovery.Generation;
import io.runnel.discovery.MetadataRejectedException;
import io.runnel.discovery.Rejection;
import io.runnel.storage.AppendResult;
import io.runnel.storage.Chunk;
import io.runnel.storage.ReadResult;
import io.runnel.storage.TopicInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker leading one range in one generation (docs/replication.md, "Write path"). Everything runs
 * on the range's thread except the few volatile reads {@link RangeReplica#append} makes.
 *
 * <p>Lifecycle: {@link #start} records the generation in the history of every partition of the range
 * ({@code beginGeneration}), then the role serves. It ends with {@link #close} when a newer generation
 * names another leader (or the broker stops): unanswered producers then get 503, the outcome unknown.
 *
 * <p>Acknowledgement: a chunk's producer is answered once the partition's high watermark (smallest
 * durable end over the ISR, leader included) passes it and the committed ISR has at least
 * {@code minIsr} members. While an ISR addition is being proposed the high watermark already waits for
 * the new member too (Kafka's "maximal ISR"), so nothing is acknowledged that the new member lacks.
 */
final class LeaderRole {
    private static final Logger log = LoggerFactory.getLogger(LeaderRole.class);
    /** Bytes of frames in flight to one follower before the stream waits for acknowledgements. */
    static final int WINDOW_BYTES = 8 << 20;
    /** Bytes read from the store per catch-up read. */
    static final int CATCH_UP_READ_BYTES = 1 << 20;

    private final ReplicationContext ctx;
    private final RangeReplica owner;
    final int range;
    final int version;
    private static final Duration PROPOSAL_BACKOFF = Duration.ofSeconds(1);

    /** The range's replica set (the same in every generation). */
    private final List<Integer> replicas;
    private final int minIsr;
    private Generation generation;
    /** The generation is in every partition's history: followers may join. */
    private boolean takenOver;
    /** Takes producers' writes: taken over, and enough followers joined to confirm the generation. */
    private volatile boolean serving;
    /** Refuses new writes while the ones taken are still acknowledged: the range is being handed over. */
    private volatile boolean fenced;
    private volatile int committedIsrSize;
    private boolean closed;
    private boolean proposing;
    /** The metadata refused a proposal as stale: a newer generation exists that this broker has not applied yet. */
    private boolean deposed;
    /** After a failed proposal, none before this time: rejected proposals still go through the raft log. */
    private long nextProposalNanos;
    private Integer pendingAdd;
    private final Map<TopicPartition, LeaderPartition> partitions = new HashMap<>();
    private final Map<Integer, FollowerStream> followers = new HashMap<>();

    LeaderRole(ReplicationContext ctx, RangeReplica owner, Generation generation) {
        this.ctx = ctx;
        this.owner = owner;
        this.range = generation.range();
        this.version = generation.version();
        this.generation = generation;
        this.replicas = generation.replicas();
        this.minIsr = replicas.size() / 2 + 1;
        this.committedIsrSize = generation.isr().size();
        for (int r : generation.replicas()) {
            if (r != ctx.self()) {
                followers.put(r, new FollowerStream(r));
            }
        }
    }

    // ------------------------------------------------------------------ read from any thread

    boolean serving() {
        return serving;
    }

    boolean fenced() {
        return fenced;
    }

    boolean hasMinIsr() {
        return committedIsrSize >= minIsr;
    }

    int minIsr() {
        return minIsr;
    }

    /** Whether at least {@code minIsr} replicas are in this broker's view: without them nothing can be acknowledged. */
    boolean majorityInView() {
        Set<Integer> live = ctx.cluster().state().live();
        int inView = 0;
        for (int broker : replicas) {
            if (live.contains(broker)) {
                inView++;
            }
        }
        return inView >= minIsr;
    }

    // ------------------------------------------------------------------ range thread

    /** Takes the range over: every partition's history gets this generation, then the role serves. */
    void start() {
        List<TopicInfo> topics = ctx.topics().all();
        List<CompletableFuture<Void>> begun = new ArrayList<>();
        for (TopicInfo t : topics) {
            for (int p : owner.partitions()) {
                begun.add(ctx.store().beginGeneration(t.id(), p, version));
            }
        }
        CompletableFuture.allOf(begun.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> owner.execute(() -> {
            if (closed) {
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
            takenOver = true;
            log.info("range {}: leading generation {} (replicas {}, isr {})", range, version, generation.replicas(), generation.isr());
            confirmIfJoined();
        }));
    }

    private LeaderPartition partition(TopicPartition tp, int topicId, long logEnd) {
        return partitions.computeIfAbsent(tp, k -> new LeaderPartition(k, topicId, logEnd, owner.knownHighWatermark(k)));
    }

    /** The store stamped a chunk of this generation (called in offset order per partition). */
    void onAssigned(TopicInfo topic, int partition, long base, byte[] chunk, CompletableFuture<AppendResult> acked) {
        if (closed || deposed) {
            acked.completeExceptionally(notLeader());
            return;
        }
        TopicPartition tp = new TopicPartition(topic.name(), partition);
        LeaderPartition lp = partition(tp, topic.id(), base);
        if (base != lp.assignedEnd) {
            log.error("range {}: chunk of {} stamped at {} but the partition ends at {}", range, tp, base, lp.assignedEnd);
        }
        PendingChunk pc = new PendingChunk(base, Chunk.recordCount(chunk), chunk, System.nanoTime(), acked);
        lp.assignedEnd = Math.max(lp.assignedEnd, pc.next);
        lp.pending.put(base, pc);
        for (FollowerStream s : followers.values()) {
            pump(s, lp);
        }
    }

    /** The store finished (or failed) the local write of a chunk of {@code tp}. */
    void onLocalAppend(TopicPartition tp, AppendResult result, Throwable error, CompletableFuture<AppendResult> acked) {
        if (error != null) {
            acked.completeExceptionally(error);
            return;
        }
        LeaderPartition lp = partitions.get(tp);
        if (lp == null || closed) {
            acked.completeExceptionally(notLeader());
            return;
        }
        lp.localEnd = Math.max(lp.localEnd, result.nextOffset());
        advanceHighWatermark(lp);
    }

    /** A follower answered a {@code Replicate}. */
    void onAck(int broker, ReplicateAck ack) {
        FollowerStream s = followers.get(broker);
        if (s == null || ack.version() != version) {
            return;
        }
        InFlight f = s.inflight.remove(ack.requestId());
        if (f == null) {
            return; // sent before the stream restarted
        }
        boolean windowWasFull = s.inflightBytes >= WINDOW_BYTES;
        s.inflightBytes -= f.bytes();
        Cursor c = s.cursor(f.tp());
        LeaderPartition lp = partitions.get(f.tp());
        switch (ack.status()) {
            case OK -> {
                if (ack.value() > c.acked) {
                    c.acked = ack.value();
                    if (lp != null) {
                        advanceHighWatermark(lp);
                    }
                }
            }
            case OFFSET_MISMATCH -> {
                if (f.seq() == c.seq) {
                    long expected = ack.value();
                    if (lp != null && expected > lp.assignedEnd) {
                        log.error("range {}: broker {} holds {} up to {}, beyond this leader's end {}; it must rejoin",
                                range, broker, f.tp(), expected, lp.assignedEnd);
                        stopStream(s);
                        return;
                    }
                    log.info("range {}: broker {} expects {} at {}, not {}; resending from there", range, broker, f.tp(),
                            expected, f.base());
                    c.seq++;
                    c.sentUpTo = expected;
                }
            }
            case STALE_GENERATION, NOT_FOLLOWING, FAILED -> {
                log.info("range {}: broker {} refused {} at {}: {} {}", range, broker, f.tp(), f.base(), ack.status(),
                        ack.value());
                stopStream(s);
                if (ack.status() == AckStatus.STALE_GENERATION && ack.value() > version) {
                    // A follower knows a newer generation: this one was superseded (it was paused or cut off).
                    // Answer the waiting producers now rather than after the metadata or a proposal tells it.
                    stepDown();
                }
                return;
            }
        }
        // Only a full window held other partitions back; otherwise only this one may have more to send.
        if (windowWasFull) {
            pump(s);
        } else if (lp != null) {
            pump(s, lp);
        }
    }

    private void stopStream(FollowerStream s) {
        s.following = false;
        s.inflight.clear();
        s.inflightBytes = 0;
    }

    /** Where each partition of a joining follower must end (KIP-279). */
    FetchReply onFetch(int broker, Fetch fetch) {
        if (closed || !takenOver || fetch.version() != version || !followers.containsKey(broker)) {
            return new FetchReply(fetch.requestId(), range, fetch.version(), ReplyStatus.NOT_LEADER, List.of(), List.of());
        }
        List<TruncationPoint> points = new ArrayList<>(fetch.partitions().size());
        Set<TopicPartition> listed = new HashSet<>();
        for (FetchPartition fp : fetch.partitions()) {
            listed.add(new TopicPartition(fp.topic(), fp.partition()));
            Optional<TopicInfo> topic = ctx.topics().find(fp.topic());
            if (topic.isEmpty()) {
                points.add(new TruncationPoint(fp.topic(), fp.partition(), 0, 0, 0));
                continue;
            }
            int id = topic.get().id();
            int floor = ctx.store().floorGeneration(id, fp.partition(), fp.lastVersion());
            long end = ctx.store().endOffsetForGeneration(id, fp.partition(), floor);
            LeaderPartition lp = partitions.get(new TopicPartition(fp.topic(), fp.partition()));
            if (lp != null) {
                end = Math.min(end, lp.localEnd);
            }
            points.add(new TruncationPoint(fp.topic(), fp.partition(), floor, end,
                    ctx.store().state(id, fp.partition()).logStartOffset()));
        }
        // Partitions the follower has nothing of: where it must start if retention removed the beginning here.
        for (TopicInfo t : ctx.topics().all()) {
            for (int p : owner.partitions()) {
                long start = ctx.store().state(t.id(), p).logStartOffset();
                if (start > 0 && !listed.contains(new TopicPartition(t.name(), p))) {
                    points.add(new TruncationPoint(t.name(), p, 0, 0, start));
                }
            }
        }
        List<String> topics = ctx.topics().all().stream().map(TopicInfo::name).toList();
        return new FetchReply(fetch.requestId(), range, version, ReplyStatus.OK, points, topics);
    }

    /** A follower truncated and waits for chunks from its positions on. */
    FollowReply onFollow(int broker, Follow follow) {
        FollowerStream s = followers.get(broker);
        if (closed || !takenOver || follow.version() != version || s == null) {
            return new FollowReply(follow.requestId(), range, follow.version(), ReplyStatus.NOT_LEADER);
        }
        Map<TopicPartition, Cursor> old = new HashMap<>(s.cursors);
        s.cursors.clear();
        for (Position p : follow.positions()) {
            TopicPartition tp = new TopicPartition(p.topic(), p.partition());
            Cursor c = new Cursor(p.logEnd());
            Cursor before = old.get(tp);
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
            pump(s);
            partitions.values().forEach(this::advanceHighWatermark);
        });
        return new FollowReply(follow.requestId(), range, version, ReplyStatus.OK);
    }

    /** Stops taking writes (a hand-over begins); the ones already taken are still acknowledged. */
    void fence() {
        fenced = true;
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
        Set<Integer> live = ctx.cluster().state().live();
        int best = -1;
        long bestAcked = -1;
        for (int broker : generation.isr()) {
            FollowerStream s = followers.get(broker);
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
        if (pendingAdd != null && g.isr().contains(pendingAdd)) {
            pendingAdd = null;
        }
        partitions.values().forEach(this::advanceHighWatermark);
    }

    void onPeerConnected(int broker) {
        FollowerStream s = followers.get(broker);
        if (s != null) {
            pump(s);
        }
    }

    /** Frames on the lost connection may or may not have arrived: resend from what was acknowledged. */
    void onPeerDisconnected(int broker) {
        FollowerStream s = followers.get(broker);
        if (s != null) {
            s.rewind();
        }
    }

    /** Periodic work: producers waiting too long, lagging and caught-up followers, stalled streams. */
    void tick(long now) {
        if (closed || !takenOver) {
            return;
        }
        long timeout = ctx.settings().pendingTimeout().toNanos();
        if (!majorityInView()) {
            // Without a majority of the replicas in view neither the ISR nor the raft metadata can change, and
            // nothing waiting can be acknowledged until brokers return: answer now, not at the pending timeout.
            for (LeaderPartition lp : partitions.values()) {
                lp.pending.values().stream().filter(pc -> !pc.acked.isDone())
                        .forEach(pc -> pc.acked.completeExceptionally(majorityLost()));
            }
        }
        for (LeaderPartition lp : partitions.values()) {
            for (PendingChunk pc : lp.pending.values()) {
                if (now - pc.assignedNanos < timeout) {
                    break;
                }
                if (!pc.acked.isDone()) {
                    pc.acked.completeExceptionally(Errors.REPLICATION_TIMEOUT.exception("the events were not acknowledged by enough replicas within "
                                    + ctx.settings().pendingTimeout().toSeconds() + " s; they may or may not be stored; retry"));
                }
            }
        }
        if (!proposing && !deposed && now - nextProposalNanos >= 0) {
            Set<Integer> lagging = lagging(now);
            if (!lagging.isEmpty()) {
                Set<Integer> isr = new TreeSet<>(generation.isr());
                isr.removeAll(lagging);
                log.warn("range {}: brokers {} did not acknowledge within {} ms; proposing ISR {}", range, lagging,
                        ctx.settings().replicaLag().toMillis(), isr);
                propose(isr, null);
            } else {
                Set<Integer> live = ctx.cluster().state().live();
                for (FollowerStream s : followers.values()) {
                    if (!generation.isr().contains(s.broker) && s.following && live.contains(s.broker)
                            && ctx.connected(s.broker) && caughtUp(s)) {
                        Set<Integer> isr = new TreeSet<>(generation.isr());
                        isr.add(s.broker);
                        log.info("range {}: broker {} caught up; proposing ISR {}", range, s.broker, isr);
                        propose(isr, s.broker);
                        break;
                    }
                }
            }
        }
        for (FollowerStream s : followers.values()) {
            pump(s);
        }
    }

    private Set<Integer> lagging(long now) {
        long lag = ctx.settings().replicaLag().toNanos();
        Set<Integer> out = new TreeSet<>();
        for (int broker : generation.isr()) {
            FollowerStream s = followers.get(broker);
            if (s == null) {
                continue; // this broker
            }
            for (LeaderPartition lp : partitions.values()) {
                long acked = s.acked(lp.tp);
                var oldest = acked < 0 ? lp.pending.firstEntry() : lp.pending.ceilingEntry(acked);
                if (oldest != null && now - oldest.getValue().assignedNanos > lag) {
                    out.add(broker);
                    break;
                }
            }
        }
        return out;
    }

    private boolean caughtUp(FollowerStream s) {
        for (LeaderPartition lp : partitions.values()) {
            if (s.acked(lp.tp) < lp.syncPoint()) {
                return false;
            }
        }
        return true;
    }

    private void propose(Set<Integer> isr, Integer adding) {
        proposing = true;
        pendingAdd = adding;
        ctx.cluster().proposeIsr(range, version, isr).whenComplete((g, e) -> owner.execute(() -> {
            proposing = false;
            if (e != null) {
                log.warn("range {}: ISR proposal {} failed: {}", range, isr, e.toString());
                if (pendingAdd != null && pendingAdd.equals(adding)) {
                    pendingAdd = null;
                    partitions.values().forEach(this::advanceHighWatermark);
                }
                if (isStale(e)) {
                    stepDown();
                } else {
                    nextProposalNanos = System.nanoTime() + PROPOSAL_BACKOFF.toNanos();
                }
                return;
            }
            if (!closed) {
                onGeneration(g);
            }
        }));
    }

    private static boolean isStale(Throwable e) {
        Throwable cause = Futures.unwrap(e);
        return cause instanceof MetadataRejectedException r
                && (r.reason() == Rejection.STALE_VERSION || r.reason() == Rejection.NOT_LEADER);
    }

    /**
     * The metadata already holds a newer generation of this range (this broker was paused or cut off
     * while the others failed over): stop taking writes, answer waiting producers, and propose nothing
     * more. Proposing on would only fill the raft log with rejected entries, and that steady stream is
     * what keeps jgroups-raft from resending this broker the entries it missed, so it would never learn
     * the new generation. The range replaces this role when that generation arrives.
     */
    private void stepDown() {
        if (deposed) {
            return;
        }
        deposed = true;
        serving = false;
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
        if (serving || closed || deposed || !takenOver) {
            return;
        }
        long joined = followers.values().stream().filter(f -> f.joined).count();
        if (joined + 1 >= minIsr) {
            serving = true;
            log.info("range {}: generation {} confirmed by {} follower(s); taking writes", range, version, joined);
            partitions.values().forEach(this::advanceHighWatermark);
        }
    }

    /** Recomputes the high watermark of {@code lp} and answers the producers it passed. */
    private void advanceHighWatermark(LeaderPartition lp) {
        if (!serving || closed) {
            return;
        }
        long min = lp.localEnd;
        for (int broker : generation.isr()) {
            min = Math.min(min, followerEnd(broker, lp));
        }
        if (pendingAdd != null) {
            min = Math.min(min, followerEnd(pendingAdd, lp));
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
        FollowerStream s = followers.get(broker);
        return s == null ? -1 : s.acked(lp.tp);
    }

    // ------------------------------------------------------------------ the stream to each follower

    private void pump(FollowerStream s) {
        if (!s.following) {
            return;
        }
        for (LeaderPartition lp : partitions.values()) {
            if (!pump(s, lp)) {
                return;
            }
        }
    }

    /** Sends what {@code s} lacks of {@code lp}, within the window; false when the stream cannot go on now. */
    private boolean pump(FollowerStream s, LeaderPartition lp) {
        if (!s.following || closed) {
            return false;
        }
        PeerClient peer = ctx.peer(s.broker);
        if (peer == null || !peer.connected()) {
            return false;
        }
        Cursor c = s.cursor(lp.tp);
        while (c.sentUpTo < lp.assignedEnd) {
            if (s.inflightBytes >= WINDOW_BYTES) {
                return false;
            }
            PendingChunk pc = lp.pending.get(c.sentUpTo);
            if (pc != null) {
                if (!send(peer, s, lp, c, pc.base, pc.next, pc.chunk)) {
                    return false;
                }
                continue;
            }
            if (c.sentUpTo >= lp.localEnd) {
                break; // not durable here yet, and not one of this generation's chunks: comes with onLocalAppend
            }
            long until = lp.pending.isEmpty() ? lp.localEnd : Math.min(lp.localEnd, lp.pending.firstKey());
            ReadResult read;
            try {
                read = ctx.store().read(lp.topicId, lp.tp.partition(), c.sentUpTo, CATCH_UP_READ_BYTES, until);
            } catch (RuntimeException e) {
                log.error("range {}: reading {} at {} for broker {} failed", range, lp.tp, c.sentUpTo, s.broker, e);
                return true;
            }
            if (read.chunks().isEmpty() || read.chunks().getFirst().baseOffset() != c.sentUpTo) {
                log.warn("range {}: cannot stream {} from {} to broker {} (log starts at {}); it stays out of sync",
                        range, lp.tp, c.sentUpTo, s.broker,
                        read.chunks().isEmpty() ? "?" : read.chunks().getFirst().baseOffset());
                return true;
            }
            for (Chunk chunk : read.chunks()) {
                if (!send(peer, s, lp, c, chunk.baseOffset(), chunk.nextOffset(), chunk.bytes())) {
                    return false;
                }
            }
        }
        return true;
    }

    private boolean send(PeerClient peer, FollowerStream s, LeaderPartition lp, Cursor c, long base, long next, byte[] chunk) {
        long id = peer.nextRequestId();
        s.inflight.put(id, new InFlight(lp.tp, c.seq, base, next, chunk.length));
        if (!peer.send(new Replicate(id, range, version, lp.tp.topic(), lp.tp.partition(), lp.hwm, chunk))) {
            s.inflight.remove(id);
            return false;
        }
        s.inflightBytes += chunk.length;
        c.sentUpTo = next;
        return true;
    }

    // ------------------------------------------------------------------ end

    /** Ends the role; unanswered producers get 503 (their chunks may survive or be truncated). */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        serving = false;
        failPending(notLeader());
        log.info("range {}: no longer leading generation {}", range, version);
    }

    /** Answers every producer still waiting on this role: their chunks may or may not be kept. */
    private void failPending(RunnelException error) {
        for (LeaderPartition lp : partitions.values()) {
            for (PendingChunk pc : lp.pending.values()) {
                pc.acked.completeExceptionally(error);
            }
            lp.pending.clear();
        }
    }

    private RunnelException majorityLost() {
        return Errors.NOT_ENOUGH_REPLICAS.exception("fewer than " + minIsr + " replicas of partition range "
                + range + " are reachable, so the events could not be made durable on a majority; they may or may not be stored; retry");
    }

    static RunnelException notLeader() {
        return Errors.NOT_LEADER.exception("this broker stopped leading the partition before the events were acknowledged; they may or may not be stored; retry");
    }

    /** The partitions' offsets for the topology API (range thread). */
    Map<TopicPartition, long[]> offsets() {
        Map<TopicPartition, long[]> out = new HashMap<>();
        partitions.forEach((tp, lp) -> out.put(tp, new long[] {lp.hwm, lp.localEnd}));
        return out;
    }

    @Override
    public String toString() {
        return "leader of range " + range + " v" + version;
    }
}
