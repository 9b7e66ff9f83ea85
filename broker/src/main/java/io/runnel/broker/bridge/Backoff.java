package io.runnel.broker.bridge;

import java.time.Duration;

/** Exponential backoff between a failing bridge's attempts: 1 s, 2 s, 4 s ... up to a cap. Not thread-safe. */
final class Backoff {
    private final long initialMillis;
    private final long maxMillis;
    private long nextMillis;

    Backoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, not " + initial + ", " + max);
        }
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.nextMillis = initialMillis;
    }

    /** The wait before the next attempt; each call doubles the following one, up to the cap. */
    long nextMillis() {
        long wait = nextMillis;
        nextMillis = Math.min(maxMillis, nextMillis * 2);
        return wait;
    }

    /** After a success: the next failure waits the initial time again. */
    void reset() {
        nextMillis = initialMillis;
    }
}
