package io.runnel.broker.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnel.broker.bridge.RunnelNode.StoredEvent;
import io.runnel.discovery.TokenRing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the bridge ITs share: keyed test events {@code {"key":"k7","seq":12}}, producing them to
 * Runnel (HTTP) or Kafka (kafka-clients), reading them back on the other side, and checking the
 * result: nothing lost, order per key kept, duplicates counted (and printed).
 */
final class BridgeScenarios {
    /** The ring of a single broker with the default 4 ranges: where Runnel puts each key. */
    static final TokenRing RING = new TokenRing(1, RunnelNode.PARTITIONS);

    private BridgeScenarios() {
    }

    static String key(int k) {
        return "k" + k;
    }

    static String event(String key, int seq) {
        return "{\"key\":\"" + key + "\",\"seq\":" + seq + "}";
    }

    static String exportDefinition(String topic, String kafkaTopic, String bootstrap) {
        return "{\"direction\":\"export\",\"topic\":\"" + topic + "\",\"kafkaTopic\":\"" + kafkaTopic
                + "\",\"bootstrapServers\":\"" + bootstrap + "\"}";
    }

    static String importDefinition(String topic, String kafkaTopic, String bootstrap) {
        return "{\"direction\":\"import\",\"topic\":\"" + topic + "\",\"kafkaTopic\":\"" + kafkaTopic
                + "\",\"bootstrapServers\":\"" + bootstrap + "\"}";
    }

    /**
     * Produces sequence numbers {@code [from, to)} of keys {@code 0..keys-1} to Runnel over HTTP, each
     * request {@code batch} events of one key. Keys are spread over 4 threads; each key's requests
     * go one after the other, so its events are stored in sequence order.
     */
    static void produceToRunnel(RunnelNode node, String topic, int keys, int from, int to, int batch) {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int seq = from; seq < to; seq += batch) {
                        for (int k = thread; k < keys; k += 4) {
                            List<String> events = new ArrayList<>();
                            for (int s = seq; s < Math.min(to, seq + batch); s++) {
                                events.add(event(key(k), s));
                            }
                            node.produce(topic, key(k), events);
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(5, TimeUnit.MINUTES);
            }
        } catch (Exception e) {
            throw new IllegalStateException("producing to Runnel failed", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Produces sequence numbers {@code [from, to)} of every key to Kafka, in order per key. */
    static void produceToKafka(String bootstrap, String topic, int keys, int from, int to) {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int seq = from; seq < to; seq++) {
                for (int k = 0; k < keys; k++) {
                    acks.add(producer.send(new ProducerRecord<>(topic, key(k), event(key(k), seq))));
                }
            }
            producer.flush();
            for (Future<RecordMetadata> a : acks) {
                a.get(60, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("producing to Kafka failed", e);
        }
    }

    /** A record read from Kafka. */
    record KafkaRecord(int partition, long offset, String key, String value, Map<String, String> headers) {
    }

    /**
     * Reads {@code topic} from the beginning of every partition until {@code done} holds for what was
     * read (or {@code timeout} passes), and returns everything read, partition by partition in order.
     */
    static List<KafkaRecord> readKafka(String bootstrap, String topic, Predicate<List<KafkaRecord>> done, Duration timeout) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<KafkaRecord> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(out) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    Map<String, String> headers = new HashMap<>();
                    for (Header h : r.headers()) {
                        headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
                    }
                    out.add(new KafkaRecord(r.partition(), r.offset(), r.key(), r.value(), headers));
                }
            }
        }
        return out;
    }

    /**
     * The export round trip: half the events are in Runnel before the bridge exists (it starts from
     * the earliest), half arrive while it runs. Checks every event, key, header and the order per
     * key in Kafka, and the bridge's own counters. Returns the duplicates (none expected).
     */
    static int exportRoundTrip(RunnelNode node, String bootstrap, String name, String topic, String kafkaTopic,
            int keys, int perKey) {
        produceToRunnel(node, topic, keys, 0, perKey / 2, 10);
        HttpResponseAssert.status(node.putBridge(name, exportDefinition(topic, kafkaTopic, bootstrap)), 201);
        produceToRunnel(node, topic, keys, perKey / 2, perKey, 10);
        int total = keys * perKey;
        List<KafkaRecord> records = readKafka(bootstrap, kafkaTopic, r -> distinctExported(r) >= total, Duration.ofMinutes(3));
        int duplicates = checkExported(name, records, topic, keys, perKey);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode b = node.bridge(name);
            assertThat(b.path("state").asText()).isEqualTo("running");
            assertThat(b.path("eventsBridged").asLong()).isEqualTo(total);
            assertThat(b.path("lag").asLong()).isZero();
        });
        return duplicates;
    }

    /**
     * The import round trip: every event is produced to Kafka (plus two records that are not JSON,
     * which the bridge skips and reports), then the bridge imports them. Checks every event, its key
     * and partition and the order per key in Runnel, and the bridge's counters. Returns the
     * duplicates (none expected).
     */
    static int importRoundTrip(RunnelNode node, String bootstrap, String name, String kafkaTopic, String topic,
            int keys, int perKey) {
        produceToKafka(bootstrap, kafkaTopic, keys, 0, perKey);
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(kafkaTopic, "bad", "this is not JSON")).get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(kafkaTopic, "bad", null)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        HttpResponseAssert.status(node.putBridge(name, importDefinition(topic, kafkaTopic, bootstrap)), 201);
        int total = keys * perKey;
        org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> node.readTopic(topic).size() >= total);
        List<StoredEvent> events = node.readTopic(topic);
        assertThat(events).as("records that are not JSON are skipped").noneMatch(e -> "bad".equals(e.key()));
        int duplicates = checkImported(name, events, keys, perKey);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode b = node.bridge(name);
            assertThat(b.path("state").asText()).isEqualTo("running");
            assertThat(b.path("eventsBridged").asLong()).isEqualTo(total);
            assertThat(b.path("errors").asLong()).isEqualTo(2);
            assertThat(b.path("lastError").asText()).contains("skipped Kafka record " + kafkaTopic + "/");
            assertThat(b.path("lag").asLong()).isZero();
        });
        return duplicates;
    }

    /** Distinct events among exported records (by their Runnel partition and offset). */
    static int distinctExported(List<KafkaRecord> records) {
        Set<String> ids = new HashSet<>();
        for (KafkaRecord r : records) {
            ids.add(r.headers().get("runnel.partition") + "@" + r.headers().get("runnel.offset"));
        }
        return ids.size();
    }

    /**
     * Checks an export: every event {@code 0..perKey-1} of every key arrived, with the partition key
     * as Kafka key and correct headers, in sequence order per key (duplicates aside).
     *
     * @return the number of duplicates (same Runnel partition and offset seen again)
     */
    static int checkExported(String label, List<KafkaRecord> records, String runnelTopic, int keys, int perKey) {
        Map<String, KafkaRecord> firstById = new HashMap<>();
        Map<String, Integer> lastSeq = new HashMap<>();
        Map<String, Set<Integer>> seqs = new HashMap<>();
        int duplicates = 0;
        // Kafka keeps order per partition, and one key lives in one partition: check per key in that order.
        List<KafkaRecord> ordered = new ArrayList<>(records);
        ordered.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
                : Long.compare(a.offset(), b.offset()));
        for (KafkaRecord r : ordered) {
            JsonNode event = parse(r.value());
            String key = event.path("key").asText();
            int seq = event.path("seq").asInt();
            assertThat(r.key()).as("Kafka key of %s", r).isEqualTo(key);
            assertThat(r.headers().get("runnel.topic")).as("runnel.topic of %s", r).isEqualTo(runnelTopic);
            assertThat(r.headers().get("runnel.partition")).as("runnel.partition of %s", r)
                    .isEqualTo(Integer.toString(RING.partitionOf(key)));
            assertThat(r.headers().get("runnel.offset")).as("runnel.offset of %s", r).matches("\\d+");
            String id = r.headers().get("runnel.partition") + "@" + r.headers().get("runnel.offset");
            KafkaRecord first = firstById.putIfAbsent(id, r);
            if (first != null) {
                duplicates++;
                assertThat(r.value()).as("a duplicate of %s carries the same event", id).isEqualTo(first.value());
                continue;
            }
            Integer previous = lastSeq.put(key, seq);
            assertThat(previous == null || seq > previous).as("%s: key %s has seq %s after %s (order per key broken)",
                    label, key, seq, previous).isTrue();
            seqs.computeIfAbsent(key, k -> new TreeSet<>()).add(seq);
        }
        assertComplete(label, seqs, keys, perKey);
        System.out.printf("[%s] %d Kafka records, %d distinct events, %d duplicates%n", label, records.size(),
                firstById.size(), duplicates);
        return duplicates;
    }

    /**
     * Checks an import: every event {@code 0..perKey-1} of every key is in the Runnel topic, stored
     * with its key in the key's ring partition, in sequence order per key (duplicates aside).
     *
     * @return the number of duplicates (same key and sequence stored again)
     */
    static int checkImported(String label, List<StoredEvent> events, int keys, int perKey) {
        Map<String, Integer> lastSeq = new HashMap<>();
        Map<String, Set<Integer>> seqs = new HashMap<>();
        int duplicates = 0;
        for (StoredEvent e : events) {
            JsonNode event = parse(e.value());
            String key = event.path("key").asText();
            int seq = event.path("seq").asInt();
            assertThat(e.key()).as("stored key of %s", e).isEqualTo(key);
            assertThat(e.partition()).as("partition of %s", e).isEqualTo(RING.partitionOf(key));
            Set<Integer> seen = seqs.computeIfAbsent(key, k -> new TreeSet<>());
            if (!seen.add(seq)) {
                duplicates++;
                continue;
            }
            Integer previous = lastSeq.put(key, seq);
            assertThat(previous == null || seq > previous).as("%s: key %s has seq %s after %s (order per key broken)",
                    label, key, seq, previous).isTrue();
        }
        assertComplete(label, seqs, keys, perKey);
        System.out.printf("[%s] %d Runnel events, %d distinct, %d duplicates%n", label, events.size(),
                events.size() - duplicates, duplicates);
        return duplicates;
    }

    private static void assertComplete(String label, Map<String, Set<Integer>> seqs, int keys, int perKey) {
        assertThat(seqs.keySet()).as("%s: keys seen", label).hasSize(keys);
        for (Map.Entry<String, Set<Integer>> e : seqs.entrySet()) {
            Set<Integer> expected = new TreeSet<>();
            for (int s = 0; s < perKey; s++) {
                expected.add(s);
            }
            assertThat(e.getValue()).as("%s: sequence numbers of key %s (lost events?)", label, e.getKey()).isEqualTo(expected);
        }
    }

    static JsonNode parse(String json) {
        try {
            return RunnelNode.JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }
}
