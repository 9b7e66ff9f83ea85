package io.runnel.broker.consume;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/** One poll request between its arrival and its answer; touched only by the group thread. */
final class PendingPoll {
    final GroupMember member;
    final CompletableFuture<PollResult> future;
    final int maxBytes;
    /** {@code System.nanoTime()} after which a long poll answers empty. */
    final long deadlineNanos;
    /** The commit of the previous poll's positions; this poll answers only once it is durable. */
    final CompletableFuture<Void> commit;
    /** Partitions this parked poll waits on; empty when not parked. */
    Set<TopicPartition> watching = Set.of();
    /** {@link PollEngine#onAppend} hints seen when the last read was planned. */
    Map<TopicPartition, Long> hintsAtPlan = Map.of();
    ScheduledFuture<?> timer;
    /** Whether {@link PollEngine} counts it among its parked polls. */
    boolean counted;

    PendingPoll(GroupMember member, CompletableFuture<PollResult> future, int maxBytes, long deadlineNanos,
                CompletableFuture<Void> commit) {
        this.member = member;
        this.future = future;
        this.maxBytes = maxBytes;
        this.deadlineNanos = deadlineNanos;
        this.commit = commit;
    }

    boolean parked() {
        return !watching.isEmpty() || timer != null;
    }
}
