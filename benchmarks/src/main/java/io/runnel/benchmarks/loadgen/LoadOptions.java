package io.runnel.benchmarks.loadgen;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What one load-generator run does, parsed from the command line ({@link #parse}).
 *
 * @param produce          run producers
 * @param consume          run consumers
 * @param brokers          producer endpoints; connection {@code i} goes to {@code brokers[i % n]}
 * @param connections      producer connections, each with one request in flight
 * @param batch            events per NDJSON request
 * @param eventSize        bytes per event (without the newline)
 * @param keys             distinct partition keys, one per request; 0 sends no partition key
 * @param rate             events per second over all connections; 0 is full speed
 * @param duration         measured time after the warmup, or {@code null} when {@link #events} is set
 * @param events           events to produce (or to consume, when only consuming); 0 when
 *                         {@link #duration} is set
 * @param warmup           time before measuring starts (traffic flows, nothing is recorded)
 * @param topic            the topic
 * @param consumers        consumers in {@link #group}
 * @param group            consumer group
 * @param consumerBrokers  consumer endpoints each consumer polls in turn
 * @param pollTimeoutMillis long-poll timeout sent with each poll
 * @param maxBytes         {@code maxBytes} sent with each poll
 * @param startFromEarliest {@code onNewGroup=startFromEarliest} rather than {@code startFromLatest}
 * @param drain            how long consumers keep reading after producers stop, to catch up
 * @param requestTimeout   a request without an answer by then counts as an error
 * @param ioThreads        Netty event-loop threads of the producers
 * @param json             file the results are written to as JSON, or {@code null}
 * @param tls              speak TLS to the brokers (without checking their certificate: a benchmark, not a client)
 * @param apiKey           sent as {@code Authorization: Bearer}, or {@code null}
 */
public record LoadOptions(
        boolean produce,
        boolean consume,
        List<Endpoint> brokers,
        int connections,
        int batch,
        int eventSize,
        int keys,
        long rate,
        Duration duration,
        long events,
        Duration warmup,
        String topic,
        int consumers,
        String group,
        List<Endpoint> consumerBrokers,
        int pollTimeoutMillis,
        int maxBytes,
        boolean startFromEarliest,
        Duration drain,
        Duration requestTimeout,
        int ioThreads,
        Path json,
        boolean tls,
        String apiKey) {

    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public LoadOptions {
        Objects.requireNonNull(brokers, "brokers");
        Objects.requireNonNull(consumerBrokers, "consumerBrokers");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(drain, "drain");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (!produce && !consume) {
            throw new IllegalArgumentException("nothing to do: give produce and/or consume");
        }
        if (!produce && consumers < 1) {
            throw new IllegalArgumentException("consume needs --consumers of at least 1");
        }
        if (consumers < 0) {
            throw new IllegalArgumentException("--consumers must be 0 or more, not " + consumers);
        }
        if (connections < 1) {
            throw new IllegalArgumentException("--connections must be at least 1, not " + connections);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, not " + batch);
        }
        if (keys < 0) {
            throw new IllegalArgumentException("--keys must be 0 (unkeyed) or more, not " + keys);
        }
        if (rate < 0) {
            throw new IllegalArgumentException("--rate must be 0 (full speed) or more, not " + rate);
        }
        if ((duration == null) == (events <= 0)) {
            throw new IllegalArgumentException("give exactly one of --duration and --events");
        }
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw new IllegalArgumentException("--duration must be positive");
        }
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("--warmup must not be negative");
        }
        if (topic == null || !TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw new IllegalArgumentException("--topic must be 1-249 of [a-zA-Z0-9._-], not '" + topic + "'");
        }
        if (group == null || group.isBlank()) {
            throw new IllegalArgumentException("--group must not be empty");
        }
        if (pollTimeoutMillis < 0) {
            throw new IllegalArgumentException("--poll-timeout must not be negative");
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("--max-bytes must be positive");
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("--request-timeout must be positive");
        }
        if (ioThreads < 1) {
            throw new IllegalArgumentException("--io-threads must be at least 1");
        }
        if (produce) {
            // Fails here, with the option to fix, rather than on the first request.
            new EventGenerator(eventSize, keys > 0 ? maxKeyLength(keys) : 0);
        }
    }

    /** The partition key of key index {@code i}: {@code k0…k(K-1)}. */
    public static String key(int i) {
        return "k" + i;
    }

    /** Length of the longest key among {@code keys} keys. */
    public static int maxKeyLength(int keys) {
        return key(Math.max(0, keys - 1)).length();
    }

    /** Whether a fixed rate is set (latency then counts from the intended send time). */
    public boolean fixedRate() {
        return rate > 0;
    }

    public static String usage() {
        return """
                Usage: loadgen [produce] [consume] [options]

                Drives a Runnel broker over its HTTP APIs and reports throughput and latency.
                  produce            POST NDJSON batches to the producer API (the default)
                  consume            register consumers and long-poll the consumer API
                  produce consume    both: produce-to-consume latency is measured from the "ts" field
                                     the producer embeds in each event

                Producer options:
                  --brokers H:P,...        producer endpoints (default 127.0.0.1:9251)
                  --connections N          connections, one request in flight each (default 8)
                  --batch B                events per request (default 100)
                  --size S                 bytes per JSON event, exact (default 200)
                  --keys K                 0 = no partitionKey (default); else one of K keys per request
                  --rate R                 events/s over all connections; 0 = full speed (default).
                                           At a fixed rate latency counts from the intended send time
                                           (no coordinated omission); at full speed from the actual send.
                  --io-threads T           Netty event-loop threads (default 1)
                Run length:
                  --duration SEC           measured seconds after warmup (default 10)
                  --events N               stop after N events instead of a duration
                  --warmup SEC             seconds of traffic before measuring (default 2)
                  --topic NAME             topic (default loadgen)
                Consumer options:
                  --consumers C            consumers (default 0; 1 with the consume command)
                  --group G                consumer group (default loadgen)
                  --consumer-brokers H:P,. consumer endpoints, polled in turn (default 127.0.0.1:9252)
                  --poll-timeout MS        long-poll timeout (default 1000)
                  --max-bytes N            maxBytes per poll (default 1048576)
                  --from earliest|latest   where a new group starts (default earliest)
                  --drain SEC              after producing, how long consumers may catch up (default 10)
                Other:
                  --request-timeout SEC    a request unanswered by then is an error (default 30)
                  --json FILE              also write the results as JSON
                  --tls true               HTTPS (the broker's certificate is not checked)
                  --api-key KEY            send Authorization: Bearer KEY
                  --help                   this text

                Durations accept fractions (0.5). Numbers accept _ separators (150_000).
                """;
    }

    /**
     * Parses the command line.
     *
     * @throws IllegalArgumentException with a message that says what to fix
     */
    public static LoadOptions parse(String... args) {
        boolean produce = false;
        boolean consume = false;
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("produce")) {
                produce = true;
            } else if (a.equals("consume")) {
                consume = true;
            } else if (a.startsWith("--")) {
                String name;
                String value;
                int eq = a.indexOf('=');
                if (eq > 0) {
                    name = a.substring(2, eq);
                    value = a.substring(eq + 1);
                } else {
                    name = a.substring(2);
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("--" + name + " needs a value");
                    }
                    value = args[++i];
                }
                if (!KNOWN.contains(name)) {
                    throw new IllegalArgumentException("unknown option --" + name);
                }
                if (opts.put(name, value) != null) {
                    throw new IllegalArgumentException("--" + name + " given twice");
                }
            } else {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            }
        }
        if (!produce && !consume) {
            produce = true;
        }
        int consumers = intOpt(opts, "consumers", consume ? 1 : 0);
        if (consume && consumers == 0) {
            throw new IllegalArgumentException("consume needs --consumers of at least 1");
        }
        consume = consumers > 0;

        Duration duration = null;
        long events = 0;
        if (opts.containsKey("events")) {
            if (opts.containsKey("duration")) {
                throw new IllegalArgumentException("give either --duration or --events, not both");
            }
            events = longOpt(opts, "events", 0);
            if (events <= 0) {
                throw new IllegalArgumentException("--events must be positive");
            }
        } else {
            duration = durationOpt(opts, "duration", Duration.ofSeconds(10));
        }
        String from = opts.getOrDefault("from", "earliest");
        if (!from.equals("earliest") && !from.equals("latest")) {
            throw new IllegalArgumentException("--from must be earliest or latest, not '" + from + "'");
        }
        String json = opts.get("json");
        return new LoadOptions(
                produce,
                consume,
                Endpoint.parseList(opts.getOrDefault("brokers", "127.0.0.1:9251")),
                intOpt(opts, "connections", 8),
                intOpt(opts, "batch", 100),
                intOpt(opts, "size", 200),
                intOpt(opts, "keys", 0),
                longOpt(opts, "rate", 0),
                duration,
                events,
                durationOpt(opts, "warmup", Duration.ofSeconds(2)),
                opts.getOrDefault("topic", "loadgen"),
                consumers,
                opts.getOrDefault("group", "loadgen"),
                Endpoint.parseList(opts.getOrDefault("consumer-brokers", "127.0.0.1:9252")),
                intOpt(opts, "poll-timeout", 1000),
                intOpt(opts, "max-bytes", 1 << 20),
                from.equals("earliest"),
                durationOpt(opts, "drain", Duration.ofSeconds(10)),
                durationOpt(opts, "request-timeout", Duration.ofSeconds(30)),
                intOpt(opts, "io-threads", 1),
                json == null ? null : Path.of(json),
                Boolean.parseBoolean(opts.getOrDefault("tls", "false")),
                opts.get("api-key"));
    }

    private static final java.util.Set<String> KNOWN = java.util.Set.of(
            "brokers", "connections", "batch", "size", "keys", "rate", "duration", "events", "warmup", "topic",
            "consumers", "group", "consumer-brokers", "poll-timeout", "max-bytes", "from", "drain",
            "request-timeout", "io-threads", "json", "tls", "api-key");

    private static int intOpt(Map<String, String> opts, String name, int def) {
        long v = longOpt(opts, name, def);
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw new IllegalArgumentException("--" + name + " is too large: " + v);
        }
        return (int) v;
    }

    private static long longOpt(Map<String, String> opts, String name, long def) {
        String s = opts.get(name);
        if (s == null) {
            return def;
        }
        try {
            return Long.parseLong(s.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, not '" + s + "'");
        }
    }

    private static Duration durationOpt(Map<String, String> opts, String name, Duration def) {
        String s = opts.get(name);
        if (s == null) {
            return def;
        }
        try {
            double seconds = Double.parseDouble(s.endsWith("s") ? s.substring(0, s.length() - 1) : s);
            if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
                throw new NumberFormatException();
            }
            return Duration.ofNanos(Math.round(seconds * 1e9));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be seconds (e.g. 20 or 0.5), not '" + s + "'");
        }
    }
}
