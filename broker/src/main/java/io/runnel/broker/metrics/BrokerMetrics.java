package io.runnel.broker.metrics;

import io.micrometer.core.instrument.Counter;
import io.runnel.broker.common.InFlightBudget;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.runnel.storage.LogStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The broker's meters, exposed in the Prometheus text format on {@code GET /metrics} of the
 * discovery port. Micrometer names ({@code runnel.produce.requests}) become Prometheus names
 * ({@code runnel_produce_requests_total}). Thread-safe.
 *
 * <ul>
 *   <li>{@code runnel_produce_requests_total}, {@code runnel_produce_events_total},
 *       {@code runnel_produce_bytes_total}: acknowledged produce requests, events and event bytes;</li>
 *   <li>{@code runnel_produce_latency_seconds}: request received to durable acknowledgement;</li>
 *   <li>{@code runnel_http_responses_total{api,status}} and {@code runnel_http_errors_total{api,status}}
 *       (status 400 and up);</li>
 *   <li>{@code runnel_consumer_poll_requests_total{outcome}}: data, empty, not_registered, error;</li>
 *   <li>{@code runnel_storage_corrupt_chunks}, {@code runnel_storage_writer_appends_total},
 *       {@code runnel_storage_writer_records_total}, {@code runnel_storage_writer_batches_total},
 *       {@code runnel_storage_writer_bytes_total}: from the store;</li>
 *   <li>JVM memory, GC, threads, class loading, CPU and uptime.</li>
 * </ul>
 */
public final class BrokerMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Counter produceRequests;
    private final Counter produceEvents;
    private final Counter produceBytes;
    private final Timer produceLatency;
    private final Map<String, Counter[]> responseCounters = new ConcurrentHashMap<>();
    private final Map<String, Counter> pollCounters = new ConcurrentHashMap<>();
    private final Map<String, Counter> limitCounters = new ConcurrentHashMap<>();

    public BrokerMetrics() {
        produceRequests = Counter.builder("runnel.produce.requests")
                .description("Produce requests acknowledged").register(registry);
        produceEvents = Counter.builder("runnel.produce.events")
                .description("Events acknowledged").register(registry);
        produceBytes = Counter.builder("runnel.produce.bytes").baseUnit("bytes")
                .description("Event bytes acknowledged").register(registry);
        produceLatency = Timer.builder("runnel.produce.latency")
                .description("Produce request received to durable acknowledgement")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** Meters read from the store on each scrape. */
    public void bindStore(LogStore store) {
        Gauge.builder("runnel.storage.corrupt.chunks", store, LogStore::corruptChunks)
                .description("Chunks that failed their CRC or structure checks since start")
                .strongReference(true)
                .register(registry);
        FunctionCounter.builder("runnel.storage.writer.appends", store, s -> s.writerStats().appends())
                .description("Chunks appended by the storage writer").register(registry);
        FunctionCounter.builder("runnel.storage.writer.records", store, s -> s.writerStats().records())
                .description("Records appended by the storage writer").register(registry);
        FunctionCounter.builder("runnel.storage.writer.batches", store, s -> s.writerStats().batches())
                .description("RocksDB write batches (each one fsync with fsync=always)").register(registry);
        FunctionCounter.builder("runnel.storage.writer.bytes", store, s -> s.writerStats().bytes()).baseUnit("bytes")
                .description("Chunk bytes appended by the storage writer").register(registry);
    }

    /** The budget of bytes in flight and the HTTP connections, with what they refused. */
    public void bindLimits(InFlightBudget budget, IntSupplier openConnections, LongSupplier refusedConnections) {
        Gauge.builder("runnel.inflight.bytes", budget, InFlightBudget::used).baseUnit("bytes")
                .description("Request bodies and answers held now").register(registry);
        Gauge.builder("runnel.inflight.limit.bytes", budget, InFlightBudget::limit).baseUnit("bytes")
                .description("The budget of bytes in flight (max-in-flight-mb)").register(registry);
        FunctionCounter.builder("runnel.inflight.refused", budget, InFlightBudget::refused)
                .description("Requests answered 429 because the budget was used up").register(registry);
        Gauge.builder("runnel.http.connections", openConnections, IntSupplier::getAsInt)
                .description("Open HTTP connections, all ports").register(registry);
        FunctionCounter.builder("runnel.http.connections.refused", refusedConnections, LongSupplier::getAsLong)
                .description("Connections closed at once: over max-connections or max-connections-per-client")
                .register(registry);
    }

    /** Produced bytes waiting for the disk or replicas ({@code max-pending-mb}), and the writes it refused. */
    public void bindPending(LongSupplier pendingBytes, LongSupplier refused) {
        Gauge.builder("runnel.produce.pending.bytes", pendingBytes, LongSupplier::getAsLong).baseUnit("bytes")
                .description("Produced chunk bytes waiting for the storage writer or for replicas").register(registry);
        FunctionCounter.builder("runnel.produce.pending.refused", refused, LongSupplier::getAsLong)
                .description("Writes answered 503 overloaded because max-pending-mb was reached").register(registry);
    }

    /** Long polls parked now, and those answered at once because max-parked-polls were parked. */
    public void bindParkedPolls(IntSupplier parked, LongSupplier pastLimit) {
        Gauge.builder("runnel.poll.parked", parked, IntSupplier::getAsInt)
                .description("Long polls waiting for data on this broker").register(registry);
        FunctionCounter.builder("runnel.poll.parked.refused", pastLimit, LongSupplier::getAsLong)
                .description("Long polls answered at once because max-parked-polls were parked").register(registry);
    }

    /** A request refused by a configured limit ({@code limit} is the option's name). */
    public void limitExceeded(String limit) {
        limitCounters.computeIfAbsent(limit, l -> Counter.builder("runnel.limit.exceeded").tag("limit", l)
                .description("Requests refused by a configured limit").register(registry)).increment();
    }

    /** A produce request was acknowledged. */
    public void produced(int events, long bytes, long latencyNanos) {
        produceRequests.increment();
        produceEvents.increment(events);
        produceBytes.increment(bytes);
        produceLatency.record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    /** A poll ended with {@code outcome}: data, empty, not_registered or error. */
    public void polled(String outcome) {
        pollCounters.computeIfAbsent(outcome, o -> Counter.builder("runnel.consumer.poll.requests").tag("outcome", o)
                .description("Poll requests by outcome").register(registry)).increment();
    }

    /** An HTTP response of {@code status} on the port of {@code api} was written (an event loop; cheap). */
    public void responded(String api, int status) {
        // Every response passes here: look the counters up in a map rather than build meters.
        Counter[] counters = responseCounters.computeIfAbsent(api + ' ' + status, k -> {
            String code = Integer.toString(status);
            Counter responses = Counter.builder("runnel.http.responses").tag("api", api).tag("status", code)
                    .description("HTTP responses by API and status").register(registry);
            Counter errors = status < 400 ? null : Counter.builder("runnel.http.errors").tag("api", api).tag("status", code)
                    .description("HTTP error responses by API and status").register(registry);
            return errors == null ? new Counter[] {responses} : new Counter[] {responses, errors};
        });
        for (Counter c : counters) {
            c.increment();
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition (format 0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    /** Content type of {@link #scrape()}. */
    public static String contentType() {
        return "text/plain; version=0.0.4; charset=utf-8";
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
