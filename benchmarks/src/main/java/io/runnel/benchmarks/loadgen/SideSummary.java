package io.runnel.benchmarks.loadgen;

import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Measured results of one side (produce or consume) of a run.
 *
 * @param side              {@code produce} or {@code consume}
 * @param seconds           length of the measured window
 * @param events            events acknowledged (produce) or received (consume) in it
 * @param requests          successful requests (produce) or answered polls (consume)
 * @param bytes             event bytes (MB/s counts these, not HTTP framing)
 * @param eventsPerSecond   events / seconds
 * @param requestsPerSecond requests / seconds
 * @param megabytesPerSecond bytes / seconds / 10⁶
 * @param latencyFrom       where latency counts from: {@code intended send}, {@code actual send} or
 *                          {@code produce ts}
 * @param latencySamples    samples in the histogram
 * @param p50Ms             median latency in ms
 * @param p99Ms             99th percentile in ms
 * @param p999Ms            99.9th percentile in ms
 * @param maxMs             largest latency in ms
 * @param errors            errors by kind
 * @param backlogEvents     consume only: events produced before the run (no latency recorded)
 * @param duplicateEvents   consume only: events delivered again (at least once), not counted in {@code events}
 */
public record SideSummary(
        String side,
        double seconds,
        long events,
        long requests,
        long bytes,
        double eventsPerSecond,
        double requestsPerSecond,
        double megabytesPerSecond,
        String latencyFrom,
        long latencySamples,
        double p50Ms,
        double p99Ms,
        double p999Ms,
        double maxMs,
        Map<String, Long> errors,
        long backlogEvents,
        long duplicateEvents) {

    /** Summarises a phase's counters over {@code seconds}; latencies in the histogram are in µs. */
    public static SideSummary of(String side, PhaseStats stats, double seconds, Histogram latency, String latencyFrom,
            long backlogEvents) {
        double s = Math.max(seconds, 1e-9);
        boolean any = latency.getTotalCount() > 0;
        return new SideSummary(side, seconds, stats.events(), stats.requests(), stats.bytes(),
                stats.events() / s, stats.requests() / s, stats.bytes() / s / 1e6,
                latencyFrom, latency.getTotalCount(),
                any ? ms(latency.getValueAtPercentile(50)) : 0,
                any ? ms(latency.getValueAtPercentile(99)) : 0,
                any ? ms(latency.getValueAtPercentile(99.9)) : 0,
                any ? ms(latency.getMaxValue()) : 0,
                stats.errors(), backlogEvents, 0);
    }

    /** The same summary with {@code n} duplicate deliveries. */
    public SideSummary withDuplicates(long n) {
        return new SideSummary(side, seconds, events, requests, bytes, eventsPerSecond, requestsPerSecond,
                megabytesPerSecond, latencyFrom, latencySamples, p50Ms, p99Ms, p999Ms, maxMs, errors, backlogEvents, n);
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }
}
