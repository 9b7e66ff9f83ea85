package io.runnel.broker.cluster;

import io.runnel.broker.common.RunnelException;
import io.runnel.broker.common.Errors;
import io.runnel.broker.consume.RemoteGroups;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnel.broker.consume.PartitionBatch;
import io.runnel.broker.consume.PollResult;
import io.runnel.storage.Chunk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An in-process consumer (as the Kafka export bridge is) reads its group's share on other brokers over
 * the cluster channel ({@link RemoteGroups#poll}, {@link RemoteGroups#commit}): three brokers in
 * this JVM, each leading one range. The stored chunks arrive as they are, so every event keeps its key.
 */
class ClusterGroupPollIT {
    private static final String TOPIC = "exports";
    private static final String GROUP = "export-group";
    private static final String CONSUMER = "exporter";

    @TempDir
    static Path dir;
    static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new LocalCluster(dir, 3, 2, Map.of());
        cluster.startAll();
        cluster.awaitSettled(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aConsumerReadsEveryBrokersShareWithItsKeysAndCommitsThere() throws Exception {
        // Three keys in each broker's range, 48 events in all, produced through every broker.
        List<String> keys = new ArrayList<>();
        for (int range = 0; range < 3; range++) {
            for (int j = 0; j < 3; j++) {
                keys.add(cluster.keyInRange(range, "key-" + range + "-" + j + "-"));
            }
        }
        Map<String, List<Integer>> produced = new TreeMap<>();
        int[] expectedPerBroker = new int[3];
        for (int n = 0; n < 48; n++) {
            String key = keys.get(n % keys.size());
            HttpResponse<String> r = cluster.produce(n % 3, TOPIC, key, "{\"n\":" + n + "}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            produced.computeIfAbsent(key, k -> new ArrayList<>()).add(n);
            expectedPerBroker[leaderOf(key)]++;
        }
        assertThat(Arrays.stream(expectedPerBroker)).as("events on partitions led by every broker").allMatch(c -> c > 0);

        HttpResponse<String> registered = cluster.put(cluster.consumer(0, "/v1/consumer/register?consumerId=" + CONSUMER
                + "&group=" + GROUP + "&topic=" + TOPIC + "&onNewGroup=startFromEarliest"));
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
        for (int b = 0; b < 3; b++) {
            int broker = b;
            await().atMost(Duration.ofSeconds(10)).until(() -> membersOf(broker).contains(CONSUMER));
        }

        RemoteGroups node0 = cluster.broker(0).node().remoteGroups();
        RemoteGroups node1 = cluster.broker(1).node().remoteGroups();
        // Broker 0's share through broker 1's node, the others' through broker 0's node: all over the channel.
        RemoteGroups[] via = {node1, node0, node0};
        Map<String, List<Integer>> seen = new TreeMap<>();
        int[] readPerBroker = new int[3];
        Map<Integer, Long> reached = new HashMap<>();
        List<Set<Integer>> lastPolled = List.of(new TreeSet<>(), new TreeSet<>(), new TreeSet<>());
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (int b = 0; b < 3; b++) {
                if (readPerBroker[b] >= expectedPerBroker[b]) {
                    continue; // stop there, so its last poll stays uncommitted until the commit
                }
                PollResult polled = via[b].poll(b, CONSUMER, 300, 0).get(15, TimeUnit.SECONDS);
                if (polled.isEmpty()) {
                    continue;
                }
                lastPolled.get(b).clear();
                for (PartitionBatch batch : polled.batches()) {
                    assertThat(cluster.ring.rangeOf(batch.partition())).as("broker %d answers only for the partitions it leads", b)
                            .isEqualTo(b);
                    assertThat(batch.topic()).isEqualTo(TOPIC);
                    readPerBroker[b] += readInto(batch, seen);
                    reached.merge(batch.partition(), batch.nextOffset(), Math::max);
                    lastPolled.get(b).add(batch.partition());
                }
            }
            return readPerBroker[0] >= expectedPerBroker[0] && readPerBroker[1] >= expectedPerBroker[1]
                    && readPerBroker[2] >= expectedPerBroker[2];
        });
        assertThat(seen).as("every event once, in order per key, with its key").isEqualTo(produced);
        assertThat(readPerBroker).isEqualTo(expectedPerBroker);

        // What each broker's last poll returned is not committed yet; the commit there commits it.
        for (int b = 0; b < 3; b++) {
            Map<Integer, Long> committed = committedOn(b);
            for (int p : lastPolled.get(b)) {
                assertThat(committed.getOrDefault(p, 0L)).as("partition %d before the commit", p).isLessThan(reached.get(p));
            }
        }
        node1.commit(0, CONSUMER).get(15, TimeUnit.SECONDS);
        node0.commit(1, CONSUMER).get(15, TimeUnit.SECONDS);
        node0.commit(2, CONSUMER).get(15, TimeUnit.SECONDS);
        for (int b = 0; b < 3; b++) {
            int broker = b;
            Map<Integer, Long> expected = new TreeMap<>();
            reached.forEach((p, next) -> {
                if (cluster.ring.rangeOf(p) == broker) {
                    expected.put(p, next);
                }
            });
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(committedOn(broker)).as("committed on broker %d", broker).containsAllEntriesOf(expected));
        }
    }

    @Test
    void anUnknownConsumerIsNotRegisteredOnTheOtherBroker() {
        RemoteGroups node0 = cluster.broker(0).node().remoteGroups();
        assertThatThrownBy(() -> node0.poll(1, "nobody", 0, 0).get(15, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOfSatisfying(RunnelException.class, e -> assertThat(e.error()).isEqualTo(Errors.NOT_REGISTERED));
        assertThatThrownBy(() -> node0.commit(2, "nobody").get(15, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOfSatisfying(RunnelException.class, e -> assertThat(e.error()).isEqualTo(Errors.NOT_REGISTERED));
    }

    @Test
    void theLocalBrokerIsRefused() {
        RemoteGroups node2 = cluster.broker(2).node().remoteGroups();
        assertThatThrownBy(() -> node2.poll(2, CONSUMER, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> node2.commit(2, CONSUMER)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> node2.poll(3, CONSUMER, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ helpers

    private static int leaderOf(String key) {
        return cluster.ring.rangeOf(cluster.ring.partitionOf(key)); // settled: range r is led by broker r
    }

    /** Adds the batch's events (from startOffset to nextOffset) to {@code seen} by key; returns how many. */
    private static int readInto(PartitionBatch batch, Map<String, List<Integer>> seen) {
        int n = 0;
        for (Chunk chunk : batch.chunks()) {
            Chunk.RecordCursor c = chunk.cursor();
            while (c.next()) {
                if (c.offset() < batch.startOffset() || c.offset() >= batch.nextOffset()) {
                    continue;
                }
                assertThat(c.hasKey()).as("offset %d of partition %d has its key", c.offset(), batch.partition()).isTrue();
                String key = new String(c.key(), StandardCharsets.UTF_8);
                assertThat(cluster.ring.partitionOf(key)).as("key %s", key).isEqualTo(batch.partition());
                seen.computeIfAbsent(key, k -> new ArrayList<>()).add(value(c).path("n").asInt(-1));
                n++;
            }
        }
        return n;
    }

    private static JsonNode value(Chunk.RecordCursor c) {
        try {
            return LocalCluster.JSON.readTree(c.array(), c.valueOffset(), c.valueLength());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Set<String> membersOf(int broker) {
        HttpResponse<String> r = cluster.get(cluster.discovery(broker, "/v1/groups/" + GROUP));
        Set<String> out = new TreeSet<>();
        if (r.statusCode() == 200) {
            LocalCluster.json(r).path("members").forEach(m -> out.add(m.path("consumerId").asText()));
        }
        return out;
    }

    /** The group's committed offsets in {@link #TOPIC} that {@code broker} reports, by partition. */
    private static Map<Integer, Long> committedOn(int broker) {
        HttpResponse<String> r = cluster.get(cluster.discovery(broker, "/v1/groups/" + GROUP));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<Integer, Long> out = new TreeMap<>();
        for (JsonNode c : LocalCluster.json(r).path("committed")) {
            if (c.path("topic").asText().equals(TOPIC)) {
                out.put(c.path("partition").asInt(), Long.parseLong(c.path("offset").asText()));
            }
        }
        return out;
    }
}
