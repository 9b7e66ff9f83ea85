package io.runnel.broker.bridge;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka client settings of a bridge: the user's {@code properties} (security, SSL, SASL, tuning) from
 * {@link #ALLOWED} passed through, plus what the bridge's guarantees depend on, which the user may not change.
 *
 * <p>Export producers are idempotent with {@code acks=all} and at most 5 requests in flight, so that
 * retries neither duplicate nor reorder records within a partition. Import consumers never commit on
 * their own ({@code enable.auto.commit=false}); by default they start at the earliest offset, read
 * only committed transactional records, and are static group members ({@code group.instance.id}). Timeouts are shorter than Kafka's defaults so that an
 * unreachable cluster shows up as a failing bridge within seconds; the user may raise them.
 */
final class KafkaSettings {
    /** Set by the bridge from other fields of the definition, or fixed by its design. */
    private static final Map<String, String> OWNED = Map.of(
            CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "set it with the field bootstrapServers",
            ConsumerConfig.GROUP_ID_CONFIG, "set it with the field group",
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, "the bridge sends keys and values as raw bytes",
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "the bridge sends keys and values as raw bytes",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, "the bridge reads keys and values as raw bytes",
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, "the bridge reads keys and values as raw bytes",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "the bridge commits only what Runnel stored",
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, "the bridge uses the idempotent producer, not transactions");

    /**
     * The settings a user may set: how to reach and authenticate to the Kafka cluster, timeouts, batching and
     * fetching. Nothing that names a class, a command or a plugin (interceptors, callback handlers,
     * {@code sasl.kerberos.kinit.cmd}, config providers), since a bridge runs inside the broker.
     */
    static final Set<String> ALLOWED = Set.of(
            // connection and authentication
            "security.protocol", "client.dns.lookup", "client.rack",
            "sasl.mechanism", "sasl.jaas.config", "sasl.kerberos.service.name",
            "ssl.protocol", "ssl.enabled.protocols", "ssl.cipher.suites", "ssl.endpoint.identification.algorithm",
            "ssl.keystore.type", "ssl.keystore.location", "ssl.keystore.password", "ssl.key.password",
            "ssl.keystore.key", "ssl.keystore.certificate.chain",
            "ssl.truststore.type", "ssl.truststore.location", "ssl.truststore.password", "ssl.truststore.certificates",
            // timeouts and retries
            "request.timeout.ms", "default.api.timeout.ms", "delivery.timeout.ms", "max.block.ms",
            "session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms", "connections.max.idle.ms",
            "reconnect.backoff.ms", "reconnect.backoff.max.ms", "retry.backoff.ms", "retry.backoff.max.ms",
            "socket.connection.setup.timeout.ms", "socket.connection.setup.timeout.max.ms", "metadata.max.age.ms",
            "retries",
            // batching, fetching, delivery
            "linger.ms", "batch.size", "buffer.memory", "compression.type", "compression.gzip.level",
            "compression.lz4.level", "compression.zstd.level", "max.request.size", "acks", "enable.idempotence",
            "max.in.flight.requests.per.connection", "send.buffer.bytes", "receive.buffer.bytes",
            "fetch.min.bytes", "fetch.max.bytes", "fetch.max.wait.ms", "max.partition.fetch.bytes",
            "max.poll.records", "auto.offset.reset", "isolation.level");

    /** The allowed settings that are secret (passwords, keys, JAAS configurations): never shown. */
    private static final Set<String> SECRET = Set.of("sasl.jaas.config", "ssl.keystore.password", "ssl.key.password",
            "ssl.keystore.key", "ssl.truststore.password");
    static final String HIDDEN = "[hidden]";

    private KafkaSettings() {
    }

    /** What is wrong with {@code properties} for a bridge of {@code direction}; empty if nothing. */
    static List<String> problems(BridgeDirection direction, Map<String, String> properties) {
        List<String> problems = new ArrayList<>();
        Set<String> known = direction == BridgeDirection.EXPORT ? ProducerConfig.configNames() : ConsumerConfig.configNames();
        for (Map.Entry<String, String> e : properties.entrySet()) {
            String key = e.getKey();
            String why = OWNED.get(key);
            if (why != null) {
                problems.add("property '" + key + "' cannot be set: " + why);
            } else if (!ALLOWED.contains(key)) {
                problems.add("property '" + key + "' is not allowed for a bridge: it may set connection, security ("
                        + "security.protocol, sasl.mechanism, sasl.jaas.config, ssl.*), timeout and batching settings"
                        + " only; see docs/bridges.md");
            } else if (!known.contains(key)) {
                problems.add("property '" + key + "' is not a Kafka " + (direction == BridgeDirection.EXPORT ? "producer" : "consumer")
                        + " setting (an " + direction.wireName() + " bridge passes properties to a Kafka "
                        + (direction == BridgeDirection.EXPORT ? "producer" : "consumer") + ")");
            }
        }
        if (direction == BridgeDirection.EXPORT) {
            String idempotence = properties.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);
            if (idempotence != null && !idempotence.trim().equalsIgnoreCase("true")) {
                problems.add("property 'enable.idempotence' must stay true: without it a retry can duplicate or reorder records");
            }
            String acks = properties.get(ProducerConfig.ACKS_CONFIG);
            if (acks != null && !acks.trim().equalsIgnoreCase("all") && !acks.trim().equals("-1")) {
                problems.add("property 'acks' must stay 'all': the bridge commits only what every in-sync replica stored");
            }
            String inFlight = properties.get(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION);
            if (inFlight != null) {
                try {
                    int n = Integer.parseInt(inFlight.trim());
                    if (n < 1 || n > 5) {
                        problems.add("property 'max.in.flight.requests.per.connection' must be between 1 and 5 (idempotence keeps order only up to 5), not " + n);
                    }
                } catch (NumberFormatException ex) {
                    problems.add("property 'max.in.flight.requests.per.connection' must be a whole number, not '" + inFlight + "'");
                }
            }
        }
        if (problems.isEmpty()) {
            // Kafka's own checks of every value (types, ranges, enums), without connecting anywhere.
            ConfigDef def = direction == BridgeDirection.EXPORT ? ProducerConfig.configDef() : ConsumerConfig.configDef();
            Map<String, Object> all = direction == BridgeDirection.EXPORT
                    ? producer("validation", "localhost:9092", properties)
                    : consumer("validation", "localhost:9092", "validation", properties);
            try {
                def.parse(all);
            } catch (ConfigException ex) {
                problems.add("properties: " + ex.getMessage());
            }
        }
        return problems;
    }

    /** Producer settings of an export bridge. */
    static Map<String, Object> producer(BridgeDefinition d) {
        return producer(d.name(), d.bootstrapServers(), d.properties());
    }

    /** Consumer settings of an import bridge. */
    static Map<String, Object> consumer(BridgeDefinition d) {
        return consumer(d.name(), d.bootstrapServers(), d.group(), d.properties());
    }

    /** Settings of the admin client that checks the cluster and topic: the user's connection settings only. */
    static Map<String, Object> admin(BridgeDefinition d) {
        Map<String, Object> p = new HashMap<>();
        Set<String> adminKeys = AdminClientConfig.configNames();
        d.properties().forEach((k, v) -> {
            if (adminKeys.contains(k) && !k.endsWith(".timeout.ms")) {
                p.put(k, v);
            }
        });
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, d.bootstrapServers());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId(d.name()) + "-admin");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        return p;
    }

    private static Map<String, Object> producer(String name, String bootstrap, Map<String, String> properties) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId(name));
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        p.putAll(properties);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.putIfAbsent(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return p;
    }

    private static Map<String, Object> consumer(String name, String bootstrap, String group, Map<String, String> properties) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId(name));
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        // Static membership (KIP-345): a restarted bridge takes its partitions back at once instead of
        // waiting for a rebalance, and a second consumer of the same bridge is fenced off.
        p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, clientId(name));
        p.putAll(properties);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return p;
    }

    static String clientId(String bridgeName) {
        return "runnel-bridge-" + bridgeName;
    }

    /**
     * Whether the API may show a property's value: only allowed settings that are not secret. Anything else
     * (passwords, PEM keys, JAAS configurations, and any name not on the allow-list) is {@link #HIDDEN}.
     */
    static boolean shown(String key) {
        return ALLOWED.contains(key) && !SECRET.contains(key);
    }
}
