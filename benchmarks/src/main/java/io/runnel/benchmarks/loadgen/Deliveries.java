package io.runnel.benchmarks.loadgen;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a delivery path (the consumers' polls; a live tail can report here the same way) received, counted
 * exactly, and the end-to-end latency of each event.
 *
 * <p><b>Exact counts.</b> Each {@code (partition, offset)} counts once. Delivery is at least once: after a
 * rebalance a partition is read again from its committed offset, so offsets below the highest one seen in
 * that partition are counted as {@link #duplicates()}, not as events. A partition is delivered in offset order
 * from wherever a read (re)starts, so this counts every offset exactly once. Events whose offset is unknown
 * ({@code -1}) count as distinct.
 *
 * <p><b>Phases.</b> Events count toward the phase they arrive in (warmup or measured), for throughput.
 * End-to-end latency is the arrival time minus the event's {@code "ts"} (the producer's intended send time at a
 * fixed rate, its actual send time at full speed); it is recorded, into the phase the event was produced in,
 * for events produced in this run; older events (or those without a {@code ts}) are counted as backlog.
 *
 * <p>Thread-safe; one partition is normally delivered by one thread at a time.
 */
public final class Deliveries {
    private final PhaseStats warmup = new PhaseStats();
    private final PhaseStats measured = new PhaseStats();
    private final LongAdder distinct = new LongAdder();
    private final LongAdder runEvents = new LongAdder();
    private final LongAdder backlog = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final AtomicLong firstDistinctNanos = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong lastDistinctNanos = new AtomicLong();
    private final ConcurrentHashMap<String, Partition> partitions = new ConcurrentHashMap<>();
    // Until schedule() anchors the run, everything received is warmup arrival and backlog.
    private volatile long runStartMicros = Long.MAX_VALUE;
    private volatile long measureStartNanos = Long.MAX_VALUE;
    private volatile long measureStartMicros = Long.MAX_VALUE;

    /** One partition's delivery state: the next offset not yet seen. */
    public static final class Partition {
        private long next = -1;
    }

    /**
     * Anchors the phases.
     *
     * @param startNanos        {@link System#nanoTime()} the run (and its warmup) starts
     * @param measureStartNanos when the warmup ends
     */
    public void schedule(long startNanos, long measureStartNanos) {
        this.measureStartMicros = WallClock.microsAt(measureStartNanos);
        this.runStartMicros = WallClock.microsAt(startNanos);
        this.measureStartNanos = measureStartNanos;
    }

    /** The state of partition {@code id} (any string naming it, e.g. {@code topic/token/rangeIndex}). */
    public Partition partition(String id) {
        return partitions.computeIfAbsent(id, k -> new Partition());
    }

    /** The phase an answer arriving at {@code nanos} counts toward (for requests and errors). */
    public PhaseStats phaseAt(long nanos) {
        return nanos >= measureStartNanos ? measured : warmup;
    }

    /**
     * One event arrived.
     *
     * @param partition    its partition ({@link #partition}), or {@code null} when unknown
     * @param offset       its offset, {@code -1} when unknown
     * @param tsMicros     its {@code "ts"}, {@code -1} when it has none
     * @param bytes        its size
     * @param arrivalNanos {@link System#nanoTime()} it arrived
     * @param arrivalMicros the same as wall-clock µs ({@link WallClock#microsAt})
     */
    public void event(Partition partition, long offset, long tsMicros, int bytes, long arrivalNanos, long arrivalMicros) {
        if (partition != null && offset >= 0) {
            synchronized (partition) {
                if (offset < partition.next) {
                    duplicates.increment();
                    return;
                }
                partition.next = offset + 1;
            }
        }
        distinct.increment();
        if (firstDistinctNanos.get() == Long.MAX_VALUE) {
            firstDistinctNanos.accumulateAndGet(arrivalNanos, Math::min);
        }
        lastDistinctNanos.accumulateAndGet(arrivalNanos, Math::max);
        phaseAt(arrivalNanos).received(1, bytes);
        if (tsMicros >= measureStartMicros) {
            runEvents.increment();
            measured.latencyMicros(arrivalMicros - tsMicros);
        } else if (tsMicros >= runStartMicros) {
            runEvents.increment();
            warmup.latencyMicros(arrivalMicros - tsMicros);
        } else {
            backlog.increment();
        }
    }

    public PhaseStats warmupStats() {
        return warmup;
    }

    public PhaseStats measuredStats() {
        return measured;
    }

    /** Distinct events received, in both phases. */
    public long distinct() {
        return distinct.sum();
    }

    /** Distinct events received that were produced since the run started (by their ts). */
    public long runEvents() {
        return runEvents.sum();
    }

    /** Distinct events received that were produced before the run started, or carry no ts. */
    public long backlogEvents() {
        return backlog.sum();
    }

    /** Events received again (offsets below the highest already seen in their partition). */
    public long duplicates() {
        return duplicates.sum();
    }

    /** {@link System#nanoTime()} the first distinct event arrived, {@link Long#MAX_VALUE} before any. */
    public long firstDistinctNanos() {
        return firstDistinctNanos.get();
    }

    /** {@link System#nanoTime()} the last distinct event arrived, 0 before any. */
    public long lastDistinctNanos() {
        return lastDistinctNanos.get();
    }
}
