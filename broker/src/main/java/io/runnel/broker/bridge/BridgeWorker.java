package io.runnel.broker.bridge;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop of one bridge, run on its own thread: open a session (Kafka clients, Runnel consumer),
 * run steps (one poll moved and acknowledged each) until something fails, close the session, wait
 * with exponential backoff (1 s doubling to 30 s) and start over. Each session resumes from the
 * committed progress, so a failure costs at most re-sending the batch it interrupted.
 *
 * <p>{@link #requestStop()} may be called from any thread; the loop then ends at the next step
 * boundary or wait, closes its clients and returns. A worker that does not end within its grace time
 * is interrupted by {@link Bridge}.
 */
abstract class BridgeWorker implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(BridgeWorker.class);
    static final Duration INITIAL_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    protected final BridgeDefinition definition;
    protected final BridgeStats stats;
    protected final BridgeServices services;
    private final CompletableFuture<Void> stopSignal = new CompletableFuture<>();
    private final Backoff backoff;
    private volatile boolean stopping;

    BridgeWorker(BridgeDefinition definition, BridgeStats stats, BridgeServices services, Backoff backoff) {
        this.definition = definition;
        this.stats = stats;
        this.services = services;
        this.backoff = backoff;
    }

    /** Connects: creates the clients and checks the topics. */
    protected abstract void openSession() throws Exception;

    /** Moves one poll's worth of events and commits it; returns quickly when there is nothing. */
    protected abstract void step() throws Exception;

    /** Releases the session's clients; must not throw. */
    protected abstract void closeSession();

    /** Called by {@link #requestStop()} on the caller's thread: wake the worker's blocking calls. */
    protected void onStopRequested() {
    }

    @Override
    public final void run() {
        log.info("{} starting", definition);
        while (!stopping) {
            try {
                openSession();
                while (!stopping) {
                    step();
                    stats.succeeded();
                    backoff.reset();
                }
            } catch (Throwable t) {
                if (stopping || isStopSignal(t)) {
                    break;
                }
                String message = KafkaProblems.describe(definition, t);
                stats.failed(message);
                log.warn("bridge {} failing (retrying with backoff): {}", definition.name(), message);
                log.debug("bridge {} failure", definition.name(), t);
            } finally {
                closeQuietly();
            }
            if (!stopping) {
                pause(backoff.nextMillis());
            }
        }
        log.info("bridge {} stopped", definition.name());
    }

    /** Asks the loop to end; idempotent, any thread. */
    final void requestStop() {
        stopping = true;
        stopSignal.complete(null);
        try {
            onStopRequested();
        } catch (RuntimeException e) {
            log.debug("waking bridge {} failed", definition.name(), e);
        }
    }

    final boolean stopping() {
        return stopping;
    }

    /**
     * Waits for {@code future}, but no longer than {@code max} and not past a stop request.
     *
     * @throws BridgeStopped when a stop was requested first
     * @throws BridgeFailure when {@code max} passed
     * @throws Exception     the future's own failure (unwrapped)
     */
    protected final <T> T await(CompletableFuture<T> future, Duration max, String what) throws Exception {
        try {
            CompletableFuture.anyOf(future, stopSignal).get(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new BridgeFailure(what + " did not complete within " + max.toSeconds() + " s");
        } catch (ExecutionException e) {
            // anyOf failed: the future failed (the stop signal never fails).
        }
        if (!future.isDone()) {
            throw new BridgeStopped();
        }
        try {
            return future.join();
        } catch (CompletionException | CancellationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }

    /**
     * Waits for {@code future} even when a stop was requested: for short local steps (a Runnel commit
     * or append) whose completion spares re-sending a whole batch after the restart.
     *
     * @throws BridgeFailure when {@code max} passed
     * @throws Exception     the future's own failure (unwrapped)
     */
    protected static <T> T awaitEvenIfStopping(CompletableFuture<T> future, Duration max, String what) throws Exception {
        try {
            return future.get(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new BridgeFailure(what + " did not complete within " + max.toSeconds() + " s");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof Exception ex ? ex : e;
        }
    }

    private void pause(long millis) {
        try {
            stopSignal.get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // the backoff passed: try again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    private void closeQuietly() {
        // Kafka clients refuse to close cleanly from an interrupted thread.
        boolean interrupted = Thread.interrupted();
        try {
            closeSession();
        } catch (RuntimeException e) {
            log.warn("closing bridge {} failed", definition.name(), e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
    }

    private static boolean isStopSignal(Throwable t) {
        return t instanceof BridgeStopped || t instanceof InterruptedException || t instanceof InterruptException
                || t instanceof WakeupException;
    }

    /** The worker noticed a stop request while waiting. */
    static final class BridgeStopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BridgeStopped() {
            super("bridge stopping", null, false, false);
        }
    }
}
