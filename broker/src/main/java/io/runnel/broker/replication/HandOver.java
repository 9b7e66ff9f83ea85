package io.runnel.broker.replication;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * A range's hand-over before a shutdown, in flight: the leader stops taking writes ({@link LeaderRole#fence}),
 * waits up to {@code drain} for the writes it took to be acknowledged, then proposes an in-sync follower as
 * leader of a new generation without this broker in its ISR. Once begun this broker stays out of the range's
 * ISR for good (until it restarts), so the controller does not hand the range back. Runs on the range's thread.
 */
final class HandOver {
    private static final long DRAIN_CHECK_MILLIS = 5;

    private final ReplicationContext ctx;
    private final RangeReplica owner;
    private final long drainNanos;
    private final CompletableFuture<Integer> done;
    private long deadline;

    /** @param done completes with the new leader, -1 if this broker does not lead the range, or fails */
    HandOver(ReplicationContext ctx, RangeReplica owner, Duration drain, CompletableFuture<Integer> done) {
        this.ctx = ctx;
        this.owner = owner;
        this.drainNanos = drain.toNanos();
        this.done = done;
    }

    void start(LeaderRole role) {
        if (role == null || !role.serving()) {
            done.complete(-1);
            return;
        }
        deadline = ctx.nanoTime() + drainNanos;
        role.fence();
        proposeWhenDrained(role);
    }

    private void proposeWhenDrained(LeaderRole role) {
        if (role != owner.leader()) {
            done.complete(-1); // a newer generation arrived meanwhile: not this broker's to hand over any more
            return;
        }
        if (!role.drained() && ctx.nanoTime() - deadline < 0) {
            owner.schedule(() -> {
                try {
                    proposeWhenDrained(role);
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
            }, DRAIN_CHECK_MILLIS);
            return;
        }
        int target = role.handOverTarget();
        if (target < 0) {
            done.completeExceptionally(new IllegalStateException("no live in-sync follower of range " + owner.range
                    + " (isr " + owner.generation().isr() + ")"));
            return;
        }
        Set<Integer> isr = new TreeSet<>(owner.generation().isr());
        isr.remove(ctx.self());
        ctx.metadata().proposeLeader(owner.range, role.version, target, isr).whenComplete((g, e) -> {
            if (e != null) {
                done.completeExceptionally(e);
            } else {
                done.complete(g.leader());
            }
        });
    }
}
