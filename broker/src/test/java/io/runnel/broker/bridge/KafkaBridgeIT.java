package io.runnel.broker.bridge;

import static io.runnel.broker.bridge.BridgeScenarios.checkExported;
import static io.runnel.broker.bridge.BridgeScenarios.checkImported;
import static io.runnel.broker.bridge.BridgeScenarios.distinctExported;
import static io.runnel.broker.bridge.BridgeScenarios.exportDefinition;
import static io.runnel.broker.bridge.BridgeScenarios.importDefinition;
import static io.runnel.broker.bridge.BridgeScenarios.produceToKafka;
import static io.runnel.broker.bridge.BridgeScenarios.produceToRunnel;
import static io.runnel.broker.bridge.BridgeScenarios.readKafka;
import static io.runnel.broker.bridge.HttpResponseAssert.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnel.broker.bridge.BridgeScenarios.KafkaRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge against a real Apache Kafka 4.4 broker (KRaft, in this JVM, started once for the
 * class) and real Runnel brokers on loopback: export and import of 10,000 keyed events, stops and
 * restarts in the middle of the stream, failing bridges, and SASL settings passed through.
 */
class KafkaBridgeIT {
    private static final int KEYS = 100;
    private static final int PER_KEY = 100;

    @TempDir
    static Path kafkaDir;
    static EmbeddedKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start(kafkaDir);
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void exportsKeyedEventsInOrderWithHeaders() throws Exception {
        kafka.createTopic("export-orders", 4);
        try (RunnelNode node = RunnelNode.start(dir)) {
            int duplicates = BridgeScenarios.exportRoundTrip(node, kafka.bootstrap(), "export-orders", "orders", "export-orders",
                    KEYS, PER_KEY);
            assertThat(duplicates).as("no failure happened, so no event is sent twice").isZero();

            String metrics = node.send("GET", node.admin("/metrics"), null, null).body();
            assertThat(metrics).contains("runnel_bridge_events_total{bridge=\"export-orders\",direction=\"export\"} 10000.0")
                    .contains("runnel_bridge_bytes_total{bridge=\"export-orders\",direction=\"export\"}")
                    .contains("runnel_bridge_lag{bridge=\"export-orders\"} 0.0");
            // The bridge's progress is a Runnel consumer group like any other.
            JsonNode group = RunnelNode.json(node.send("GET", node.admin("/v1/groups/bridge-export-orders"), null, null));
            assertThat(group.path("members").get(0).path("consumerId").asText()).startsWith("bridge-export-orders@");
        }
    }

    @Test
    void importsKeyedEventsInOrderAndSkipsValuesThatAreNotJson() throws Exception {
        kafka.createTopic("import-orders", 4);
        try (RunnelNode node = RunnelNode.start(dir)) {
            int duplicates = BridgeScenarios.importRoundTrip(node, kafka.bootstrap(), "import-orders", "import-orders", "imported",
                    KEYS, PER_KEY);
            assertThat(duplicates).as("no failure happened, so no event is stored twice").isZero();

            // The Kafka group committed everything, the skipped records included.
            try (Admin admin = kafka.admin()) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    Map<TopicPartition, OffsetAndMetadata> committed = admin
                            .listConsumerGroupOffsets("runnel-bridge-import-orders").partitionsToOffsetAndMetadata().get();
                    long sum = committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
                    assertThat(sum).isEqualTo(KEYS * PER_KEY + 2);
                });
            }
            String metrics = node.send("GET", node.admin("/metrics"), null, null).body();
            assertThat(metrics).contains("runnel_bridge_events_total{bridge=\"import-orders\",direction=\"import\"} 10000.0")
                    .contains("runnel_bridge_errors_total{bridge=\"import-orders\",direction=\"import\"} 2.0")
                    .contains("runnel_bridge_lag{bridge=\"import-orders\"} 0.0");
        }
    }

    /**
     * Pause and resume, delete and re-create, then stop the Runnel broker and start it again on the
     * same data directory, each while the bridge still has a backlog to move: every event arrives,
     * in order per key; duplicates are counted and printed.
     */
    @Test
    void exportLosesNothingAcrossPauseDeleteAndBrokerRestart() {
        String topic = "restart-export";
        kafka.createTopic(topic, 4);
        RunnelNode node = RunnelNode.start(dir);
        try {
            status(node.putBridge(topic, exportDefinition(topic, topic, kafka.bootstrap())), 201);
            produceToRunnel(node, topic, KEYS, 0, 10, 1);
            await().atMost(Duration.ofMinutes(1)).until(() -> node.bridge(topic).path("eventsBridged").asLong() > 0);
            assertThat(RunnelNode.json(status(node.bridgeAction(topic, "pause"), 200)).path("state").asText()).isEqualTo("paused");
            long atPause = node.bridge(topic).path("eventsBridged").asLong();
            produceToRunnel(node, topic, KEYS, 10, 20, 1);
            assertThat(node.bridge(topic).path("eventsBridged").asLong()).as("a paused bridge moves nothing").isEqualTo(atPause);
            assertThat(RunnelNode.json(status(node.bridgeAction(topic, "resume"), 200)).path("state").asText()).isEqualTo("running");
            await().atMost(Duration.ofMinutes(1)).until(() -> node.bridge(topic).path("eventsBridged").asLong() > atPause);

            produceToRunnel(node, topic, KEYS, 20, 30, 5);
            status(node.send("DELETE", node.admin("/v1/bridges/" + topic), null, null), 204);
            status(node.putBridge(topic, exportDefinition(topic, topic, kafka.bootstrap())), 201);
            produceToRunnel(node, topic, KEYS, 30, 40, 5);
            await().atMost(Duration.ofMinutes(1)).until(() -> node.bridge(topic).path("eventsBridged").asLong() > 0);

            // 3,000 more while paused; then resume and at once stop the broker and start it on the same data.
            status(node.bridgeAction(topic, "pause"), 200);
            produceToRunnel(node, topic, KEYS, 40, 70, 10);
            status(node.bridgeAction(topic, "resume"), 200);
            long lagAtStop = node.bridge(topic).path("lag").asLong();
            node.restart();
            System.out.printf("[export restart] the Runnel broker stopped with %d events not yet exported%n", lagAtStop);
            assertThat(node.bridge(topic).path("topic").asText()).as("the definition survived the restart").isEqualTo(topic);
            produceToRunnel(node, topic, KEYS, 70, PER_KEY, 10);

            int total = KEYS * PER_KEY;
            List<KafkaRecord> records = readKafka(kafka.bootstrap(), topic, r -> distinctExported(r) >= total, Duration.ofMinutes(3));
            int duplicates = checkExported("export across pause/resume, delete/re-create and broker restart", records, topic, KEYS, PER_KEY);
            System.out.printf("[export restart] duplicates: %d of %d events%n", duplicates, total);
            await().atMost(Duration.ofSeconds(30)).until(() -> node.bridge(topic).path("lag").asLong() == 0);
        } finally {
            node.close();
        }
    }

    /** The same for an import. */
    @Test
    void importLosesNothingAcrossPauseDeleteAndBrokerRestart() {
        String kafkaTopic = "restart-import";
        String topic = "restart-imported";
        kafka.createTopic(kafkaTopic, 4);
        RunnelNode node = RunnelNode.start(dir);
        try {
            status(node.putBridge(kafkaTopic, importDefinition(topic, kafkaTopic, kafka.bootstrap())), 201);
            produceToKafka(kafka.bootstrap(), kafkaTopic, KEYS, 0, 20);
            await().atMost(Duration.ofMinutes(1)).until(() -> node.bridge(kafkaTopic).path("eventsBridged").asLong() > 0);
            assertThat(RunnelNode.json(status(node.bridgeAction(kafkaTopic, "pause"), 200)).path("state").asText()).isEqualTo("paused");
            long atPause = node.bridge(kafkaTopic).path("eventsBridged").asLong();
            produceToKafka(kafka.bootstrap(), kafkaTopic, KEYS, 20, 30);
            assertThat(node.bridge(kafkaTopic).path("eventsBridged").asLong()).as("a paused bridge moves nothing").isEqualTo(atPause);
            status(node.bridgeAction(kafkaTopic, "resume"), 200);
            await().atMost(Duration.ofMinutes(1)).until(() -> node.bridge(kafkaTopic).path("eventsBridged").asLong() > atPause);

            status(node.send("DELETE", node.admin("/v1/bridges/" + kafkaTopic), null, null), 204);
            status(node.putBridge(kafkaTopic, importDefinition(topic, kafkaTopic, kafka.bootstrap())), 201);
            produceToKafka(kafka.bootstrap(), kafkaTopic, KEYS, 30, 40);
            await().atMost(Duration.ofMinutes(1)).until(() -> node.bridge(kafkaTopic).path("eventsBridged").asLong() > 0);

            // 3,000 more while paused; then resume and at once stop the broker and start it on the same data.
            status(node.bridgeAction(kafkaTopic, "pause"), 200);
            produceToKafka(kafka.bootstrap(), kafkaTopic, KEYS, 40, 70);
            status(node.bridgeAction(kafkaTopic, "resume"), 200);
            int storedAtStop = node.readTopic(topic).size();
            node.restart();
            System.out.printf("[import restart] the Runnel broker stopped with %d of 7000 produced events stored%n", storedAtStop);
            produceToKafka(kafka.bootstrap(), kafkaTopic, KEYS, 70, PER_KEY);

            int total = KEYS * PER_KEY;
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> distinct(node.readTopic(topic)) >= total);
            int duplicates = checkImported("import across pause/resume, delete/re-create and broker restart", node.readTopic(topic),
                    KEYS, PER_KEY);
            System.out.printf("[import restart] duplicates: %d of %d events%n", duplicates, total);
            await().atMost(Duration.ofSeconds(30)).until(() -> node.bridge(kafkaTopic).path("lag").asLong() == 0);
        } finally {
            node.close();
        }
    }

    @Test
    void failingBridgesSayWhyAndTheBrokerKeepsServing() {
        try (RunnelNode node = RunnelNode.start(dir)) {
            status(node.putBridge("unreachable", exportDefinition("events", "events", "127.0.0.1:1")), 201);
            status(node.putBridge("no-such-source", importDefinition("events", "no-such-topic", kafka.bootstrap())), 201);
            status(node.putBridge("no-such-target", exportDefinition("events", "no-such-topic", kafka.bootstrap())), 201);

            await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
                JsonNode b = node.bridge("unreachable");
                assertThat(b.path("state").asText()).isEqualTo("failing");
                assertThat(b.path("lastError").asText()).startsWith("cannot reach Kafka at 127.0.0.1:1");
                assertThat(b.path("lastErrorAt").asText()).isNotEmpty();
            });
            await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
                JsonNode b = node.bridge("no-such-source");
                assertThat(b.path("state").asText()).isEqualTo("failing");
                assertThat(b.path("lastError").asText()).contains("Kafka topic 'no-such-topic' does not exist at " + kafka.bootstrap());
            });
            await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
                JsonNode b = node.bridge("no-such-target");
                assertThat(b.path("state").asText()).isEqualTo("failing");
                assertThat(b.path("lastError").asText()).contains("Kafka topic 'no-such-topic' does not exist at " + kafka.bootstrap());
            });
            // The broker serves as before.
            status(node.send("GET", node.admin("/status"), null, null), 200);
            node.produce("events", "k", List.of("{\"still\":\"serving\"}"));
            assertThat(RunnelNode.json(node.send("GET", node.admin("/v1/bridges"), null, null)).path("bridges")).hasSize(3);
            assertThat(node.send("GET", node.admin("/metrics"), null, null).body())
                    .containsPattern("runnel_bridge_errors_total\\{bridge=\"unreachable\",direction=\"export\"} [1-9]");

            // A failing bridge starts moving once its problem is fixed: create the missing topic.
            kafka.createTopic("no-such-topic", 1);
            await().atMost(Duration.ofMinutes(2)).until(() -> node.bridge("no-such-target").path("state").asText().equals("running"));
            // ... and stops cleanly when deleted, even while failing.
            for (String name : List.of("unreachable", "no-such-source", "no-such-target")) {
                status(node.send("DELETE", node.admin("/v1/bridges/" + name), null, null), 204);
            }
            assertThat(RunnelNode.json(node.send("GET", node.admin("/v1/bridges"), null, null)).path("bridges")).isEmpty();
        }
    }

    @Test
    void saslPropertiesPassThroughAndBadCredentialsFail() {
        kafka.createTopic("sasl-export", 2);
        try (RunnelNode node = RunnelNode.start(dir)) {
            String good = "{\"direction\":\"export\",\"topic\":\"sasl\",\"kafkaTopic\":\"sasl-export\",\"bootstrapServers\":\""
                    + kafka.saslBootstrap() + "\",\"properties\":{\"security.protocol\":\"SASL_PLAINTEXT\",\"sasl.mechanism\":\"PLAIN\","
                    + "\"sasl.jaas.config\":\"org.apache.kafka.common.security.plain.PlainLoginModule required username=\\\""
                    + EmbeddedKafka.SASL_USER + "\\\" password=\\\"" + EmbeddedKafka.SASL_PASSWORD + "\\\";\"}}";
            JsonNode created = RunnelNode.json(status(node.putBridge("sasl", good), 201));
            assertThat(created.path("properties").path("sasl.jaas.config").asText()).as("secrets are not shown").isEqualTo("[hidden]");
            assertThat(created.path("properties").path("sasl.mechanism").asText()).isEqualTo("PLAIN");
            produceToRunnel(node, "sasl", 10, 0, 10, 10);
            List<KafkaRecord> records = readKafka(kafka.bootstrap(), "sasl-export", r -> r.size() >= 100, Duration.ofMinutes(1));
            assertThat(checkExported("sasl", records, "sasl", 10, 10)).isZero();

            String bad = good.replace(EmbeddedKafka.SASL_PASSWORD, "wrong-password");
            status(node.putBridge("sasl-bad", bad.replace("\"topic\":\"sasl\"", "\"topic\":\"sasl-other\"")), 201);
            await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
                JsonNode b = node.bridge("sasl-bad");
                assertThat(b.path("state").asText()).isEqualTo("failing");
                assertThat(b.path("lastError").asText()).startsWith("authentication with Kafka at " + kafka.saslBootstrap() + " failed");
            });
        }
    }

    private static int distinct(List<RunnelNode.StoredEvent> events) {
        Set<String> values = new HashSet<>();
        for (RunnelNode.StoredEvent e : events) {
            values.add(e.value());
        }
        return values.size();
    }
}
