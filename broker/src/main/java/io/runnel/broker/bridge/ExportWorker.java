package io.runnel.broker.bridge;

import io.runnel.broker.consume.PartitionBatch;
import io.runnel.broker.consume.PollResult;
import io.runnel.storage.Chunk;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Export: Runnel topic to Kafka topic.
 *
 * <p>Reads as the only member of the Runnel consumer group {@code bridge-<name>} (through a
 * {@link GroupReader}: this broker's groups, or every leader of a cluster; starting from the earliest
 * event the first time), sends every event of a poll with an
 * idempotent producer (key: the partition key's bytes, or none; value: the event; timestamp: the
 * event's; headers {@code runnel.topic}, {@code runnel.partition}, {@code runnel.offset}), waits until
 * Kafka acknowledged all of them ({@code flush}), and only then commits the group's position. Kafka's
 * default partitioner puts equal keys in one partition, and the producer keeps their order, so the
 * order per key survives.
 *
 * <p>When a batch fails, the worker leaves the Runnel group without committing, so the next session
 * starts from the last committed position and sends the unacknowledged batch again (duplicates are
 * possible, gaps are not). A record Kafka refuses as too large is counted as an error and skipped.
 */
final class ExportWorker extends BridgeWorker {
    /** Long-poll wait of one Runnel poll: bounds how late a stop or a config change is noticed. */
    static final Duration POLL_WAIT = Duration.ofSeconds(1);
    private static final Duration RUNNEL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    static final String HEADER_TOPIC = "runnel.topic";
    static final String HEADER_PARTITION = "runnel.partition";
    static final String HEADER_OFFSET = "runnel.offset";

    private Producer<byte[], byte[]> producer;
    private GroupReader reader;

    private final KafkaClients clients;

    ExportWorker(BridgeDefinition definition, BridgeStats stats, BridgeServices services, Backoff backoff, KafkaClients clients) {
        super(definition, stats, services, backoff);
        this.clients = clients;
    }

    @Override
    protected void openSession() throws Exception {
        boolean exists = clients.topicExists(definition);
        producer = clients.producer(definition);
        try {
            // Waits up to max.block.ms; also auto-creates the topic where the brokers allow it.
            producer.partitionsFor(definition.kafkaTopic());
        } catch (TimeoutException e) {
            throw new BridgeFailure(exists ? KafkaProblems.describe(definition, e) : KafkaProblems.missingTopic(definition), e);
        }
        reader = services.readers().open(definition);
        await(reader.join(), RUNNEL_TIMEOUT, "registering the Runnel consumer");
    }

    @Override
    protected void step() throws Exception {
        PollResult polled = await(reader.poll(POLL_WAIT.toMillis()),
                POLL_WAIT.plus(RUNNEL_TIMEOUT), "polling Runnel");
        if (polled.isEmpty()) {
            return;
        }
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (PartitionBatch batch : polled.batches()) {
            byte[] topic = batch.topic().getBytes(StandardCharsets.UTF_8);
            byte[] partition = Integer.toString(batch.partition()).getBytes(StandardCharsets.UTF_8);
            for (Chunk chunk : batch.chunks()) {
                Chunk.RecordCursor r = chunk.cursor();
                while (r.next()) {
                    long offset = r.offset();
                    if (offset < batch.startOffset()) {
                        continue; // delivered by an earlier poll
                    }
                    if (offset >= batch.nextOffset()) {
                        break;
                    }
                    byte[] value = Arrays.copyOfRange(r.array(), r.valueOffset(), r.valueOffset() + r.valueLength());
                    RecordHeaders headers = new RecordHeaders();
                    headers.add(HEADER_TOPIC, topic);
                    headers.add(HEADER_PARTITION, partition);
                    headers.add(HEADER_OFFSET, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
                    acks.add(producer.send(new ProducerRecord<>(definition.kafkaTopic(), null, r.timestamp(), r.key(), value, headers)));
                    sizes.add(value.length);
                }
            }
        }
        producer.flush();
        long events = 0;
        long bytes = 0;
        for (int i = 0; i < acks.size(); i++) {
            try {
                acks.get(i).get();
                events++;
                bytes += sizes.get(i);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RecordTooLargeException)) {
                    throw e; // not acknowledged: the session ends and the batch is sent again
                }
                stats.error("skipped an event of " + sizes.get(i) + " bytes that Kafka refuses as too large: "
                        + e.getCause().getMessage() + " (raise max.request.size here and message.max.bytes on the topic)");
            }
        }
        // Kafka has the whole batch: commit it even if a stop is pending, or a restart would send it again.
        awaitEvenIfStopping(reader.commit(), RUNNEL_TIMEOUT, "committing the Runnel position");
        stats.bridged(events, bytes);
    }

    @Override
    protected void closeSession() {
        if (reader != null) {
            GroupReader r = reader;
            reader = null;
            try {
                // Positions past the last commit were not acknowledged by Kafka: drop them.
                r.leave().get(RUNNEL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // Closed broker or timeout: the member times out without committing either.
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (producer != null) {
            try {
                producer.close(CLOSE_TIMEOUT);
            } finally {
                producer = null;
            }
        }
    }
}
