package io.runnel.broker.bridge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * The live counters of one bridge, updated by its worker thread and read by the admin API and
 * {@code /metrics}: {@code runnel_bridge_events_total{bridge,direction}},
 * {@code runnel_bridge_bytes_total{bridge,direction}}, {@code runnel_bridge_errors_total{bridge,direction}}
 * and {@code runnel_bridge_lag{bridge}}. Thread-safe.
 */
final class BridgeStats {
    private final String name;
    private final Clock clock;
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    /** Import bridges measure their lag on their own thread; export lag is read from the store. */
    private final AtomicLong measuredLag = new AtomicLong(-1);
    private volatile boolean failing;
    private volatile String lastError;
    private volatile Instant lastErrorAt;

    private final MeterRegistry registry;
    private final Counter eventsCounter;
    private final Counter bytesCounter;
    private final Counter errorsCounter;
    private final Gauge lagGauge;

    /**
     * @param lag how to read the bridge's lag (called on scrapes and admin reads), -1 when unknown
     */
    BridgeStats(String name, BridgeDirection direction, MeterRegistry registry, Clock clock, ToLongFunction<BridgeStats> lag) {
        this.name = name;
        this.clock = clock;
        this.registry = registry;
        String dir = direction.wireName();
        eventsCounter = Counter.builder("runnel.bridge.events").tag("bridge", name).tag("direction", dir)
                .description("Events moved by a bridge and acknowledged by the other side").register(registry);
        bytesCounter = Counter.builder("runnel.bridge.bytes").baseUnit("bytes").tag("bridge", name).tag("direction", dir)
                .description("Value bytes moved by a bridge").register(registry);
        errorsCounter = Counter.builder("runnel.bridge.errors").tag("bridge", name).tag("direction", dir)
                .description("Failed bridge attempts and records a bridge could not move").register(registry);
        // NaN while unknown (an import that has not measured yet): no sample rather than a false 0.
        lagGauge = Gauge.builder("runnel.bridge.lag", this, s -> {
                    long l = lag.applyAsLong(s);
                    return l < 0 ? Double.NaN : l;
                }).tag("bridge", name)
                .description("Events a bridge has not moved yet").strongReference(true).register(registry);
    }

    /** Events acknowledged by the other side. */
    void bridged(long count, long valueBytes) {
        events.addAndGet(count);
        bytes.addAndGet(valueBytes);
        eventsCounter.increment(count);
        bytesCounter.increment(valueBytes);
    }

    /** A step succeeded: the bridge runs (again). */
    void succeeded() {
        failing = false;
    }

    /** An attempt failed: the bridge is failing until a later step succeeds. */
    void failed(String message) {
        failing = true;
        error(message);
    }

    /** One record could not be moved (skipped); the bridge keeps running. */
    void error(String message) {
        errors.incrementAndGet();
        errorsCounter.increment();
        lastError = message;
        lastErrorAt = clock.instant();
    }

    void measuredLag(long lag) {
        measuredLag.set(lag);
    }

    long measuredLag() {
        return measuredLag.get();
    }

    boolean failing() {
        return failing;
    }

    String name() {
        return name;
    }

    BridgeStatus snapshot(BridgeState state, long lag) {
        return new BridgeStatus(state, lag, events.get(), bytes.get(), errors.get(), lastError, lastErrorAt);
    }

    /** Unregisters the meters (the bridge was deleted or redefined). */
    void unregister() {
        for (Meter m : List.of(eventsCounter, bytesCounter, errorsCounter, lagGauge)) {
            registry.remove(m);
        }
    }
}
