package io.runnel.broker.bridge;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bridge on this broker: its definition, whether it is paused, its counters, and (while it runs)
 * its worker thread. Changed only by {@link BridgeManager} under its lock; read by any thread.
 */
final class Bridge {
    private static final Logger log = LoggerFactory.getLogger(Bridge.class);
    private static final Duration INTERRUPT_WAIT = Duration.ofSeconds(5);

    private final BridgeDefinition definition;
    private final BridgeStats stats;
    private volatile boolean paused;
    private volatile BridgeWorker worker;
    private volatile Thread thread;

    Bridge(BridgeDefinition definition, BridgeStats stats, boolean paused) {
        this.definition = definition;
        this.stats = stats;
        this.paused = paused;
    }

    BridgeDefinition definition() {
        return definition;
    }

    BridgeStats stats() {
        return stats;
    }

    boolean paused() {
        return paused;
    }

    void paused(boolean paused) {
        this.paused = paused;
    }

    /** Starts the worker on its own (daemon) thread. */
    void start(BridgeWorker w) {
        worker = w;
        Thread t = new Thread(w, "runnel-bridge-" + definition.name());
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** Asks the worker to stop, without waiting. */
    void requestStop() {
        BridgeWorker w = worker;
        if (w != null) {
            w.requestStop();
        }
    }

    /**
     * Waits for the worker to end: up to {@code grace}, then interrupts it (aborting a blocked Kafka
     * call) and waits a little more.
     */
    void awaitStopped(Duration grace) {
        Thread t = thread;
        if (t == null) {
            return;
        }
        try {
            t.join(grace);
            if (t.isAlive()) {
                log.warn("bridge {} did not stop within {} s; interrupting it", definition.name(), grace.toSeconds());
                t.interrupt();
                t.join(INTERRUPT_WAIT);
            }
            if (t.isAlive()) {
                log.warn("bridge {} still runs; leaving its daemon thread behind", definition.name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread = null;
        worker = null;
    }

    void stop(Duration grace) {
        requestStop();
        awaitStopped(grace);
    }

    /** Whether a worker was started and not stopped since (it may be backing off after a failure). */
    boolean started() {
        return thread != null;
    }

    boolean running() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    BridgeState state() {
        if (paused) {
            return BridgeState.PAUSED;
        }
        if (!running()) {
            return BridgeState.STOPPED;
        }
        return stats.failing() ? BridgeState.FAILING : BridgeState.RUNNING;
    }
}
