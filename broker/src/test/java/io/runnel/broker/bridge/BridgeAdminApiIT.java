package io.runnel.broker.bridge;

import static io.runnel.broker.bridge.BridgeScenarios.exportDefinition;
import static io.runnel.broker.bridge.BridgeScenarios.importDefinition;
import static io.runnel.broker.bridge.HttpResponseAssert.error;
import static io.runnel.broker.bridge.HttpResponseAssert.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnel.broker.Broker;
import io.runnel.broker.config.Option;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route of {@code /v1/bridges} with its answers and JSON errors, persistence across broker
 * restarts, and bridges declared with {@code --bridges-file}; against a real Kafka broker.
 */
class BridgeAdminApiIT {
    @TempDir
    static Path kafkaDir;
    static EmbeddedKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start(kafkaDir);
        kafka.createTopic("admin-out", 1);
        kafka.createTopic("admin-in", 1);
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void everyRouteAnswers() {
        try (RunnelNode node = RunnelNode.start(dir)) {
            assertThat(RunnelNode.json(status(node.send("GET", node.admin("/v1/bridges"), null, null), 200)).toString())
                    .isEqualTo("{\"bridges\":[]}");

            String definition = "{\"name\":\"out\",\"direction\":\"export\",\"topic\":\"events\",\"kafkaTopic\":\"admin-out\","
                    + "\"bootstrapServers\":\"" + kafka.bootstrap() + "\",\"properties\":{\"linger.ms\":20,\"ssl.key.password\":\"s3cret\"}}";
            JsonNode created = RunnelNode.json(status(node.putBridge("out", definition), 201));
            assertThat(created.path("name").asText()).isEqualTo("out");
            assertThat(created.path("direction").asText()).isEqualTo("export");
            assertThat(created.path("topic").asText()).isEqualTo("events");
            assertThat(created.path("kafkaTopic").asText()).isEqualTo("admin-out");
            assertThat(created.path("bootstrapServers").asText()).isEqualTo(kafka.bootstrap());
            assertThat(created.path("runnelGroup").asText()).isEqualTo("bridge-out");
            assertThat(created.has("group")).as("an export has no Kafka group").isFalse();
            assertThat(created.path("properties").path("linger.ms").asText()).isEqualTo("20");
            assertThat(created.path("properties").path("ssl.key.password").asText()).isEqualTo("[hidden]");
            assertThat(created.path("state").asText()).isIn("running", "failing");
            for (String field : new String[] {"lag", "eventsBridged", "bytesBridged", "errors", "lastError", "lastErrorAt"}) {
                assertThat(created.has(field)).as(field).isTrue();
            }

            // Replace: 200; the name may be left out of the body.
            JsonNode replaced = RunnelNode.json(status(node.putBridge("out", definition.replace("\"name\":\"out\",", "")
                    .replace("\"linger.ms\":20", "\"linger.ms\":\"30\"")), 200));
            assertThat(replaced.path("properties").path("linger.ms").asText()).isEqualTo("30");

            JsonNode imported = RunnelNode.json(status(node.putBridge("in", importDefinition("imported", "admin-in", kafka.bootstrap())), 201));
            assertThat(imported.path("group").asText()).as("default Kafka group").isEqualTo("runnel-bridge-in");

            JsonNode list = RunnelNode.json(status(node.send("GET", node.admin("/v1/bridges"), null, null), 200));
            assertThat(list.path("bridges")).hasSize(2);
            assertThat(list.path("bridges").get(0).path("name").asText()).isEqualTo("in");
            assertThat(list.path("bridges").get(1).path("name").asText()).isEqualTo("out");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode out = node.bridge("out");
                assertThat(out.path("state").asText()).isEqualTo("running");
                assertThat(out.path("broker").asInt(-1)).as("a single broker runs it").isZero();
                assertThat(out.path("lag").asLong()).isZero();
                assertThat(out.path("lastError").isNull()).isTrue();
            });

            assertThat(RunnelNode.json(status(node.bridgeAction("out", "pause"), 200)).path("state").asText()).isEqualTo("paused");
            assertThat(RunnelNode.json(status(node.bridgeAction("out", "pause"), 200)).path("state").asText())
                    .as("pausing twice is fine").isEqualTo("paused");
            assertThat(node.bridge("out").path("state").asText()).isEqualTo("paused");
            assertThat(node.bridge("out").path("broker").isNull()).as("a paused bridge runs nowhere").isTrue();
            assertThat(RunnelNode.json(status(node.bridgeAction("out", "resume"), 200)).path("state").asText()).isIn("running", "failing");

            status(node.send("DELETE", node.admin("/v1/bridges/out"), null, null), 204);
            error(node.send("GET", node.admin("/v1/bridges/out"), null, null), 404, "unknown_bridge");
            error(node.send("DELETE", node.admin("/v1/bridges/out"), null, null), 404, "unknown_bridge");
            error(node.bridgeAction("out", "pause"), 404, "unknown_bridge");
            error(node.bridgeAction("out", "resume"), 404, "unknown_bridge");
            assertThat(RunnelNode.json(node.send("GET", node.admin("/v1/bridges"), null, null)).path("bridges")).hasSize(1);
        }
    }

    @Test
    void secretsNeverAppearInAnswersOrLogs() {
        String pemKey = "-----BEGIN PRIVATE KEY-----\\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSECRETPEMKEYBODY\\n"
                + "-----END PRIVATE KEY-----";
        String[] secrets = {"SECRETPEMKEYBODY", "jaas-s3cret-pw", "store-s3cret", "key-s3cret"};
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream logged = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(new java.io.OutputStream() { // slf4j-simple writes to System.err as it is now
            @Override
            public synchronized void write(int b) {
                stderr.write(b);
                logged.write(b);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                stderr.write(b, off, len);
                logged.write(b, off, len);
            }
        }, true));
        StringBuilder answers = new StringBuilder();
        try (RunnelNode node = RunnelNode.start(dir)) {
            // Against the real Kafka over PLAINTEXT: runs, with the secrets among its settings.
            String plain = exportDefinition("events", "admin-out", kafka.bootstrap()).replace("}", ",\"properties\":{"
                    + "\"sasl.jaas.config\":\"org.apache.kafka.common.security.plain.PlainLoginModule required username=\\\"u\\\" password=\\\"jaas-s3cret-pw\\\";\","
                    + "\"ssl.truststore.password\":\"store-s3cret\",\"ssl.key.password\":\"key-s3cret\"}}");
            answers.append(status(node.putBridge("plain", plain), 201).body());
            // TLS with a PEM key that cannot work: the bridge fails, and says why without quoting the key.
            String tls = exportDefinition("events", "admin-out", kafka.bootstrap()).replace("}", ",\"properties\":{"
                    + "\"security.protocol\":\"SSL\",\"ssl.keystore.type\":\"PEM\",\"ssl.keystore.key\":\"" + pemKey + "\","
                    + "\"ssl.keystore.certificate.chain\":\"-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\","
                    + "\"max.block.ms\":\"1000\"}}");
            answers.append(status(node.putBridge("tls", tls), 201).body());
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                JsonNode b = RunnelNode.json(node.send("GET", node.admin("/v1/bridges/tls"), null, null));
                return b.path("state").asText().equals("failing") && !b.path("lastError").isNull();
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> RunnelNode.json(node.send("GET", node.admin("/v1/bridges/plain"), null,
                    null)).path("state").asText().equals("running"));
            answers.append(node.send("GET", node.admin("/v1/bridges"), null, null).body());
            answers.append(node.send("GET", node.admin("/v1/bridges/tls"), null, null).body());
            answers.append(node.send("GET", node.admin("/v1/bridges/plain"), null, null).body());
            assertThat(answers).contains("\"ssl.keystore.key\":\"[hidden]\"").contains("\"sasl.jaas.config\":\"[hidden]\"")
                    .contains("\"security.protocol\":\"SSL\"");
        } finally {
            System.setErr(stderr);
        }
        String log = logged.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(log).as("the broker logged while the bridges ran").contains("bridge");
        for (String secret : secrets) {
            assertThat(answers.toString()).as("answers").doesNotContain(secret);
            assertThat(log).as("log").doesNotContain(secret);
        }
    }

    @Test
    void badRequestsGetJsonErrors() {
        try (RunnelNode node = RunnelNode.start(dir)) {
            String ok = exportDefinition("events", "admin-out", kafka.bootstrap());
            assertThat(error(node.putBridge("b", "{}"), 400, "invalid_bridge").path("message").asText())
                    .contains("direction is required").contains("topic (the Runnel topic) is required")
                    .contains("kafkaTopic is required").contains("bootstrapServers must list Kafka brokers");
            assertThat(error(node.putBridge("b", ok.replace("\"export\"", "\"sideways\"")), 400, "invalid_bridge")
                    .path("message").asText()).contains("direction must be 'export'");
            error(node.putBridge("b", ok.replace("\"topic\":\"events\"", "\"topic\":\"bad topic\"")), 400, "invalid_bridge");
            assertThat(error(node.putBridge("b", ok.replace(kafka.bootstrap(), "localhost")), 400, "invalid_bridge")
                    .path("message").asText()).contains("has no port");
            assertThat(error(node.putBridge("b", ok.replace("}", ",\"group\":\"g\"}")), 400, "invalid_bridge")
                    .path("message").asText()).contains("group applies to import bridges only");
            assertThat(error(node.putBridge("b", ok.replace("}", ",\"colour\":\"red\"}")), 400, "invalid_bridge")
                    .path("message").asText()).contains("unknown field 'colour'");
            assertThat(error(node.putBridge("b", ok.replace("}", ",\"name\":\"c\"}")), 400, "invalid_bridge")
                    .path("message").asText()).contains("differs from the name in the path");
            for (String property : new String[] {"\"bootstrap.servers\":\"x:1\"", "\"acks\":\"1\"", "\"enable.idempotence\":false",
                    "\"max.in.flight.requests.per.connection\":6", "\"no.such.setting\":1", "\"linger.ms\":\"soon\"",
                    "\"key.serializer\":\"x\"", "\"transactional.id\":\"t\"", "\"properties\":[]"}) {
                String body = property.startsWith("\"properties\"") ? ok.replace("}", "," + property + "}")
                        : ok.replace("}", ",\"properties\":{" + property + "}}");
                error(node.putBridge("b", body), 400, "invalid_bridge");
            }
            error(node.putBridge("b", importDefinition("in", "admin-in", kafka.bootstrap())
                    .replace("}", ",\"properties\":{\"enable.auto.commit\":true}}")), 400, "invalid_bridge");
            // Off the allow-list: named in the answer. A class name or a command would run inside the broker.
            for (String property : new String[] {"sasl.kerberos.kinit.cmd", "interceptor.classes", "sasl.login.callback.handler.class"}) {
                assertThat(error(node.putBridge("b", ok.replace("}", ",\"properties\":{\"" + property + "\":\"x\"}}")), 400,
                        "invalid_bridge").path("message").asText()).contains("property '" + property + "' is not allowed");
            }
            // An import never writes into an internal topic, nor an export reads one.
            assertThat(error(node.putBridge("b", importDefinition("__consumer_offsets", "admin-in", kafka.bootstrap())), 400,
                    "invalid_bridge").path("message").asText()).contains("topic '__consumer_offsets' is internal");
            error(node.putBridge("b", exportDefinition("__consumer_offsets", "admin-out", kafka.bootstrap())), 400, "invalid_bridge");
            error(node.putBridge("b", "{\"direction\":"), 400, "malformed_json");
            error(node.putBridge("b", ""), 400, "invalid_bridge");
            error(node.putBridge("b", "[1]"), 400, "invalid_bridge");
            error(node.send("PUT", node.admin("/v1/bridges/b"), "text/plain", ok), 415, "unsupported_media_type");
            error(node.putBridge("..", ok), 400, "invalid_bridge");
            error(node.putBridge("a%20b", ok), 400, "invalid_bridge");
            error(node.send("POST", node.admin("/v1/bridges/b"), null, null), 405, "method_not_allowed");
            error(node.send("GET", node.admin("/v1/bridges/b/pause"), null, null), 405, "method_not_allowed");
            error(node.send("GET", node.admin("/v1/bridges?x=1"), null, null), 400, "bad_query");
            error(node.send("GET", node.admin("/v1/bridges/b/c/d"), null, null), 404, "not_found");
            // Nothing was created by any of these.
            assertThat(RunnelNode.json(node.send("GET", node.admin("/v1/bridges"), null, null)).path("bridges")).isEmpty();
        }
    }

    @Test
    void definitionsSurviveARestartAndPausedBridgesStayPaused() throws Exception {
        RunnelNode node = RunnelNode.start(dir);
        try {
            status(node.putBridge("out", exportDefinition("events", "admin-out", kafka.bootstrap())), 201);
            status(node.putBridge("in", importDefinition("imported", "admin-in", kafka.bootstrap())), 201);
            status(node.bridgeAction("in", "pause"), 200);
            String file = Files.readString(dir.resolve("bridges.json"));
            assertThat(BridgeScenarios.parse(file).path("bridges")).hasSize(2);

            node.restart();
            assertThat(node.bridge("in").path("state").asText()).isEqualTo("paused");
            assertThat(node.bridge("in").path("topic").asText()).isEqualTo("imported");
            await().atMost(Duration.ofSeconds(30)).until(() -> node.bridge("out").path("state").asText().equals("running"));

            status(node.send("DELETE", node.admin("/v1/bridges/out"), null, null), 204);
            node.restart();
            assertThat(RunnelNode.json(node.send("GET", node.admin("/v1/bridges"), null, null)).path("bridges")).hasSize(1);
        } finally {
            node.close();
        }
    }

    @Test
    void bridgesFileDeclaresBridgesAtStart() throws Exception {
        Path file = dir.resolve("bridges-config.json");
        Files.writeString(file, "[{\"name\":\"declared\",\"direction\":\"export\",\"topic\":\"events\",\"kafkaTopic\":\"admin-out\","
                + "\"bootstrapServers\":\"" + kafka.bootstrap() + "\"}]");
        Path data = dir.resolve("data");
        try (RunnelNode node = RunnelNode.start(data, Map.of(Option.BRIDGES_FILE, file.toString()))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> node.bridge("declared").path("state").asText().equals("running"));
            // A declared bridge paused through the API stays paused while its declaration is unchanged.
            status(node.bridgeAction("declared", "pause"), 200);
            node.restart();
            assertThat(node.bridge("declared").path("state").asText()).isEqualTo("paused");
        }

        Files.writeString(file, "[{\"name\":\"declared\",\"direction\":\"export\"}, {\"direction\":\"import\"}]");
        assertThatThrownBy(() -> Broker.start(RunnelNode.config(data, Map.of(Option.BRIDGES_FILE, file.toString()))))
                .isInstanceOf(InvalidBridgeException.class)
                .hasMessageContaining("bridges file " + file + ", definition 1: topic (the Runnel topic) is required")
                .hasMessageContaining("definition 2: name is required");
    }
}
