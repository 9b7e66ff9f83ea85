package io.runnel.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code k8s/runnel.yaml} stays true to the broker: every {@code RUNNEL_*} variable it sets is an option, each pod's
 * environment loads into a valid config naming that pod, and the ports and probes are the broker's.
 */
class K8sManifestTest {
    /** Read by the image's entry point (as by {@code bin/runnel}), not by the broker. */
    private static final Set<String> LAUNCHER_VARIABLES = Set.of("RUNNEL_JAVA_OPTS");

    private static List<JsonNode> documents;

    @BeforeAll
    static void read() throws IOException {
        documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = new YAMLMapper().readerFor(JsonNode.class)
                .readValues(Path.of("..", "k8s", "runnel.yaml").toFile())) {
            while (it.hasNext()) {
                documents.add(it.next());
            }
        }
    }

    private static JsonNode kind(String kind, String name) {
        return documents.stream()
                .filter(d -> d.path("kind").asText().equals(kind) && d.at("/metadata/name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("k8s/runnel.yaml has no " + kind + " " + name));
    }

    private static JsonNode statefulSet() {
        return kind("StatefulSet", "runnel");
    }

    private static JsonNode container() {
        JsonNode containers = statefulSet().at("/spec/template/spec/containers");
        assertThat(containers.size()).isEqualTo(1);
        return containers.get(0);
    }

    /** The container's environment as pod {@code ordinal} sees it, with {@code $(VAR)} references expanded. */
    private static Map<String, String> environmentOf(int ordinal) {
        Map<String, String> env = new HashMap<>();
        env.put("POD_NAME", "runnel-" + ordinal);
        for (JsonNode e : container().path("env")) {
            if (e.has("value")) {
                String value = e.get("value").asText();
                for (Map.Entry<String, String> known : Map.copyOf(env).entrySet()) {
                    value = value.replace("$(" + known.getKey() + ")", known.getValue());
                }
                env.put(e.get("name").asText(), value);
            }
        }
        return env;
    }

    @Test
    void everyRunnelVariableIsAnOptionOrTheLaunchers() {
        Set<String> options = Arrays.stream(Option.values()).map(Option::env).collect(Collectors.toSet());
        List<String> set = new ArrayList<>();
        container().path("env").forEach(e -> set.add(e.get("name").asText()));
        assertThat(set.stream().filter(n -> n.startsWith("RUNNEL_")))
                .isNotEmpty()
                .allSatisfy(n -> assertThat(options.contains(n) || LAUNCHER_VARIABLES.contains(n))
                        .as("%s is neither an option nor read by the image's entry point", n).isTrue());
    }

    @Test
    void eachPodLoadsAValidConfigThatNamesItself() {
        int replicas = statefulSet().at("/spec/replicas").asInt();
        String service = statefulSet().at("/spec/serviceName").asText();
        assertThat(replicas).isEqualTo(3);
        for (int i = 0; i < replicas; i++) {
            Map<String, String> env = environmentOf(i);
            // A StatefulSet pod's host name is its name; the broker takes its ordinal from the trailing number.
            assertThat(BrokerConfig.ordinalOf("runnel-" + i)).isEqualTo(i);
            env.put(Option.ORDINAL.env(), Integer.toString(BrokerConfig.ordinalOf("runnel-" + i)));
            BrokerConfig config = ConfigLoader.load(new String[0], env);
            assertThat(config.brokers()).as("one entry per replica, in ordinal order")
                    .hasSize(replicas)
                    .containsExactlyElementsOf(IntStream.range(0, replicas)
                            .mapToObj(n -> "runnel-" + n + "." + service).toList());
            assertThat(config.hostname()).isEqualTo(config.brokers().get(i));
            assertThat(config.dataDir()).isEqualTo(Path.of(container().at("/volumeMounts/0/mountPath").asText()));
        }
    }

    @Test
    void portsAndProbesAreTheBrokers() {
        Map<String, Integer> ports = new HashMap<>();
        container().path("ports").forEach(p -> ports.put(p.get("name").asText(), p.get("containerPort").asInt()));
        assertThat(ports).containsExactlyInAnyOrderEntriesOf(Map.of(
                "discovery", Integer.parseInt(Option.DISCOVERY_PORT.defaultValue()),
                "producer", Integer.parseInt(Option.PRODUCER_PORT.defaultValue()),
                "consumer", Integer.parseInt(Option.CONSUMER_PORT.defaultValue()),
                "cluster", Integer.parseInt(Option.CLUSTER_PORT.defaultValue()),
                "gossip", Integer.parseInt(Option.GOSSIP_PORT.defaultValue())));
        assertThat(container().at("/readinessProbe/httpGet/path").asText()).isEqualTo("/status");
        assertThat(container().at("/readinessProbe/httpGet/port").asText()).isEqualTo("discovery");

        // The headless service gives every pod its DNS name before it is ready: brokers meet before /status is 200.
        JsonNode headless = kind("Service", statefulSet().at("/spec/serviceName").asText());
        assertThat(headless.at("/spec/clusterIP").asText()).isEqualTo("None");
        assertThat(headless.at("/spec/publishNotReadyAddresses").asBoolean()).isTrue();
        List<Integer> servicePorts = new ArrayList<>();
        headless.at("/spec/ports").forEach(p -> servicePorts.add(p.get("port").asInt()));
        assertThat(servicePorts).containsExactlyInAnyOrderElementsOf(ports.values());
    }

    @Test
    void brokersAuthenticateEachOtherAndTheirClientsOverTlsWithSecretsFromSecrets() {
        Map<String, String> env = environmentOf(0);
        env.put(Option.ORDINAL.env(), "0");
        SecurityConfig security = ConfigLoader.load(new String[0], env).security();
        assertThat(security.clientAuth()).as("client authentication is on").isTrue();
        assertThat(security.tls()).as("TLS is on").isTrue();
        assertThat(security.metricsOpen()).isFalse();
        Map<String, String> mounts = new HashMap<>();
        container().path("volumeMounts").forEach(m -> mounts.put(m.get("mountPath").asText(), m.get("name").asText()));
        Map<String, String> secrets = new HashMap<>();
        statefulSet().at("/spec/template/spec/volumes").forEach(v -> {
            if (v.has("secret")) {
                secrets.put(v.get("name").asText(), v.at("/secret/secretName").asText());
            }
        });
        Map<Path, String> expected = Map.of(security.clusterSecretFile(), "runnel-cluster", security.authFile(), "runnel-auth",
                security.tlsCert(), "runnel-tls", security.tlsKey(), "runnel-tls");
        expected.forEach((file, secret) -> {
            String volume = mounts.get(file.getParent().toString());
            assertThat(volume).as("%s lies in a mounted directory", file).isNotNull();
            assertThat(secrets.get(volume)).as("%s comes from a Secret", file).isEqualTo(secret);
        });
        // The probe needs no credentials (/status is open) but speaks TLS.
        assertThat(container().at("/readinessProbe/httpGet/scheme").asText()).isEqualTo("HTTPS");
    }
}
