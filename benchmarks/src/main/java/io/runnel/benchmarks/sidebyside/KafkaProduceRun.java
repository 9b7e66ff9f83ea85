package io.runnel.benchmarks.sidebyside;

import io.runnel.benchmarks.loadgen.Deliveries;
import io.runnel.benchmarks.loadgen.EventGenerator;
import io.runnel.benchmarks.loadgen.LoadOptions;
import io.runnel.benchmarks.loadgen.PhaseStats;
import io.runnel.benchmarks.loadgen.RunResult;
import io.runnel.benchmarks.loadgen.SideSummary;
import io.runnel.benchmarks.loadgen.WallClock;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/*
 * The Kafka twin of the load generator's ProduceDriver. A "request" is `batch` records with one key
 * (the events of one Runnel request); it is acknowledged when the callback of its last record has
 * run (acks=all: every in-sync replica has it). Each lane keeps one request in flight, so the same
 * number of events is in flight as with the same number of Runnel connections. At a fixed rate request
 * i is due at measureStart + i*batch/rate and its latency counts from then (no coordinated
 * omission); at full speed from the first send() call.
 */
/**
 * Runs the producer side of the Kafka benchmark and returns the load generator's result type; with
 * {@code --consumers}, also consumers that read what it produces (end-to-end latency, as the load generator's
 * {@code produce consume}).
 */
public final class KafkaProduceRun {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final KafkaBenchOptions o;
    private final PrintStream out;
    private final EventGenerator generator;
    private final byte[][] keys;
    private final PhaseStats warmup = new PhaseStats();
    private final PhaseStats measured = new PhaseStats();
    private final Deliveries deliveries = new Deliveries();
    private final AtomicLong claims = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong lastAnswer = new AtomicLong();
    private final long intervalNanos;
    private volatile boolean stopping;

    public KafkaProduceRun(KafkaBenchOptions options, PrintStream out) {
        this.o = options;
        this.out = out;
        this.generator = new EventGenerator(o.eventSize(), o.keys() > 0 ? LoadOptions.maxKeyLength(o.keys()) : 0);
        this.keys = new byte[Math.max(1, o.keys())][];
        for (int k = 0; k < o.keys(); k++) {
            keys[k] = LoadOptions.key(k).getBytes(StandardCharsets.US_ASCII);
        }
        this.intervalNanos = o.rate() > 0 ? Math.max(1, Math.round(o.batch() * 1e9 / o.rate())) : 0;
    }

    private KafkaProducer<byte[], byte[]> producer(int i) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrap());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "side-by-side-" + i);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, o.lingerMs());
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, o.batchBytes());
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new KafkaProducer<>(p);
    }

    /** Runs warmup and measurement, then closes the producers. */
    public RunResult run() throws InterruptedException {
        List<KafkaProducer<byte[], byte[]>> producers = new ArrayList<>();
        for (int i = 0; i < o.producers(); i++) {
            producers.add(producer(i));
        }
        // Fetch metadata before the clock starts, so the first requests do not wait for it.
        int partitions = 0;
        for (KafkaProducer<byte[], byte[]> p : producers) {
            partitions = p.partitionsFor(o.topic()).size();
        }
        long cpu0 = processCpuNanos();
        KafkaConsumers consumers = null;
        if (o.consumers() > 0) {
            // They join first and start at the log end, so they read exactly what this run produces.
            consumers = new KafkaConsumers(o.bootstrap(), o.topic(), o.group(), o.consumers(), "latest", deliveries);
            consumers.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (consumers.assignedPartitions() < partitions && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (consumers.assignedPartitions() < partitions) {
                out.println("warning: the consumers hold " + consumers.assignedPartitions() + " of " + partitions
                        + " partitions after 60 s; starting anyway");
            }
        }
        long wall0 = System.nanoTime();
        long start = wall0 + TimeUnit.MILLISECONDS.toNanos(20);
        long measureStart = start + o.warmup().toNanos();
        // With --events the lanes stop once that many records are claimed (a fill for the read benchmark).
        long end = o.events() > 0 ? Long.MAX_VALUE : measureStart + o.duration().toNanos();
        deliveries.schedule(start, measureStart);
        out.printf(Locale.ROOT, "kafka-bench: produce to %s topic %s, %d lanes on %d producers, %s, %.0f s warmup + %.0f s%n",
                o.bootstrap(), o.topic(), o.connections(), o.producers(),
                o.rate() > 0 ? "rate " + o.rate() + " events/s" : "full speed", o.warmup().toNanos() / 1e9,
                o.duration().toNanos() / 1e9);
        List<Thread> lanes = new ArrayList<>();
        for (int i = 0; i < o.connections(); i++) {
            KafkaProducer<byte[], byte[]> p = producers.get(i % producers.size());
            lanes.add(Thread.ofPlatform().name("lane-" + i).daemon().start(() -> lane(p, start, measureStart, end)));
        }
        long tick = start + SECOND;
        long lastEvents = 0;
        while (lanes.stream().anyMatch(Thread::isAlive)) {
            long now = System.nanoTime();
            if (now >= tick) {
                boolean inMeasure = now > measureStart;
                PhaseStats s = inMeasure ? measured : warmup;
                Histogram h = s.drainInterval();
                long events = warmup.events() + measured.events();
                out.printf(Locale.ROOT, "%5.0fs %s %,10d events/s  p99 %8.2f ms  max %8.2f ms  errors %d%n",
                        (now - start) / 1e9, inMeasure ? "measure" : "warmup ", events - lastEvents,
                        h.getTotalCount() > 0 ? h.getValueAtPercentile(99) / 1000.0 : 0,
                        h.getMaxValue() / 1000.0, s.errorCount());
                lastEvents = events;
                tick += SECOND;
            }
            if (end != Long.MAX_VALUE && now > end + TimeUnit.SECONDS.toNanos(60)) {
                out.println("warning: requests unanswered 60 s after the end; stopping");
                stopping = true;
                break;
            }
            Thread.sleep(10);
        }
        for (Thread t : lanes) {
            t.join(TimeUnit.SECONDS.toMillis(5));
        }
        long stopped = System.nanoTime();
        SideSummary consume = null;
        if (consumers != null) {
            long acked = warmup.events() + measured.events();
            long drainDeadline = System.nanoTime() + o.drain().toNanos();
            while (deliveries.runEvents() < acked && System.nanoTime() < drainDeadline) {
                Thread.sleep(10);
            }
            stopped = System.nanoTime();
            consumers.close();
            PhaseStats m = deliveries.measuredStats();
            m.drainInterval();
            consume = SideSummary.of("consume", m, Math.max(0, stopped - measureStart) / 1e9, m.total(), "produce ts",
                    deliveries.backlogEvents()).withDuplicates(deliveries.duplicates());
        }
        double clientCpu = (processCpuNanos() - cpu0) / Math.max(1.0, System.nanoTime() - wall0);
        for (KafkaProducer<byte[], byte[]> p : producers) {
            p.close(java.time.Duration.ofSeconds(5));
        }
        measured.drainInterval();
        double seconds = o.events() > 0 ? Math.max(0, lastAnswer.get() - measureStart) / 1e9 : o.duration().toNanos() / 1e9;
        SideSummary produce = SideSummary.of("produce", measured, seconds, measured.total(),
                o.rate() > 0 ? "intended send" : "actual send", 0);
        return new RunResult(KafkaBench.settings(o), "kafka-clients", clientCpu, produce, consume);
    }

    private void lane(KafkaProducer<byte[], byte[]> producer, long start, long measureStart, long end) {
        while (!stopping) {
            long now = System.nanoTime();
            long due;
            if (intervalNanos > 0) {
                // One schedule over warmup and measurement; a lane that is late sends at once.
                due = start + claims.getAndIncrement() * intervalNanos;
                if (due >= end) {
                    return;
                }
                while ((now = System.nanoTime()) < due) {
                    LockSupport.parkNanos(due - now);
                }
            } else {
                if (now >= end) {
                    return;
                }
                due = now;
            }
            PhaseStats stats = due >= measureStart ? measured : warmup;
            CompletableFuture<Void> acked = send(producer, stats, due, intervalNanos > 0);
            if (acked == null) {
                return; // --events reached
            }
            try {
                acked.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                stats.error("timeout");
            }
        }
    }

    private CompletableFuture<Void> send(KafkaProducer<byte[], byte[]> producer, PhaseStats stats, long due, boolean fixedRate) {
        int count = o.batch();
        long firstSeq = sequence.getAndAdd(count);
        if (o.events() > 0) {
            if (firstSeq >= o.events()) {
                return null;
            }
            count = (int) Math.min(count, o.events() - firstSeq);
        }
        int n = count;
        byte[] key = keys[(int) ((firstSeq / o.batch()) % keys.length)];
        long sent = System.nanoTime();
        long from = fixedRate ? due : sent;
        long ts = WallClock.microsAt(from); // end-to-end latency counts from here, as the load generator's
        CompletableFuture<Void> acked = new CompletableFuture<>();
        AtomicInteger remaining = new AtomicInteger(count);
        AtomicInteger failed = new AtomicInteger();
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[o.eventSize()];
            generator.writeEvent(value, 0, firstSeq + i, ts, key);
            producer.send(new ProducerRecord<>(o.topic(), key, value), (md, err) -> {
                if (err != null && failed.getAndIncrement() == 0) {
                    stats.error(err.getClass().getSimpleName());
                }
                if (remaining.decrementAndGet() == 0) {
                    long now = System.nanoTime();
                    if (failed.get() == 0) {
                        stats.success(n, (long) n * o.eventSize(), now - from);
                    }
                    lastAnswer.accumulateAndGet(now, Math::max);
                    acked.complete(null);
                }
            });
        }
        return acked;
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }
}
