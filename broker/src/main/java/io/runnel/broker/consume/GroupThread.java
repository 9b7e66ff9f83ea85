package io.runnel.broker.consume;

import io.runnel.broker.common.Futures;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads of the consumer groups: the single {@code runnel-consumer-groups} thread that owns every group's
 * state, and the small {@code runnel-poll} pool that reads chunks and completes polls (so that callers encode
 * answers there). Tasks queued after {@link #close} are dropped.
 */
final class GroupThread {
    private static final Logger log = LoggerFactory.getLogger(GroupThread.class);
    private static final int POLL_THREADS = 2;

    private final ScheduledThreadPoolExecutor thread;
    private final ExecutorService pollPool;
    private volatile boolean closed;

    GroupThread() {
        this.thread = new ScheduledThreadPoolExecutor(1, daemonThreads("runnel-consumer-groups", false));
        this.thread.setRemoveOnCancelPolicy(true);
        this.thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.pollPool = Executors.newFixedThreadPool(POLL_THREADS, daemonThreads("runnel-poll", true));
    }

    boolean closed() {
        return closed;
    }

    /** Runs {@code task} on the group thread; dropped once closed (close answers every pending poll itself). */
    void execute(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException e) {
            log.debug("consumer service closed; dropping a task");
        }
    }

    /** This executor, for {@code *Async} stages. */
    Executor executor() {
        return this::execute;
    }

    /** The poll pool. */
    Executor pollPool() {
        return pollPool;
    }

    ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        return thread.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, long periodMillis) {
        return thread.scheduleWithFixedDelay(task, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** Completes {@code result} on the poll pool (or here, if it stopped), so the caller's callback runs there. */
    <T> void deliver(CompletableFuture<T> future, T result, Throwable error) {
        Runnable complete = () -> {
            if (error != null) {
                future.completeExceptionally(error);
            } else {
                future.complete(result);
            }
        };
        try {
            pollPool.execute(complete);
        } catch (RejectedExecutionException e) {
            complete.run();
        }
    }

    /** Runs {@code task} on the group thread; its exceptions complete {@code future}. */
    void submit(CompletableFuture<?> future, Runnable task) {
        if (closed) {
            future.completeExceptionally(closedException());
            return;
        }
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (Throwable t) {
                    future.completeExceptionally(t);
                    if (!(t instanceof io.runnel.broker.common.RunnelException)) {
                        log.error("consumer group task failed", t);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(closedException());
        }
    }

    /** The value of {@code q}, computed on the group thread. */
    <T> CompletableFuture<T> query(Supplier<T> q) {
        CompletableFuture<T> future = new CompletableFuture<>();
        submit(future, () -> future.complete(q.get()));
        return future;
    }

    /** Completes {@code target} like {@code source}, on the group thread (off the store's writer thread). */
    <T> void completeHere(CompletableFuture<T> source, CompletableFuture<T> target) {
        source.whenComplete((v, e) -> {
            Runnable complete = () -> {
                if (e != null) {
                    target.completeExceptionally(Futures.unwrap(e));
                } else {
                    target.complete(v);
                }
            };
            try {
                thread.execute(complete);
            } catch (RejectedExecutionException rejected) {
                complete.run();
            }
        });
    }

    /** Runs {@code last} on the group thread (waiting up to 5 s), then stops both pools. */
    void close(Runnable last) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            thread.submit(last).get(5, TimeUnit.SECONDS);
        } catch (RejectedExecutionException | ExecutionException | TimeoutException e) {
            log.warn("could not answer pending polls on close", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.shutdown();
        pollPool.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS) || !pollPool.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("consumer service threads did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static IllegalStateException closedException() {
        return new IllegalStateException("consumer service is closed");
    }

    private static ThreadFactory daemonThreads(String name, boolean numbered) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, numbered ? name + "-" + n.incrementAndGet() : name);
            t.setDaemon(true);
            return t;
        };
    }
}
