package io.runnel.broker.bridge;

import io.runnel.broker.produce.BodyFormat;
import io.runnel.broker.produce.EventBatch;
import io.runnel.broker.produce.MalformedEventsException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Import: Kafka topic to Runnel topic.
 *
 * <p>Consumes with the Kafka consumer group of the definition ({@code enable.auto.commit=false},
 * from the earliest offset the first time, committed transactions only). Each poll's records are
 * grouped by key in poll order and every group is appended to the Runnel topic as one batch with the
 * key as partition key (so Runnel's ring keeps equal keys in one partition, in order; keyless records
 * go round robin as one batch). Once Runnel acknowledged every batch (stored durably), the worker
 * commits the poll's offsets to Kafka; only then does it poll again. A failure before that commit
 * makes the next session read those records again (duplicates possible, no gaps).
 *
 * <p>Runnel stores JSON events. A record whose value is not one valid UTF-8 JSON value (including
 * tombstones with no value) is <b>skipped</b>: counted in {@code runnel_bridge_errors_total} and named
 * in {@code lastError} (Kafka partition and offset), and the bridge carries on, as Kafka Connect does
 * with {@code errors.tolerance=all}. Skipping rather than wrapping keeps every stored event exactly
 * the bytes that were produced.
 */
final class ImportWorker extends BridgeWorker {
    static final Duration POLL_WAIT = Duration.ofSeconds(1);
    private static final Duration RUNNEL_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final long LAG_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();

    private final KafkaClients clients;
    private volatile Consumer<byte[], byte[]> consumer;
    private long lagMeasuredAt;

    ImportWorker(BridgeDefinition definition, BridgeStats stats, BridgeServices services, Backoff backoff, KafkaClients clients) {
        super(definition, stats, services, backoff);
        this.clients = clients;
    }

    @Override
    protected void openSession() throws Exception {
        if (!clients.topicExists(definition)) {
            throw new BridgeFailure(KafkaProblems.missingTopic(definition));
        }
        Consumer<byte[], byte[]> c = clients.consumer(definition);
        consumer = c;
        if (stopping()) {
            throw new BridgeStopped();
        }
        c.subscribe(List.of(definition.kafkaTopic()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // Every record returned before this poll is already committed: nothing to do.
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                lagMeasuredAt = 0; // measure soon
            }
        });
        lagMeasuredAt = 0;
    }

    @Override
    protected void step() throws Exception {
        Consumer<byte[], byte[]> c = consumer;
        ConsumerRecords<byte[], byte[]> records = c.poll(POLL_WAIT);
        if (!records.isEmpty()) {
            write(records);
            commit(c);
        }
        measureLag(c);
    }

    /** Appends a poll's records to Runnel, one batch per key, and waits until all are stored. */
    private void write(ConsumerRecords<byte[], byte[]> records) throws Exception {
        Map<String, ByteArrayOutputStream> byKey = new LinkedHashMap<>();
        long events = 0;
        long bytes = 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            byte[] event = jsonEvent(r);
            if (event == null) {
                continue;
            }
            String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
            ByteArrayOutputStream ndjson = byKey.computeIfAbsent(key, k -> new ByteArrayOutputStream());
            ndjson.write(event);
            ndjson.write('\n');
            events++;
            bytes += event.length;
        }
        List<CompletableFuture<Void>> acks = new ArrayList<>(byKey.size());
        for (Map.Entry<String, ByteArrayOutputStream> e : byKey.entrySet()) {
            acks.add(services.writer().write(definition.topic(), e.getKey(), e.getValue().toByteArray()));
        }
        for (CompletableFuture<Void> ack : acks) {
            // Even when a stop is pending: the acknowledgement comes within milliseconds, and
            // committing it to Kafka now spares duplicates after the restart.
            awaitEvenIfStopping(ack, RUNNEL_TIMEOUT, "storing the imported events in Runnel");
        }
        stats.bridged(events, bytes);
    }

    private static void commit(Consumer<byte[], byte[]> c) {
        try {
            c.commitSync();
        } catch (WakeupException e) {
            // A stop request woke the consumer; the records are stored, so commit them still.
            c.commitSync();
        }
    }

    /**
     * The record's value as one JSON event without line breaks (NDJSON line), or {@code null} when it
     * is not valid JSON (counted and reported, then skipped).
     */
    private byte[] jsonEvent(ConsumerRecord<byte[], byte[]> r) {
        byte[] value = r.value();
        String where = "Kafka record " + r.topic() + "/" + r.partition() + "@" + r.offset();
        if (value == null || value.length == 0) {
            stats.error("skipped " + where + ": it has no value (Runnel events are JSON values)");
            return null;
        }
        EventBatch one;
        try {
            one = services.parser().parse(BodyFormat.JSON, value);
        } catch (MalformedEventsException e) {
            stats.error("skipped " + where + ": its value is not valid JSON (" + e.getMessage() + ")");
            return null;
        }
        int from = one.offset(0);
        int length = one.length(0);
        byte[] event = new byte[length];
        System.arraycopy(value, from, event, 0, length);
        // Valid JSON has line breaks only as whitespace between tokens (never inside strings):
        // blanking them keeps the value and makes it one NDJSON line.
        for (int i = 0; i < event.length; i++) {
            if (event[i] == '\n' || event[i] == '\r') {
                event[i] = ' ';
            }
        }
        return event;
    }

    /** Kafka lag of the group's assigned partitions: end offsets minus positions, about once a second. */
    private void measureLag(Consumer<byte[], byte[]> c) {
        long now = System.nanoTime();
        if (lagMeasuredAt != 0 && now - lagMeasuredAt < LAG_INTERVAL_NANOS) {
            return;
        }
        Set<TopicPartition> assigned = c.assignment();
        if (assigned.isEmpty()) {
            return;
        }
        lagMeasuredAt = now == 0 ? 1 : now;
        Map<TopicPartition, Long> ends = c.endOffsets(assigned, Duration.ofSeconds(5));
        long lag = 0;
        for (TopicPartition tp : assigned) {
            Long end = ends.get(tp);
            if (end != null) {
                lag += Math.max(0, end - c.position(tp, Duration.ofSeconds(5)));
            }
        }
        stats.measuredLag(lag);
    }

    @Override
    protected void onStopRequested() {
        Consumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup(); // ends a blocking poll at once
        }
    }

    @Override
    protected void closeSession() {
        Consumer<byte[], byte[]> c = consumer;
        consumer = null;
        if (c != null) {
            c.close(CloseOptions.timeout(CLOSE_TIMEOUT));
        }
    }
}
