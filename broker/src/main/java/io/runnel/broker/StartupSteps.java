package io.runnel.broker;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker's start as a list of named steps (as Zeebe starts its broker), each of which may leave something to
 * undo; {@link #shutdown} undoes them in reverse order, also when a later step failed. A step's name appears in
 * the log when it starts and when undoing it fails.
 */
final class StartupSteps {
    private static final Logger log = LoggerFactory.getLogger(StartupSteps.class);

    /** A step's work: returns what undoes it, or {@code null} for nothing. */
    @FunctionalInterface
    interface Step {
        AutoCloseable start() throws Exception;
    }

    private record Started(String name, AutoCloseable undo) {
    }

    private final Deque<Started> started = new ArrayDeque<>();

    /**
     * Runs a step now.
     *
     * @throws RuntimeException the step's failure (what started before stays started: call {@link #shutdown})
     */
    void run(String name, Step step) {
        Objects.requireNonNull(name, "name");
        log.debug("starting: {}", name);
        AutoCloseable undo;
        try {
            undo = step.start();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(name + " failed to start: " + e.getMessage(), e);
        }
        if (undo != null) {
            started.push(new Started(name, undo));
        }
    }

    /** Undoes every step that started, last first; a failure is logged and the others still run. Idempotent. */
    void shutdown() {
        Started s;
        while ((s = started.poll()) != null) {
            try {
                s.undo().close();
            } catch (Exception e) {
                log.warn("stopping {} failed", s.name(), e);
            }
        }
    }
}
