package io.runnel.benchmarks.sidebyside;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Options of {@link KafkaBench}, named like the Runnel load generator's so that the side-by-side
 * script passes the same values to both.
 *
 * @param bootstrap     Kafka bootstrap servers ({@code host:port,...})
 * @param topic         topic
 * @param connections   lanes: each has one request of {@link #batch} records in flight, like a
 *                      load-generator connection
 * @param producers     KafkaProducer instances the lanes share (lane {@code i} uses producer {@code i % producers})
 * @param batch         records per request; they share one key, as the events of a Runnel request do
 * @param eventSize     bytes per record value (the load generator's JSON event)
 * @param keys          distinct keys {@code k0…}; 0 sends records without a key
 * @param rate          records/s over all lanes; 0 is full speed
 * @param duration      measured time after the warmup
 * @param warmup        time before measuring
 * @param lingerMs      producer {@code linger.ms}
 * @param batchBytes    producer {@code batch.size}
 * @param partitions    partitions of a topic made by {@code create-topic}
 * @param replicationFactor replication factor of that topic
 * @param topicConfigs  topic configs of that topic ({@code --config name=value}, repeatable)
 * @param json          file the results are written to (the load generator's JSON shape), or {@code null}
 * @param consumers     consumers of {@link #group}: with {@code produce}, they read what is produced (end-to-end
 *                      latency from each record's {@code "ts"}); {@code consume} needs at least one
 * @param group         consumer group
 * @param events        {@code consume}: records to read from the start of the topic; {@code produce}: records to
 *                      send instead of running for {@link #duration} (0: by duration)
 * @param drain         {@code produce} with consumers: how long they may catch up after producing
 */
public record KafkaBenchOptions(
        String bootstrap,
        String topic,
        int connections,
        int producers,
        int batch,
        int eventSize,
        int keys,
        long rate,
        Duration duration,
        Duration warmup,
        int lingerMs,
        int batchBytes,
        int partitions,
        short replicationFactor,
        Map<String, String> topicConfigs,
        Path json,
        int consumers,
        String group,
        long events,
        Duration drain) {

    private static final Set<String> KNOWN = Set.of("bootstrap", "topic", "connections", "producers", "batch",
            "size", "keys", "rate", "duration", "warmup", "linger-ms", "batch-bytes", "partitions",
            "replication-factor", "config", "json", "consumers", "group", "events", "drain");

    public KafkaBenchOptions {
        if (connections < 1 || producers < 1 || batch < 1 || eventSize < 1 || keys < 0 || rate < 0) {
            throw new IllegalArgumentException("connections, producers, batch and size must be positive; keys and rate not negative");
        }
        if (duration.isNegative() || duration.isZero() || warmup.isNegative()) {
            throw new IllegalArgumentException("--duration must be positive and --warmup not negative");
        }
        if (partitions < 1 || replicationFactor < 1) {
            throw new IllegalArgumentException("--partitions and --replication-factor must be positive");
        }
        topicConfigs = Map.copyOf(topicConfigs);
        if (consumers < 0 || events < 0 || drain.isNegative()) {
            throw new IllegalArgumentException("--consumers, --events and --drain must not be negative");
        }
    }

    /**
     * Parses {@code --name value} pairs; {@code --config name=value} may repeat.
     *
     * @throws IllegalArgumentException naming the option to fix
     */
    public static KafkaBenchOptions parse(String[] args, int from) {
        Map<String, String> o = new HashMap<>();
        Map<String, String> configs = new LinkedHashMap<>();
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value, not '" + a + "'");
            }
            String name = a.substring(2);
            String value = args[++i];
            if (!KNOWN.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name);
            }
            if (name.equals("config")) {
                int eq = value.indexOf('=');
                if (eq < 1) {
                    throw new IllegalArgumentException("--config needs name=value, not '" + value + "'");
                }
                configs.put(value.substring(0, eq), value.substring(eq + 1));
            } else {
                o.put(name, value);
            }
        }
        int batch = num(o, "batch", 100);
        int size = num(o, "size", 200);
        return new KafkaBenchOptions(
                o.getOrDefault("bootstrap", "127.0.0.1:9092"),
                o.getOrDefault("topic", "bench"),
                num(o, "connections", 8),
                num(o, "producers", 3),
                batch,
                size,
                num(o, "keys", 0),
                num(o, "rate", 0),
                seconds(o, "duration", 10),
                seconds(o, "warmup", 2),
                num(o, "linger-ms", 5),
                // Big enough that one request's records fit one producer batch (Kafka's default is 16 KiB).
                num(o, "batch-bytes", Math.max(16_384, batch * (size + 70))),
                num(o, "partitions", 12),
                (short) num(o, "replication-factor", 3),
                configs,
                o.containsKey("json") ? Path.of(o.get("json")) : null,
                num(o, "consumers", 0),
                o.getOrDefault("group", "kafka-bench"),
                num(o, "events", 0),
                seconds(o, "drain", 10));
    }

    private static int num(Map<String, String> o, String name, int def) {
        String s = o.get(name);
        try {
            return s == null ? def : Math.toIntExact(Long.parseLong(s.replace("_", "")));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, not '" + s + "'");
        }
    }

    private static Duration seconds(Map<String, String> o, String name, double def) {
        String s = o.get(name);
        try {
            double v = s == null ? def : Double.parseDouble(s);
            return Duration.ofNanos(Math.round(v * 1e9));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be seconds, not '" + s + "'");
        }
    }
}
