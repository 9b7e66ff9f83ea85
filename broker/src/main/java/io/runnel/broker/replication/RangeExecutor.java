package io.runnel.broker.replication;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns a range's replication state ({@link RangeReplica}): tasks run in submission order;
 * delayed tasks run after their delay. {@link #thread} is the real one; unit tests run tasks by hand
 * ({@code ManualRangeExecutor}) so that a role is driven without threads or sleeps.
 *
 * <p>Tasks submitted after {@link #shutdown} are dropped. A task that throws is logged; the executor goes on.
 */
public interface RangeExecutor {

    /** Runs {@code task} on the range's thread. */
    void execute(Runnable task);

    /** Runs {@code task} on the range's thread after {@code delayMillis}. */
    void schedule(Runnable task, long delayMillis);

    /** Runs {@code task} every {@code periodMillis}, the first time after {@code initialMillis}. */
    void scheduleWithFixedDelay(Runnable task, long initialMillis, long periodMillis);

    /** Stops running tasks; waits for none. */
    void shutdown();

    /** A daemon thread named {@code name}. */
    static RangeExecutor thread(String name) {
        Logger log = LoggerFactory.getLogger(RangeExecutor.class);
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return new RangeExecutor() {
            private Runnable guarded(Runnable task) {
                return () -> {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        log.error("{}: task failed", name, e);
                    }
                };
            }

            @Override
            public void execute(Runnable task) {
                try {
                    executor.execute(guarded(task));
                } catch (RejectedExecutionException e) {
                    log.debug("{} stopped; dropping a task", name);
                }
            }

            @Override
            public void schedule(Runnable task, long delayMillis) {
                try {
                    executor.schedule(guarded(task), delayMillis, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    log.debug("{} stopped; dropping a task", name);
                }
            }

            @Override
            public void scheduleWithFixedDelay(Runnable task, long initialMillis, long periodMillis) {
                try {
                    executor.scheduleWithFixedDelay(guarded(task), initialMillis, periodMillis, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    log.debug("{} stopped; dropping a task", name);
                }
            }

            @Override
            public void shutdown() {
                executor.shutdownNow();
            }
        };
    }
}
