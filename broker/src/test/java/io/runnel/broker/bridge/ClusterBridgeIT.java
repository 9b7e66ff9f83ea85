package io.runnel.broker.bridge;

import static io.runnel.broker.bridge.BridgeScenarios.readKafka;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnel.broker.bridge.BridgeScenarios.KafkaRecord;
import io.runnel.broker.config.Option;
import io.runnel.broker.process.BrokerProcess;
import io.runnel.broker.process.BrokerProcesses;
import io.runnel.broker.process.ClusterHarness;
import io.runnel.broker.process.ConsumerClient;
import io.runnel.broker.process.HistoryChecker;
import io.runnel.broker.process.HttpLoad;
import io.runnel.discovery.TokenRing;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bridges in a three-broker cluster of real broker JVMs ({@link ClusterHarness}) against a real Kafka
 * broker in this JVM ({@link EmbeddedKafka}):
 * <ul>
 *   <li>a bridge created through any broker's admin API, or declared in every broker's
 *       {@code --bridges-file}, is known to all of them, and exactly one runs it (the others list it as
 *       {@code remote} and name the same broker; asked for it by name, they relay the runner's status);</li>
 *   <li>under keyed load on both sides, {@code kill -9} of the broker running the export, and later of
 *       the one running the import: each bridge moves to a surviving broker and comes back after the
 *       restart, and nothing is lost: every acknowledged event reaches the other side, in order per
 *       key; the duplicates the moves cause are counted and printed.</li>
 * </ul>
 */
class ClusterBridgeIT {
    private static final int BROKERS = 3;
    private static final int RANGES = 2;
    private static final TokenRing RING = new TokenRing(BROKERS, RANGES);
    private static final Duration READY = Duration.ofSeconds(60);
    private static final Duration MOVE = Duration.ofSeconds(60);
    private static final Duration SETTLE = Duration.ofSeconds(90);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static EmbeddedKafka kafka;

    @RegisterExtension
    final BrokerProcesses processes = new BrokerProcesses();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private ClusterHarness cluster;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"));
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @AfterEach
    void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void eachBridgeRunsOnOneBrokerMovesWhenItIsKilledAndLosesNothing() throws Exception {
        kafka.createTopic("exported", 4);
        kafka.createTopic("to-import", 4);
        // The import is declared in every broker's --bridges-file; the export is created through broker 0's API.
        Path declared = dir.resolve("bridges.json");
        Files.writeString(declared, "[{\"name\":\"in\",\"direction\":\"import\",\"topic\":\"imported\","
                + "\"kafkaTopic\":\"to-import\",\"bootstrapServers\":\"" + kafka.bootstrap() + "\"}]");
        cluster = new ClusterHarness(processes, BROKERS, RANGES, Map.of(Option.BRIDGES_FILE, declared.toString()));
        cluster.startAll().awaitReady(READY);
        cluster.awaitSettled(SETTLE);

        assertThat(put(0, "out", "{\"direction\":\"export\",\"topic\":\"orders\",\"kafkaTopic\":\"exported\","
                + "\"bootstrapServers\":\"" + kafka.bootstrap() + "\"}").statusCode()).isEqualTo(201);
        int exportOwner = awaitOneRunner("out", -1);
        int importOwner = awaitOneRunner("in", -1);
        log("export runs on broker " + exportOwner + ", import on broker " + importOwner);

        HttpLoad.Settings settings = new HttpLoad.Settings("orders", "x", 4, 40, 1, 5, 11, "x-key-");
        KafkaLoad kafkaLoad = new KafkaLoad(kafka.bootstrap(), "to-import", 40);
        List<HttpLoad.Acked> acked;
        List<HttpLoad.Unacked> unacked;
        try (HttpLoad load = new HttpLoad(cluster.producerUris(), settings, REQUEST_TIMEOUT).pace(Duration.ofMillis(20))) {
            load.start();
            Thread kafkaThread = Thread.ofPlatform().name("kafka-load").start(kafkaLoad);
            try {
                await().atMost(MOVE).until(() -> counter(exportOwner, "out", "eventsBridged") > 0
                        && counter(importOwner, "in", "eventsBridged") > 0);
                // Any other broker relays GET /v1/bridges/{name} to the runner, which has the counters.
                int other = (exportOwner + 1) % BROKERS;
                JsonNode relayed = bridge(other, "out").orElseThrow();
                assertThat(relayed.path("state").asText()).isIn("running", "failing");
                assertThat(relayed.path("broker").asInt()).isEqualTo(exportOwner);
                assertThat(relayed.path("eventsBridged").asLong()).isPositive();
                assertThat(listed(other, "out").orElseThrow().path("state").asText()).isEqualTo("remote");

                int exportMovedTo = killAndRestart(exportOwner, "out");
                log("export moved to broker " + exportMovedTo + " while broker " + exportOwner + " was down");
                int importNow = awaitOneRunner("in", -1);
                int importMovedTo = killAndRestart(importNow, "in");
                log("import moved to broker " + importMovedTo + " while broker " + importNow + " was down");

                long target = load.ackedBatches() + 200;
                load.awaitAcked(target, Duration.ofSeconds(60));
            } finally {
                load.stop();
                kafkaLoad.stop();
                kafkaThread.join(Duration.ofSeconds(30));
            }
            acked = load.acked();
            unacked = load.unacked();
        }

        // Export: everything acknowledged by Runnel is in Kafka, as Runnel stored it, in order per key.
        Set<String> ackedIds = new HashSet<>();
        acked.forEach(a -> ackedIds.addAll(a.batch().ids()));
        List<KafkaRecord> records = readKafka(kafka.bootstrap(), "exported",
                rs -> ids(rs).containsAll(ackedIds), Duration.ofMinutes(2));
        List<ConsumerClient.Record> asRead = new ArrayList<>();
        List<KafkaRecord> ordered = new ArrayList<>(records);
        ordered.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                : Long.compare(a.offset(), b.offset()));
        for (KafkaRecord r : ordered) {
            JsonNode value = JSON.readTree(r.value());
            assertThat(r.key()).as("Kafka key of %s", r).isEqualTo(value.path("key").asText());
            assertThat(r.headers().get("runnel.topic")).isEqualTo("orders");
            int partition = Integer.parseInt(r.headers().get("runnel.partition"));
            assertThat(partition).as("runnel.partition of %s", r).isEqualTo(RING.partitionOf(r.key()));
            asRead.add(new ConsumerClient.Record("orders", partition, Long.parseLong(r.headers().get("runnel.offset")), 0, value));
        }
        HistoryChecker.Report exported = HistoryChecker.check(acked, unacked, asRead);
        log("export: " + exported.summary());
        assertThat(exported.ok()).as(exported.describe()).isTrue();
        assertThat(exported.lost()).isZero();
        System.out.printf("[cluster export] %d Kafka records for %d acknowledged events; duplicates: %d%n",
                records.size(), exported.ackedEvents(), exported.redelivered());

        // Import: everything Kafka acknowledged is in Runnel, in the key's partition, in order per key.
        List<String> sent = kafkaLoad.acked();
        List<ConsumerClient.Record> imported = cluster.readAll("imported", "check-import", new HashSet<>(sent),
                Duration.ofMinutes(2));
        int duplicates = checkImported(sent, imported);
        System.out.printf("[cluster import] %d events read for %d acknowledged by Kafka; duplicates: %d%n",
                imported.size(), sent.size(), duplicates);
    }

    /**
     * Kills the broker running {@code bridge}, waits until the survivors agree on another runner that
     * moves events, restarts the killed broker and waits until exactly one broker runs the bridge again.
     *
     * @return the broker the bridge ran on while the killed one was down
     */
    private int killAndRestart(int owner, String bridge) {
        long before = counter(owner, bridge, "eventsBridged");
        cluster.broker(owner).kill();
        log("killed broker " + owner + " running bridge " + bridge + " after " + before + " events");
        int movedTo = awaitOneRunner(bridge, owner);
        assertThat(movedTo).isNotEqualTo(owner);
        long atMove = counter(movedTo, bridge, "eventsBridged");
        await().atMost(MOVE).until(() -> counter(movedTo, bridge, "eventsBridged") > atMove);
        cluster.broker(owner).start().awaitReady(READY);
        // Every replica back in sync before the next kill: two brokers down at once is a lost majority.
        cluster.awaitSettled(SETTLE);
        int after = awaitOneRunner(bridge, -1);
        log("broker " + owner + " restarted; bridge " + bridge + " runs on broker " + after);
        return movedTo;
    }

    /**
     * Waits until every answering broker (but {@code down}) names the same runner of {@code bridge} in its
     * own list ({@code GET /v1/bridges}, never relayed), that broker reports it running and the others
     * {@code remote}.
     */
    private int awaitOneRunner(String bridge, int down) {
        int[] owner = {-1};
        await().atMost(MOVE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            Map<Integer, JsonNode> views = new TreeMap<>();
            for (int b = 0; b < BROKERS; b++) {
                if (b != down) {
                    views.put(b, listed(b, bridge).orElseThrow(() -> new AssertionError("no answer")));
                }
            }
            Set<Integer> named = new HashSet<>();
            views.values().forEach(v -> named.add(v.path("broker").asInt(-1)));
            assertThat(named).as("runner of %s per broker: %s", bridge, views).hasSize(1);
            int runner = named.iterator().next();
            assertThat(runner).isNotNegative().isNotEqualTo(down);
            views.forEach((b, v) -> assertThat(v.path("state").asText()).as("state of %s on broker %d", bridge, b)
                    .isIn(b == runner ? List.of("running", "failing") : List.of("remote")));
            owner[0] = runner;
        });
        return owner[0];
    }

    /** The bridge as broker {@code broker} lists it in {@code GET /v1/bridges}: its own view. */
    private Optional<JsonNode> listed(int broker, String name) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(admin(broker, "/v1/bridges"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return Optional.empty();
            }
            for (JsonNode b : JSON.readTree(r.body()).path("bridges")) {
                if (b.path("name").asText().equals(name)) {
                    return Optional.of(b);
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private long counter(int broker, String bridge, String field) {
        return bridge(broker, bridge).map(v -> v.path(field).asLong()).orElse(0L);
    }

    private Optional<JsonNode> bridge(int broker, String name) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(admin(broker, "/v1/bridges/" + name))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(JSON.readTree(r.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private HttpResponse<String> put(int broker, String name, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(admin(broker, "/v1/bridges/" + name)).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI admin(int broker, String path) {
        BrokerProcess b = cluster.broker(broker);
        return URI.create(b.discoveryUri() + path);
    }

    private static Set<String> ids(List<KafkaRecord> records) {
        Set<String> out = new HashSet<>();
        for (KafkaRecord r : records) {
            try {
                out.add(JSON.readTree(r.value()).path("id").asText());
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + r.value(), e);
            }
        }
        return out;
    }

    /** Every id of {@code sent} read, in its key's partition, first readings in send order per key. */
    private static int checkImported(List<String> sent, List<ConsumerClient.Record> read) {
        Map<String, List<String>> sentByKey = new HashMap<>();
        for (String id : sent) {
            sentByKey.computeIfAbsent(keyOf(id), k -> new ArrayList<>()).add(id);
        }
        Map<String, Set<String>> seen = new HashMap<>();
        Map<String, List<String>> firstByKey = new HashMap<>();
        int duplicates = 0;
        // Per partition in offset order: one key lives in one partition, so that is the key's order.
        List<ConsumerClient.Record> ordered = new ArrayList<>(read);
        ordered.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                : Long.compare(a.offset(), b.offset()));
        Set<String> positions = new HashSet<>();
        for (ConsumerClient.Record r : ordered) {
            if (!positions.add(r.partition() + "@" + r.offset())) {
                continue; // the reader got this position twice (a rebalance while reading), not an import duplicate
            }
            String id = r.id();
            String key = r.key();
            assertThat(r.partition()).as("partition of %s", id).isEqualTo(RING.partitionOf(key));
            if (!seen.computeIfAbsent(key, k -> new HashSet<>()).add(id)) {
                duplicates++;
                continue;
            }
            firstByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(id);
        }
        sentByKey.forEach((key, ids) -> {
            List<String> got = firstByKey.getOrDefault(key, List.of());
            assertThat(got).as("key %s: every event Kafka acknowledged, in order", key).containsSubsequence(ids);
            assertThat(got).as("key %s: every event Kafka acknowledged", key).containsAll(ids);
        });
        return duplicates;
    }

    private static String keyOf(String id) {
        return id.substring(0, id.lastIndexOf('-'));
    }

    private static void log(String line) {
        System.out.println("ClusterBridgeIT " + line);
    }

    /**
     * Keyed events produced to Kafka until stopped: {@code {"id":"ik<k>-<n>","key":"ik<k>","seq":n}},
     * idempotent with {@code acks=all}, so per key Kafka keeps the send order. Records which ids Kafka
     * acknowledged, in acknowledgement order per key.
     */
    private static final class KafkaLoad implements Runnable {
        private final String bootstrap;
        private final String topic;
        private final int keys;
        private final CountDownLatch stopped = new CountDownLatch(1);
        private final ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();

        KafkaLoad(String bootstrap, String topic, int keys) {
            this.bootstrap = bootstrap;
            this.topic = topic;
            this.keys = keys;
        }

        @Override
        public void run() {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                for (int n = 0; stopped.getCount() > 0; n++) {
                    for (int k = 0; k < keys; k++) {
                        String key = "ik" + k;
                        String id = key + "-" + n;
                        producer.send(new ProducerRecord<>(topic, key, "{\"id\":\"" + id + "\",\"key\":\"" + key
                                + "\",\"seq\":" + n + "}"), (md, e) -> {
                                    if (e == null) {
                                        acked.add(id);
                                    }
                                });
                    }
                    producer.flush();
                    try {
                        if (stopped.await(20, TimeUnit.MILLISECONDS)) { // paced: a round every 20 ms until stopped
                            return;
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }

        void stop() {
            stopped.countDown();
        }

        List<String> acked() {
            return List.copyOf(acked);
        }
    }
}
