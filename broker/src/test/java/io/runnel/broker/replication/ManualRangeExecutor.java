package io.runnel.broker.replication;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A {@link RangeExecutor} run by hand: tasks wait until {@link #runAll}; delayed tasks wait for the manual clock
 * to pass their time ({@link #advance}). No threads, so a test sees every step of a role in order.
 */
final class ManualRangeExecutor implements RangeExecutor {
    private final ManualClock clock;
    private final Deque<Runnable> queue = new ArrayDeque<>();
    private final List<Delayed> delayed = new ArrayList<>();
    private boolean shut;

    private record Delayed(long atNanos, long periodNanos, Runnable task) {
    }

    ManualRangeExecutor(ManualClock clock) {
        this.clock = clock;
    }

    @Override
    public void execute(Runnable task) {
        if (!shut) {
            queue.add(task);
        }
    }

    @Override
    public void schedule(Runnable task, long delayMillis) {
        if (!shut) {
            delayed.add(new Delayed(clock.nanos + delayMillis * 1_000_000, 0, task));
        }
    }

    /** Periodic tasks are not scheduled: tests call the tick themselves. */
    @Override
    public void scheduleWithFixedDelay(Runnable task, long initialMillis, long periodMillis) {
    }

    @Override
    public void shutdown() {
        shut = true;
        queue.clear();
        delayed.clear();
    }

    /** Runs queued tasks, and the ones they queue, until none is left. */
    void runAll() {
        Runnable r;
        int n = 0;
        while ((r = queue.poll()) != null) {
            r.run();
            if (++n > 100_000) {
                throw new AssertionError("tasks keep queueing tasks");
            }
        }
    }

    /** Moves the clock on and runs what became due, then everything queued. */
    void advance(long millis) {
        clock.nanos += millis * 1_000_000;
        runAll();
        List<Delayed> due = delayed.stream().filter(d -> d.atNanos() - clock.nanos <= 0).toList();
        delayed.removeAll(due);
        due.forEach(d -> execute(d.task()));
        runAll();
    }

    /** A clock for {@link ReplicationContext#nanoClock}, moved by {@link ManualRangeExecutor#advance}. */
    static final class ManualClock {
        long nanos = 1_000_000_000L;

        long nanoTime() {
            return nanos;
        }
    }
}
