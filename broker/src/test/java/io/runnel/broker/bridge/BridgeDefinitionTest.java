package io.runnel.broker.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BridgeDefinitionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static BridgeDefinition parse(String json, String name) throws Exception {
        return BridgeDefinition.fromJson(JSON.readTree(json), name);
    }

    @Test
    void importGetsItsDefaultGroupAndPropertiesAreText() throws Exception {
        BridgeDefinition d = parse("{\"direction\":\"import\",\"topic\":\"t\",\"kafkaTopic\":\"k\",\"bootstrapServers\":\"a:1,[::1]:9092\","
                + "\"properties\":{\"max.poll.records\":100,\"fetch.max.wait.ms\":250}}", "in");
        assertThat(d.name()).isEqualTo("in");
        assertThat(d.group()).isEqualTo("runnel-bridge-in");
        assertThat(d.properties()).containsExactly(Map.entry("fetch.max.wait.ms", "250"), Map.entry("max.poll.records", "100"));
        assertThat(d.toString()).isEqualTo("import bridge in (kafka:k -> runnel:t at a:1,[::1]:9092)");
    }

    @Test
    void everyProblemIsNamed() {
        assertThatThrownBy(() -> new BridgeDefinition("bad name", null, "", "k k", "nohost", null, Map.of()))
                .isInstanceOfSatisfying(InvalidBridgeException.class, e -> assertThat(e.problems()).hasSize(5));
        assertThatThrownBy(() -> new BridgeDefinition("x".repeat(129), BridgeDirection.EXPORT, "t", "k", "h:1", null, Map.of()))
                .hasMessageContaining("bridge name");
        assertThatThrownBy(() -> new BridgeDefinition("x", BridgeDirection.EXPORT, "t", "k", "h:0", null, Map.of()))
                .hasMessageContaining("port 0");
        assertThatThrownBy(() -> new BridgeDefinition("x", BridgeDirection.IMPORT, "t", "k", "h:1", " ", Map.of()))
                .hasMessageContaining("group must be");
    }

    @Test
    void theBridgeKeepsItsGuarantees() {
        for (Map<String, String> p : new Map[] {Map.of("acks", "1"), Map.of("enable.idempotence", "false"),
                Map.of("max.in.flight.requests.per.connection", "10"), Map.of("value.serializer", "x"),
                Map.of("bootstrap.servers", "h:2"), Map.of("transactional.id", "t"), Map.of("group.id", "g"),
                Map.of("fetch.min.bytes", "1"), Map.of("retries", "many")}) {
            assertThatThrownBy(() -> new BridgeDefinition("x", BridgeDirection.EXPORT, "t", "k", "h:1", null, p)).as(p.toString())
                    .isInstanceOf(InvalidBridgeException.class);
        }
        assertThatThrownBy(() -> new BridgeDefinition("x", BridgeDirection.IMPORT, "t", "k", "h:1", null,
                Map.of("enable.auto.commit", "true"))).hasMessageContaining("the bridge commits only what Runnel stored");
        // Allowed: security, tuning and the acks the bridge uses anyway.
        new BridgeDefinition("x", BridgeDirection.EXPORT, "t", "k", "h:1", null, Map.of("acks", "all", "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512", "compression.type", "zstd", "max.in.flight.requests.per.connection", "1"));
        new BridgeDefinition("x", BridgeDirection.IMPORT, "t", "k", "h:1", "g", Map.of("auto.offset.reset", "latest",
                "isolation.level", "read_uncommitted", "security.protocol", "SSL", "ssl.truststore.location", "/x"));
    }

    @Test
    void onlyAllowListedNonSecretPropertiesAreShown() {
        assertThat(KafkaSettings.shown("sasl.mechanism")).isTrue();
        assertThat(KafkaSettings.shown("ssl.truststore.certificates")).isTrue();
        for (String secret : new String[] {"sasl.jaas.config", "ssl.keystore.password", "ssl.key.password",
                "ssl.keystore.key", "ssl.truststore.password", "sasl.oauthbearer.token.endpoint.url", "anything.else"}) {
            assertThat(KafkaSettings.shown(secret)).as(secret).isFalse();
        }
    }

    @Test
    void propertiesOffTheAllowListAreRefusedByName() {
        for (String p : new String[] {"sasl.kerberos.kinit.cmd", "interceptor.classes", "sasl.client.callback.handler.class",
                "sasl.login.callback.handler.class", "metric.reporters", "config.providers", "partitioner.class"}) {
            assertThatThrownBy(() -> new BridgeDefinition("x", BridgeDirection.EXPORT, "t", "k", "h:1", null, Map.of(p, "x")))
                    .as(p).isInstanceOf(InvalidBridgeException.class)
                    .hasMessageContaining("property '" + p + "' is not allowed for a bridge");
        }
    }

    @Test
    void aBridgeNeverTouchesAnInternalTopic() {
        for (BridgeDirection d : BridgeDirection.values()) {
            assertThatThrownBy(() -> new BridgeDefinition("x", d, "__consumer_offsets", "k", "h:1", null, Map.of()))
                    .as(d.toString()).hasMessageContaining("topic '__consumer_offsets' is internal");
        }
    }

    @Test
    void jsonIsStrict() {
        assertThatThrownBy(() -> parse("{\"direction\":\"export\",\"topic\":1}", "x")).hasMessageContaining("topic must be a string");
        assertThatThrownBy(() -> parse("{\"direction\":\"export\",\"properties\":{\"a\":{}}}", "x"))
                .hasMessageContaining("property 'a' must be a string, number or boolean");
        assertThatThrownBy(() -> parse("[]", "x")).hasMessageContaining("JSON object");
    }
}
