package io.runnel.broker.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An export whose Kafka producer fails in the middle of a batch (Kafka's {@link MockProducer}, real
 * Runnel store and consumer groups): the bridge reports the failure, leaves its Runnel group without
 * committing, and its next session sends the batch again from the last committed position. Nothing
 * is lost, the order per key holds, and the duplicates are exactly what was acknowledged before the
 * failure.
 */
class ExportFailureTest {
    @TempDir
    Path dir;

    /** "Kafka": every record some producer session sent successfully, in order. */
    private final List<ProducerRecord<byte[], byte[]>> kafkaLog = new ArrayList<>();

    @Test
    void aBatchThatFailsHalfwayIsSentAgainAndNothingIsLost() throws Exception {
        int keys = 20;
        int perKey = 100;
        try (InProcessRunnel runnel = new InProcessRunnel(dir.resolve("data"))) {
            for (int seq = 0; seq < perKey; seq += 10) {
                for (int k = 0; k < keys; k++) {
                    List<String> events = new ArrayList<>();
                    for (int s = seq; s < seq + 10; s++) {
                        events.add(BridgeScenarios.event(BridgeScenarios.key(k), s));
                    }
                    runnel.append("orders", BridgeScenarios.key(k), events);
                }
            }
            // Session 1 fails its 700th send, session 2 its 300th; later sessions succeed.
            int[] failAt = {700, 300};
            AtomicInteger sessions = new AtomicInteger();
            KafkaClients flaky = new KafkaClients() {
                @Override
                public Producer<byte[], byte[]> producer(BridgeDefinition d) {
                    int session = sessions.getAndIncrement();
                    return new FlakyProducer(session < failAt.length ? failAt[session] : Integer.MAX_VALUE);
                }

                @Override
                public Consumer<byte[], byte[]> consumer(BridgeDefinition d) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public boolean topicExists(BridgeDefinition d) {
                    return true;
                }
            };
            BridgeDefinition d = new BridgeDefinition("flaky", BridgeDirection.EXPORT, "orders", "orders-out", "kafka:9092", null, Map.of());
            try (BridgeManager manager = new BridgeManager(new FileBridgeRegistry(dir.resolve("bridges")), BridgePlacement.thisBroker(),
                    runnel.services, runnel.meters, flaky)) {
                manager.start(List.of(d));
                await().atMost(Duration.ofMinutes(1)).until(() -> distinct() == keys * perKey);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    BridgeStatus s = manager.get("flaky").orElseThrow().status();
                    assertThat(s.state()).isEqualTo(BridgeState.RUNNING);
                    assertThat(s.lag()).isZero();
                    assertThat(s.errors()).isEqualTo(2);
                    assertThat(s.lastError()).isEqualTo("NotEnoughReplicasException: injected failure");
                });
            }
            assertThat(sessions.get()).isGreaterThanOrEqualTo(3);
        }
        // All events, in order per key (first occurrences); each duplicate was acknowledged before a failure.
        Map<String, Integer> lastSeq = new HashMap<>();
        Set<String> seen = new HashSet<>();
        int duplicates = 0;
        synchronized (kafkaLog) {
            for (ProducerRecord<byte[], byte[]> r : kafkaLog) {
                String id = header(r, "runnel.partition") + "@" + header(r, "runnel.offset");
                if (!seen.add(id)) {
                    duplicates++;
                    continue;
                }
                JsonNode e = BridgeScenarios.parse(new String(r.value(), StandardCharsets.UTF_8));
                String key = e.path("key").asText();
                assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(key);
                Integer previous = lastSeq.put(key, e.path("seq").asInt());
                assertThat(previous == null || e.path("seq").asInt() > previous).as("order of key %s", key).isTrue();
            }
        }
        System.out.printf("[export failure] %d records sent to Kafka for %d events: %d duplicates%n", kafkaLog.size(),
                seen.size(), duplicates);
        assertThat(duplicates).as("re-sent after the two failures: what was acknowledged before each").isEqualTo(699 + 299);
    }

    private int distinct() {
        Set<String> ids = new HashSet<>();
        synchronized (kafkaLog) {
            for (ProducerRecord<byte[], byte[]> r : kafkaLog) {
                ids.add(header(r, "runnel.partition") + "@" + header(r, "runnel.offset"));
            }
        }
        return ids.size();
    }

    private static String header(ProducerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    /** Acknowledges every send (appending it to the "Kafka" log) except the {@code failAt}-th and those after it. */
    private final class FlakyProducer extends MockProducer<byte[], byte[]> {
        private final int failAt;
        private int sends;

        FlakyProducer(int failAt) {
            super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
            this.failAt = failAt;
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
            if (++sends >= failAt) {
                // An idempotent producer fails the rest of a partition's batches after a failure too.
                return CompletableFuture.failedFuture(new NotEnoughReplicasException("injected failure"));
            }
            synchronized (kafkaLog) {
                kafkaLog.add(record);
            }
            return super.send(record);
        }
    }
}
