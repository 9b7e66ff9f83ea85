package io.runnel.broker.consume;

import io.runnel.broker.common.Errors;
import io.runnel.broker.common.Futures;
import io.runnel.discovery.Cluster;
import io.runnel.discovery.TokenRing;
import io.runnel.storage.Chunk;
import io.runnel.storage.LogStore;
import io.runnel.storage.OffsetKey;
import io.runnel.storage.ReadResult;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls, long polls included. A poll commits the member's previous positions, plans a read of its assigned
 * partitions this broker leads, reads them on the poll pool, and on the group thread keeps only what is still
 * the member's to read (a rebalance or seek may have moved a position meanwhile). With nothing to read it
 * parks: an append to one of its partitions ({@link #onAppend}) or a rebalance retries it; the timeout answers
 * it empty ({@link ParkedPolls}).
 *
 * <p>A broker that leads none of the consumer's assigned partitions answers at once, empty, rather than holding
 * the poll: every answer says where the consumer's partitions are led ({@link PartitionLeaders}), so a client
 * that polls every broker concurrently keeps long polls only where its partitions are.
 *
 * <p>A consumer has at most one outstanding poll: a new poll answers the earlier one at once with an empty
 * result (the client has evidently given up on it) and takes its place. Answers are completed on the poll pool,
 * and only once the previous positions' commit is durable.
 *
 * <p>Threads: the group thread, except {@link #onAppend} (any thread) and the reads (poll pool).
 */
final class PollEngine {
    private static final Logger log = LoggerFactory.getLogger(PollEngine.class);

    private final GroupState state;
    private final GroupThread thread;
    private final OffsetCommitter offsets;
    private final GroupMembership membership;
    private final LogStore store;
    private final TokenRing ring;
    private final Cluster cluster;
    private final IntPredicate leads;
    private final ReadLimit readLimit;
    private final Clock clock;

    private final int maxParked;

    private final ParkedPolls parkedPolls;
    /** Long polls answered at once because max-parked-polls were parked. Group thread writes, metrics read. */
    private volatile long pastParkLimit;

    PollEngine(ConsumerContext ctx, GroupState state, GroupThread thread, OffsetCommitter offsets, GroupMembership membership) {
        this.state = state;
        this.thread = thread;
        this.offsets = offsets;
        this.membership = membership;
        this.store = ctx.store();
        this.ring = ctx.ring();
        this.cluster = ctx.cluster();
        this.leads = ctx.leads();
        this.readLimit = ctx.readLimit();
        this.clock = ctx.clock();
        this.maxParked = ctx.config().limits().maxParkedPolls();
        this.parkedPolls = new ParkedPolls(thread, p -> {
            if (isCurrent(p)) {
                attempt(p);
            }
        });
    }

    /** A partition's log grew durably to {@code nextOffset}: wakes the polls parked on it. Any thread; cheap. */
    void onAppend(String topic, int partition, long nextOffset) {
        parkedPolls.onAppend(new TopicPartition(topic, partition), nextOffset);
    }

    /** Starts a poll of consumer {@code id}. */
    void start(String id, long waitMs, int maxBytes, CompletableFuture<PollResult> future) {
        GroupMember m = membership.member(id);
        m.lastSeenMillis = clock.millis();
        if (m.poll != null) {
            finishNow(m.poll, PollResult.EMPTY); // superseded: the newest poll wins
        }
        PendingPoll p = new PendingPoll(m, future, maxBytes, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs),
                offsets.commitPositions(m));
        m.poll = p;
        attempt(p);
    }

    /** A parked poll whose partitions changed: read again now. */
    void retry(PendingPoll p) {
        unpark(p);
        attempt(p);
    }

    /** Plans a read of the member's partitions and runs it on the poll pool. */
    private void attempt(PendingPoll p) {
        try {
            startRead(p);
        } catch (RuntimeException e) {
            fail(p, e);
        }
    }

    private void startRead(PendingPoll p) {
        GroupMember m = p.member;
        p.hintsAtPlan = parkedPolls.hints(m.assigned);
        Map<OffsetKey, Long> initial = new HashMap<>();
        List<ReadTask> plan = plan(m, initial);
        if (plan.isEmpty()) {
            parkOrFinish(p);
            return;
        }
        CompletableFuture<Void> started = offsets.commitInitial(initial);
        CompletableFuture<List<PartitionRead>> reads =
                CompletableFuture.supplyAsync(() -> readAll(plan, p.maxBytes), thread.pollPool());
        // Answer only once the previous poll's positions, and the start positions of new partitions, are durable:
        // what this poll hands out is then delivered again from there if the consumer does not confirm it.
        p.commit.thenCombine(started, (a, b) -> a).thenCombine(reads, (v, r) -> r)
                .whenCompleteAsync((r, e) -> applyReads(p, r, e), thread.executor());
    }

    /** The reads of a poll; start positions chosen for new partitions go into {@code initial}, to be committed. */
    private List<ReadTask> plan(GroupMember m, Map<OffsetKey, Long> initial) {
        List<TopicPartition> assigned = m.assigned;
        int n = assigned.size();
        if (n == 0) {
            return List.of();
        }
        ConsumerGroup g = state.groups.get(m.group);
        List<ReadTask> plan = new ArrayList<>(n);
        int start = Math.floorMod(m.nextStart++, n);
        for (int i = 0; i < n; i++) {
            TopicPartition tp = assigned.get((start + i) % n);
            if (!leads.test(tp.partition())) {
                m.positions.remove(tp); // its leader may move on meanwhile: start from the committed offset if it comes back
                continue;
            }
            Long pos = m.positions.get(tp);
            if (pos == null) {
                pos = membership.resolveStart(g, tp, m.onNewGroup, initial); // the topic may exist by now
                if (pos == null) {
                    continue;
                }
                m.positions.put(tp, pos);
            }
            plan.add(new ReadTask(tp, state.topicId(tp.topic()), pos));
        }
        return plan;
    }

    /** Runs on the poll pool: reads each planned partition in turn until {@code maxBytes} is reached. */
    private List<PartitionRead> readAll(List<ReadTask> plan, int maxBytes) {
        List<PartitionRead> out = new ArrayList<>();
        long remaining = maxBytes;
        RuntimeException failure = null;
        for (ReadTask task : plan) {
            if (remaining <= 0) {
                break;
            }
            ReadResult r;
            try {
                long limit = readLimit.maxOffset(task.tp().topic(), task.tp().partition());
                r = limit == Long.MAX_VALUE
                        ? store.read(task.topicId(), task.tp().partition(), task.position(), (int) remaining)
                        : store.read(task.topicId(), task.tp().partition(), task.position(), (int) remaining, limit);
            } catch (RuntimeException e) {
                // A corrupt chunk in one partition should not stop the others; surface it if nothing else is read.
                log.error("reading {} at {} failed", task.tp(), task.position(), e);
                failure = e;
                continue;
            }
            out.add(new PartitionRead(task, r));
            for (Chunk c : r.chunks()) {
                remaining -= c.sizeBytes();
            }
        }
        if (failure != null && out.stream().allMatch(pr -> pr.result().isEmpty())) {
            throw failure;
        }
        return out;
    }

    /** Back on the group thread: keeps what is still this member's to read and advances positions. */
    private void applyReads(PendingPoll p, List<PartitionRead> reads, Throwable error) {
        if (!isCurrent(p)) {
            return; // answered already (superseded, member left, closed)
        }
        if (error != null) {
            fail(p, Futures.unwrap(error));
            return;
        }
        try {
            keepOwnedReads(p, reads);
        } catch (RuntimeException e) {
            fail(p, e);
        }
    }

    private void keepOwnedReads(PendingPoll p, List<PartitionRead> reads) {
        GroupMember m = p.member;
        List<PartitionBatch> batches = new ArrayList<>();
        for (PartitionRead read : reads) {
            TopicPartition tp = read.task().tp();
            Long pos = m.positions.get(tp);
            if (pos == null || pos != read.task().position()) {
                continue; // reassigned (or moved) while reading: never hand out someone else's partition
            }
            ReadResult r = read.result();
            long from = Math.max(pos, r.fromOffset());
            int before = batches.size();
            long end = toBatches(tp, from, r.chunks(), batches);
            if (batches.size() > before) {
                m.positions.put(tp, end);
            } else if (from > pos) {
                m.positions.put(tp, from); // retention removed what lay below
            }
        }
        if (batches.isEmpty()) {
            parkOrFinish(p);
            return;
        }
        m.poll = null;
        m.lastSeenMillis = clock.millis();
        thread.deliver(p.future, new PollResult(batches, leaders(m)), null);
    }

    /**
     * Cuts a partition's chunks into batches of contiguous chunks of one generation (one answer object
     * each), skipping records below {@code from}. Returns where the last batch ends.
     */
    private long toBatches(TopicPartition tp, long from, List<Chunk> chunks, List<PartitionBatch> out) {
        long token = ring.rangeStartToken(ring.rangeOf(tp.partition()));
        int rangeIndex = ring.indexInRange(tp.partition());
        List<Chunk> run = new ArrayList<>();
        long runStart = from;
        long expected = from;
        int generation = 0;
        for (Chunk c : chunks) {
            if (c.nextOffset() <= from) {
                continue;
            }
            if (!run.isEmpty() && (c.generation() != generation || c.baseOffset() != expected)) {
                out.add(new PartitionBatch(tp.topic(), tp.partition(), token, rangeIndex, generation, runStart, expected, run));
                run = new ArrayList<>();
            }
            if (run.isEmpty()) {
                runStart = Math.max(from, c.baseOffset());
                generation = c.generation();
            }
            run.add(c);
            expected = c.nextOffset();
        }
        if (!run.isEmpty()) {
            out.add(new PartitionBatch(tp.topic(), tp.partition(), token, rangeIndex, generation, runStart, expected, run));
        }
        return expected;
    }

    /**
     * Nothing to read: waits for an append on one of the member's partitions, or answers empty: at once when
     * this broker leads none of them (its client reads them elsewhere), else when the timeout elapses.
     */
    private void parkOrFinish(PendingPoll p) {
        long remaining = p.deadlineNanos - System.nanoTime();
        if (remaining > 0 && parkedPolls.count() >= maxParked) {
            pastParkLimit++;
        }
        if (remaining <= 0 || parkedPolls.count() >= maxParked) {
            // Past max-parked-polls a long poll answers at once (empty), as a short one would: its client polls again.
            finishAfterCommit(p);
            return;
        }
        Set<TopicPartition> watching = new HashSet<>();
        for (TopicPartition tp : p.member.assigned) {
            if (leads.test(tp.partition())) {
                watching.add(tp);
            }
        }
        if (watching.isEmpty() && !p.member.assigned.isEmpty() && !leaders(p.member).answeringBrokerLeads()) {
            finishAfterCommit(p); // its partitions are led elsewhere: holding the poll would only delay the client
            return;
        }
        if (!parkedPolls.park(p, watching)) {
            attempt(p); // an append between planning the read and the watch woke nobody: read again
            return;
        }
        p.timer = thread.schedule(() -> {
            parkedPolls.unpark(p);
            if (isCurrent(p)) {
                finishAfterCommit(p);
            }
        }, remaining);
    }

    /** Polls parked now. Any thread. */
    int parkedPolls() {
        return parkedPolls.count();
    }

    /** Long polls answered at once so far because max-parked-polls were parked. Any thread. */
    long pollsPastParkLimit() {
        return pastParkLimit;
    }

    private void unpark(PendingPoll p) {
        parkedPolls.unpark(p);
    }

    /** Where the member's partitions are led now, by the metadata. */
    private PartitionLeaders leaders(GroupMember m) {
        return PartitionLeaders.of(cluster.ordinal(), m.assigned, ring, cluster.state());
    }

    private boolean isCurrent(PendingPoll p) {
        return p.member.poll == p && state.members.get(p.member.id) == p.member;
    }

    /** Answers empty once the previous poll's commit is durable (or with its failure). */
    private void finishAfterCommit(PendingPoll p) {
        p.member.poll = null;
        p.member.lastSeenMillis = clock.millis();
        PollResult empty = PollResult.empty(leaders(p.member));
        p.commit.whenComplete((v, e) -> thread.deliver(p.future, e == null ? empty : null,
                e == null ? null : Futures.unwrap(e)));
    }

    /** Answers with an error; the positions stay where the last answered poll left them. */
    private void fail(PendingPoll p, Throwable error) {
        if (!isCurrent(p)) {
            return;
        }
        if (Errors.forException(error) != Errors.NOT_REGISTERED) {
            log.warn("poll of consumer {} failed", p.member.id, error);
        }
        unpark(p);
        p.member.poll = null;
        thread.deliver(p.future, null, error);
    }

    /** Answers at once, without waiting for the commit (superseded or member gone). */
    void finishNow(PendingPoll p, PollResult result) {
        unpark(p);
        p.member.poll = null;
        thread.deliver(p.future, result, null);
    }

    /** Answers every pending poll empty (the service closes). */
    void answerAll() {
        for (GroupMember m : state.members.values()) {
            if (m.poll != null) {
                PendingPoll p = m.poll;
                unpark(p);
                m.poll = null;
                p.future.complete(PollResult.EMPTY);
            }
        }
    }

    private record ReadTask(TopicPartition tp, int topicId, long position) {
    }

    private record PartitionRead(ReadTask task, ReadResult result) {
    }
}
