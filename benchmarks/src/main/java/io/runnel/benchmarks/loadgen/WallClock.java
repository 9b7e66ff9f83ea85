package io.runnel.benchmarks.loadgen;

/**
 * Microseconds since the epoch with {@link System#nanoTime()} resolution: anchored once to the wall
 * clock, then advanced by the monotonic clock. Producer and consumer in one JVM share the anchor, so
 * produce-to-consume latency is exact there; across processes it is as good as the clocks agree.
 */
public final class WallClock {
    private static final long ANCHOR_NANOS = System.nanoTime();
    private static final long ANCHOR_MICROS = System.currentTimeMillis() * 1000L;

    private WallClock() {
    }

    public static long nowMicros() {
        return ANCHOR_MICROS + (System.nanoTime() - ANCHOR_NANOS) / 1000L;
    }

    /** The wall-clock time in microseconds of a {@link System#nanoTime()} reading. */
    public static long microsAt(long nanoTime) {
        return ANCHOR_MICROS + (nanoTime - ANCHOR_NANOS) / 1000L;
    }
}
