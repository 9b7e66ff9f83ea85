package io.runnel.benchmarks.loadgen;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counters and a latency recorder for one phase (warmup or measured) of one side (produce or
 * consume). Safe to update from any thread; latencies are in microseconds.
 */
public final class PhaseStats {
    private final LongAdder requests = new LongAdder();
    private final LongAdder events = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Recorder latency = new Recorder(3);
    /** Everything taken out of {@link #latency} so far; touched only by the reporting thread. */
    private final Histogram total = new Histogram(3);

    /** Counts a successful request that carried {@code events} events of {@code bytes} bytes. */
    public void success(int events, long bytes, long latencyNanos) {
        requests.increment();
        this.events.add(events);
        this.bytes.add(bytes);
        if (latencyNanos >= 0) {
            latency.recordValue(Math.max(1, latencyNanos / 1000));
        }
    }

    /** Counts events that arrived without a request of their own (a poll carries many). */
    public void received(int events, long bytes) {
        this.events.add(events);
        this.bytes.add(bytes);
    }

    /** Counts a request (e.g. a poll) without events. */
    public void request() {
        requests.increment();
    }

    /** Records one latency sample without counting anything else. */
    public void latencyMicros(long micros) {
        latency.recordValue(Math.max(1, micros));
    }

    public void error(String kind) {
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    public long requests() {
        return requests.sum();
    }

    public long events() {
        return events.sum();
    }

    public long bytes() {
        return bytes.sum();
    }

    public long errorCount() {
        return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Errors by kind ({@code HTTP 503}, {@code timeout}, {@code connect}, {@code closed}), sorted. */
    public Map<String, Long> errors() {
        Map<String, Long> m = new TreeMap<>();
        errors.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /**
     * Moves the latencies recorded since the last call into the total and returns them. Only one
     * thread (the reporter) may call this.
     */
    public synchronized Histogram drainInterval() {
        Histogram interval = latency.getIntervalHistogram();
        total.add(interval);
        return interval;
    }

    /** All latencies drained so far; drain once more first for a final figure. */
    public synchronized Histogram total() {
        return total.copy();
    }
}
