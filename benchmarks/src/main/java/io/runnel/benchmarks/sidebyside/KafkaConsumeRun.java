package io.runnel.benchmarks.sidebyside;

import io.runnel.benchmarks.loadgen.Deliveries;
import io.runnel.benchmarks.loadgen.PhaseStats;
import io.runnel.benchmarks.loadgen.RunResult;
import io.runnel.benchmarks.loadgen.SideSummary;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Reads {@code --events} records from the start of a topic with {@code --consumers} consumers of a new group,
 * as {@code loadgen consume --events N --warmup 0} does on Runnel: records are counted exactly (each partition
 * and offset once), and the rate is over the time from the first record to the last, as
 * {@code kafka-consumer-perf-test} reports its fetch rate (the group's join before the first record is printed
 * apart).
 */
final class KafkaConsumeRun {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long GIVE_UP_NANOS = TimeUnit.MINUTES.toNanos(10);

    private final KafkaBenchOptions o;
    private final PrintStream out;

    KafkaConsumeRun(KafkaBenchOptions options, PrintStream out) {
        this.o = options;
        this.out = out;
    }

    RunResult run() throws InterruptedException {
        Deliveries d = new Deliveries();
        long cpu0 = processCpuNanos();
        long start = System.nanoTime();
        d.schedule(start, start);
        out.printf(Locale.ROOT, "kafka-bench: consume %,d records of %s from the start, %d consumers in group %s%n",
                o.events(), o.topic(), o.consumers(), o.group());
        KafkaConsumers consumers = new KafkaConsumers(o.bootstrap(), o.topic(), o.group(), o.consumers(), "earliest", d);
        consumers.start();
        long tick = start + SECOND;
        long last = 0;
        while (d.distinct() < o.events()) {
            long now = System.nanoTime();
            if (now - start > GIVE_UP_NANOS) {
                out.println("warning: not every record arrived within 10 minutes; stopping");
                break;
            }
            if (now >= tick) {
                long n = d.distinct();
                out.printf(Locale.ROOT, "%5.0fs consume %,10d records/s  total %,d  duplicates %d%n", (now - start) / 1e9,
                        n - last, n, d.duplicates());
                last = n;
                tick += SECOND;
            }
            Thread.sleep(5);
        }
        consumers.close();
        double clientCpu = (processCpuNanos() - cpu0) / Math.max(1.0, System.nanoTime() - start);
        long first = d.firstDistinctNanos();
        double seconds = first == Long.MAX_VALUE ? 0 : Math.max(0, d.lastDistinctNanos() - first) / 1e9;
        if (first != Long.MAX_VALUE) {
            out.printf(Locale.ROOT, "first record %.2f s after start (group join and first fetch)%n", (first - start) / 1e9);
        }
        PhaseStats m = d.measuredStats();
        m.drainInterval();
        SideSummary consume = SideSummary.of("consume", m, seconds, m.total(), "produce ts", d.backlogEvents())
                .withDuplicates(d.duplicates());
        return new RunResult(KafkaBench.settings(o), "kafka-clients", clientCpu, null, consume);
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }
}
