package io.runnel.benchmarks.loadgen;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Runs producers and/or consumers as the options say, prints a progress line every second and
 * returns the measured results. The calling thread does the reporting.
 */
public final class LoadRun {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final LoadOptions options;
    private final PrintStream out;

    public LoadRun(LoadOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public RunResult run() throws InterruptedException {
        ClientTransport producerTransport = options.produce()
                ? new ClientTransport(options.ioThreads(), "loadgen-produce").secured(options.tls(), options.apiKey()) : null;
        ClientTransport consumerTransport = options.consume()
                ? new ClientTransport(1, "loadgen-consume").secured(options.tls(), options.apiKey()) : null;
        ProduceDriver producer = producerTransport == null ? null : new ProduceDriver(options, producerTransport);
        ConsumeDriver consumer = consumerTransport == null ? null : new ConsumeDriver(options, consumerTransport);
        try {
            return run(producer, consumer, (producerTransport != null ? producerTransport : consumerTransport).epoll());
        } finally {
            if (producer != null) {
                producer.stop();
                producer.close();
            }
            if (consumer != null) {
                consumer.stop();
                consumer.close();
            }
            if (producerTransport != null) {
                producerTransport.close();
            }
            if (consumerTransport != null) {
                consumerTransport.close();
            }
        }
    }

    private RunResult run(ProduceDriver producer, ConsumeDriver consumer, boolean epoll) throws InterruptedException {
        long cpuAtStart = processCpuNanos();
        long wallAtStart = System.nanoTime();
        if (consumer != null) {
            // Consumers join first so that a group starting from the latest offset sees the whole run.
            consumer.start();
            if (!consumer.awaitRegistered(Duration.ofSeconds(10))) {
                out.println("warning: not every consumer registered within 10 s; starting anyway");
            }
        }
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        long measureStart = start + options.warmup().toNanos();
        long end = options.duration() != null ? measureStart + options.duration().toNanos() : Long.MAX_VALUE;
        if (consumer != null) {
            consumer.schedule(start, measureStart);
        }
        if (producer != null) {
            producer.start(start, measureStart, end);
        }
        out.printf(Locale.ROOT, "loadgen: %s%s, %s, %s%n",
                producer != null ? "produce to " + options.brokers() : "",
                consumer != null ? (producer != null ? " + " : "") + options.consumers() + " consumer(s) on "
                        + options.consumerBrokers() : "",
                epoll ? "epoll" : "nio",
                options.duration() != null
                        ? fmtSeconds(options.warmup()) + " warmup + " + fmtSeconds(options.duration())
                        : options.events() + " events after " + fmtSeconds(options.warmup()) + " warmup");

        Progress progress = new Progress(producer, consumer, start, measureStart);
        long tick = start + SECOND;
        long producerEnd = 0;
        long drainDeadline = Long.MAX_VALUE;
        while (true) {
            long now = System.nanoTime();
            if (now >= tick) {
                progress.print(now);
                tick += SECOND;
                continue;
            }
            if (producer != null) {
                if (producerEnd == 0 && producer.isDone()) {
                    producerEnd = now;
                    drainDeadline = now + options.drain().toNanos();
                }
                if (producerEnd == 0 && end != Long.MAX_VALUE && now > end + options.requestTimeout().toNanos() + SECOND) {
                    out.println("warning: requests still unanswered after the request timeout; stopping");
                    producer.stop();
                    producerEnd = now;
                    drainDeadline = now;
                }
                if (producerEnd != 0 && (consumer == null || consumer.deliveries().runEvents() >= producer.ackedEvents()
                        || now >= drainDeadline)) {
                    break;
                }
            } else if (end != Long.MAX_VALUE ? now >= end : consumer.deliveries().distinct() >= options.events()) {
                // --events when only consuming: every distinct event received counts, warmup included.
                break;
            }
            long sleep = Math.min(tick - now, TimeUnit.MILLISECONDS.toNanos(10));
            TimeUnit.NANOSECONDS.sleep(sleep);
        }
        long stopped = System.nanoTime();
        if (consumer != null) {
            consumer.stop();
            consumer.awaitDone(Duration.ofMillis(options.pollTimeoutMillis()).plusSeconds(5));
        }
        long last = System.nanoTime();
        if (last - progress.lastNanos >= SECOND / 2) {
            progress.print(last);
        }
        double clientCpu = (processCpuNanos() - cpuAtStart) / Math.max(1.0, last - wallAtStart);

        SideSummary produce = null;
        if (producer != null) {
            PhaseStats m = producer.measuredStats();
            m.drainInterval();
            double seconds = options.duration() != null
                    ? options.duration().toNanos() / 1e9
                    : Math.max(0, producer.lastMeasuredAnswerNanos() - measureStart) / 1e9;
            produce = SideSummary.of("produce", m, seconds, m.total(),
                    options.fixedRate() ? "intended send" : "actual send", 0);
        }
        SideSummary consume = null;
        if (consumer != null) {
            Deliveries d = consumer.deliveries();
            PhaseStats m = d.measuredStats();
            m.drainInterval();
            // With --events (only consuming) the window is from the first event to the last, as Kafka's
            // consumer-perf-test times its fetches, not to when the reporter noticed the last one.
            boolean toLast = producer == null && end == Long.MAX_VALUE && d.lastDistinctNanos() > 0;
            long windowStart = toLast ? Math.max(measureStart, d.firstDistinctNanos()) : measureStart;
            long windowEnd = toLast ? d.lastDistinctNanos() : stopped;
            double seconds = Math.max(0, windowEnd - windowStart) / 1e9;
            consume = SideSummary.of("consume", m, seconds, m.total(), "produce ts", d.backlogEvents())
                    .withDuplicates(d.duplicates());
        }
        return new RunResult(settings(), epoll ? "epoll" : "nio", clientCpu, produce, consume);
    }

    /** CPU time of this whole process (the load generator itself), or 0 where the JVM cannot tell. */
    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }

    private Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        if (options.produce()) {
            s.put("brokers", options.brokers().toString());
            s.put("connections", options.connections());
            s.put("batch", options.batch());
            s.put("size", options.eventSize());
            s.put("keys", options.keys());
            s.put("rate", options.rate());
            s.put("ioThreads", options.ioThreads());
        }
        s.put("topic", options.topic());
        s.put("durationSeconds", options.duration() == null ? null : options.duration().toNanos() / 1e9);
        s.put("events", options.events());
        s.put("warmupSeconds", options.warmup().toNanos() / 1e9);
        if (options.consume()) {
            s.put("consumers", options.consumers());
            s.put("group", options.group());
            s.put("consumerBrokers", options.consumerBrokers().toString());
            s.put("pollTimeoutMillis", options.pollTimeoutMillis());
            s.put("maxBytes", options.maxBytes());
        }
        return s;
    }

    /**
     * The per-second line: rates over the last second, p99 of the current phase so far, and the
     * largest latency of the last second (stalls show there first).
     */
    private final class Progress {
        final ProduceDriver producer;
        final ConsumeDriver consumer;
        final long start;
        final long measureStart;
        long lastNanos;
        long lastProduced;
        long lastRequests;
        long lastBytes;
        long lastConsumed;

        Progress(ProduceDriver producer, ConsumeDriver consumer, long start, long measureStart) {
            this.producer = producer;
            this.consumer = consumer;
            this.start = start;
            this.measureStart = measureStart;
            this.lastNanos = start;
        }

        void print(long now) {
            double dt = Math.max(1e-9, (now - lastNanos) / 1e9);
            boolean warm = now < measureStart;
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%7.1fs %s",
                    (now - start) / 1e9, warm ? "warmup " : "       "));
            if (producer != null) {
                PhaseStats w = producer.warmupStats();
                PhaseStats m = producer.measuredStats();
                long events = w.events() + m.events();
                long requests = w.requests() + m.requests();
                long bytes = w.bytes() + m.bytes();
                Histogram interval = w.drainInterval();
                interval.add(m.drainInterval());
                Histogram h = warm ? w.total() : m.total();
                line.append(String.format(Locale.ROOT, " produce %,10.0f ev/s %,8.0f req/s %7.1f MB/s  p99 %s  max %s  err %d",
                        (events - lastProduced) / dt, (requests - lastRequests) / dt, (bytes - lastBytes) / dt / 1e6,
                        p99(h), max(interval), w.errorCount() + m.errorCount()));
                lastProduced = events;
                lastRequests = requests;
                lastBytes = bytes;
            }
            if (consumer != null) {
                PhaseStats w = consumer.deliveries().warmupStats();
                PhaseStats m = consumer.deliveries().measuredStats();
                long events = w.events() + m.events();
                Histogram interval = w.drainInterval();
                interval.add(m.drainInterval());
                Histogram h = warm ? w.total() : m.total();
                line.append(String.format(Locale.ROOT, "%s consume %,10.0f ev/s  e2e p99 %s  max %s  err %d",
                        producer != null ? "  |" : "", (events - lastConsumed) / dt, p99(h), max(interval),
                        w.errorCount() + m.errorCount()));
                lastConsumed = events;
            }
            lastNanos = now;
            out.println(line);
        }

        private String max(Histogram h) {
            return h.getTotalCount() == 0 ? "     - ms" : String.format(Locale.ROOT, "%6.1f ms", h.getMaxValue() / 1000.0);
        }

        private String p99(Histogram h) {
            return h.getTotalCount() == 0 ? "     - ms" : String.format(Locale.ROOT, "%6.1f ms", h.getValueAtPercentile(99) / 1000.0);
        }
    }

    private static String fmtSeconds(Duration d) {
        return String.format(Locale.ROOT, "%.3gs", d.toNanos() / 1e9);
    }

    /** Prints the final table. */
    public static void printTable(RunResult r, PrintStream out) {
        out.println();
        out.printf(Locale.ROOT, "load generator CPU: %.2f cores on average (%s transport)%n", r.clientCpuCores(), r.transport());
        for (SideSummary s : new SideSummary[] {r.produce(), r.consume()}) {
            if (s == null) {
                continue;
            }
            out.printf(Locale.ROOT, "== %s (%.1f s measured) ==%n", s.side(), s.seconds());
            out.printf(Locale.ROOT, "  events       %,15d   %,12.0f /s%n", s.events(), s.eventsPerSecond());
            out.printf(Locale.ROOT, "  %-12s %,15d   %,12.0f /s%n",
                    s.side().equals("produce") ? "requests" : "polls", s.requests(), s.requestsPerSecond());
            out.printf(Locale.ROOT, "  throughput   %,15.1f MB/s (event bytes)%n", s.megabytesPerSecond());
            out.printf(Locale.ROOT, "  latency (ms, from %s, %,d samples)%n", s.latencyFrom(), s.latencySamples());
            out.printf(Locale.ROOT, "    p50 %9.2f   p99 %9.2f   p99.9 %9.2f   max %9.2f%n",
                    s.p50Ms(), s.p99Ms(), s.p999Ms(), s.maxMs());
            if (s.side().equals("consume") && s.backlogEvents() > 0) {
                out.printf(Locale.ROOT, "  backlog      %,15d events produced before this run%n", s.backlogEvents());
            }
            if (s.side().equals("consume") && s.duplicateEvents() > 0) {
                out.printf(Locale.ROOT, "  duplicates   %,15d events delivered again (not counted above)%n", s.duplicateEvents());
            }
            out.println("  errors       " + (s.errors().isEmpty() ? "none" : s.errors()));
        }
    }
}
