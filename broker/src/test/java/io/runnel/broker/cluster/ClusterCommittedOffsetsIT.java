package io.runnel.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnel.broker.config.Option;
import io.runnel.discovery.Generation;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Committed offsets across three brokers in this JVM: they are replicated through {@code __consumer_offsets}
 * (so they survive the loss of the partition's leader and never move backwards), a seek moves them on
 * any broker, and clients cannot use the internal topic.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterCommittedOffsetsIT {
    @TempDir
    static Path dir;
    static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new LocalCluster(dir, 3, 2, Map.of(Option.CONSUMER_TIMEOUT_MS, "60000"));
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
    @Order(1)
    void clientsCannotUseTheInternalTopic() {
        HttpResponse<String> produced = cluster.produce(1, "__consumer_offsets", null, "{\"x\":1}");
        assertThat(produced.statusCode()).as(produced.body()).isEqualTo(400);
        assertThat(produced.body()).contains("invalid_topic");
        assertThat(cluster.produce(0, "__other", "k", "{}").statusCode()).isEqualTo(400);
        assertThat(register(2, "x", "gx", "__consumer_offsets").statusCode()).isEqualTo(400);
    }

    @Test
    @Order(2)
    void committedOffsetsSurviveTheLossOfTheLeaderAndNeverGoBack() throws Exception {
        String key = cluster.keyInRange(0, "order-");
        int partition = cluster.ring.partitionOf(key);
        for (int i = 0; i < 10; i++) {
            assertThat(cluster.produce(i % 3, "orders", key, "{\"n\":" + i + "}").statusCode()).isEqualTo(200);
        }
        assertThat(register(0, "c1", "ga", "orders").statusCode()).isEqualTo(200);
        assertThat(pollUntil(0, "c1", 10)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        // The next poll commits what the last one returned; the commit is on every replica.
        assertThat(poll(0, "c1", 0).statusCode()).isEqualTo(204);
        for (int b = 0; b < 3; b++) {
            int broker = b;
            await().atMost(Duration.ofSeconds(10)).until(() -> committed(broker, "ga", "orders", partition).orElse(-1) == 10);
        }
        JsonNode lag = lagOf(0, "ga", "orders", partition);
        assertThat(lag.path("committed").asLong()).isEqualTo(10);
        assertThat(lag.path("highWatermark").asLong()).isEqualTo(10);
        assertThat(lag.path("lag").asLong()).isZero();
        assertThat(lag.path("leader").asInt()).isZero();
        // Brokers that do not lead the partition ask its leader: any broker shows every partition's lag.
        for (int b = 1; b < 3; b++) {
            JsonNode relayed = lagOf(b, "ga", "orders", partition);
            assertThat(relayed).as("lag of partition %d on broker %d", partition, b).isNotNull();
            assertThat(relayed.path("highWatermark").asLong()).isEqualTo(10);
            assertThat(relayed.path("lag").asLong()).isZero();
            assertThat(relayed.path("leader").asInt()).isZero();
        }

        for (int i = 10; i < 15; i++) {
            assertThat(cluster.produce(1, "orders", key, "{\"n\":" + i + "}").statusCode()).isEqualTo(200);
        }
        assertThat(pollUntil(0, "c1", 5)).containsExactly(10, 11, 12, 13, 14); // read, not committed yet
        assertThat(lagOf(0, "ga", "orders", partition).path("lag").asLong()).isEqualTo(5);

        cluster.kill(0); // the leader of range 0 crashes
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Generation g = cluster.generation(1, 0);
            return g != null && g.leader() != 0;
        });
        Generation failedOver = cluster.generation(1, 0);
        int leader = failedOver.leader();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonNode l = lagOf(leader, "ga", "orders", partition);
            return l != null && l.path("committed").asLong() == 10;
        });
        // The new leader continues from the committed offset: only the uncommitted poll comes again.
        assertThat(pollUntil(leader, "c1", 5)).containsExactly(10, 11, 12, 13, 14);
        assertThat(poll(leader, "c1", 0).statusCode()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> lagOf(leader, "ga", "orders", partition)
                .path("committed").asLong() == 15);

        // The old leader comes back: its committed offset only moves forward, to 15.
        cluster.start(0);
        List<Long> samples = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            OptionalLong c = committed(0, "ga", "orders", partition);
            c.ifPresent(samples::add);
            Generation g = cluster.generation(1, 0);
            return c.isPresent() && c.getAsLong() == 15 && g.leader() == 0 && g.version() > failedOver.version();
        });
        // Handed back, every range writable again. More than the client's 30 s request timeout: a request
        // on a connection pooled before the restart may hang until then (as in ClusterFailoverIT).
        cluster.awaitSettled(Duration.ofSeconds(45));
        committed(0, "ga", "orders", partition).ifPresent(samples::add);
        assertThat(samples.getFirst()).isGreaterThanOrEqualTo(10);
        assertThat(samples).isSorted();
        // Back as leader it serves from there.
        for (int i = 15; i < 18; i++) {
            assertThat(cluster.produce(2, "orders", key, "{\"n\":" + i + "}").statusCode()).isEqualTo(200);
        }
        assertThat(pollUntil(0, "c1", 3)).containsExactly(15, 16, 17);
        assertThat(cluster.post(cluster.consumer(0, "/v1/consumer/goodbye?consumerId=c1")).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> committed(1, "ga", "orders", partition).orElse(-1) == 18);
    }

    @Test
    @Order(3)
    void seekMovesTheGroupToTheStartAnOffsetOrATime() {
        cluster.awaitSettled(Duration.ofSeconds(30));
        Map<Integer, int[]> where = new HashMap<>(); // n -> {partition, offset}
        for (int i = 0; i < 12; i++) {
            where.put(i, produced(cluster.produce(i % 3, "audit", "a-" + i, "{\"n\":" + i + "}")));
        }
        long before = System.currentTimeMillis();
        await().until(() -> System.currentTimeMillis() > before + 20);
        long split = System.currentTimeMillis();
        await().until(() -> System.currentTimeMillis() > split + 20);
        for (int i = 12; i < 24; i++) {
            where.put(i, produced(cluster.produce(i % 3, "audit", "a-" + i, "{\"n\":" + i + "}")));
        }
        assertThat(register(1, "s1", "gb", "audit").statusCode()).isEqualTo(200);
        for (int b = 0; b < 3; b++) { // registered through raft: every broker knows it soon
            int broker = b;
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.get(cluster.discovery(broker, "/v1/groups/gb"))
                    .body().contains("\"s1\""));
        }
        assertThat(pollAll("s1", 24)).hasSize(24);
        pollAll("s1", 0); // commits

        // To the start, sent to a broker that leads only some partitions: all of them go back to 0.
        HttpResponse<String> seek = cluster.post(cluster.discovery(2, "/v1/groups/gb/seek?topic=audit&to=earliest"));
        assertThat(seek.statusCode()).as(seek.body()).isEqualTo(200);
        JsonNode answer = LocalCluster.json(seek);
        assertThat(answer.path("group").asText()).isEqualTo("gb");
        assertThat(answer.path("partitions")).hasSize(cluster.ring.partitionCount());
        answer.path("partitions").forEach(p -> assertThat(p.path("offset").asLong()).isZero());
        assertThat(pollAll("s1", 24)).containsExactlyInAnyOrderElementsOf(where.keySet());
        pollAll("s1", 0);

        // To a timestamp: each partition at its first event written after it.
        seek = cluster.post(cluster.discovery(0, "/v1/groups/gb/seek?topic=audit&to=timestamp&timestamp=" + split));
        assertThat(seek.statusCode()).as(seek.body()).isEqualTo(200);
        Map<Integer, Long> expected = new TreeMap<>();
        for (int p = 0; p < cluster.ring.partitionCount(); p++) {
            expected.put(p, 0L);
        }
        where.forEach((n, po) -> expected.merge(po[0], (long) po[1] + 1, Math::max)); // log end by default
        where.forEach((n, po) -> {
            if (n >= 12) {
                expected.merge(po[0], (long) po[1], Math::min);
            }
        });
        Map<Integer, Long> got = new TreeMap<>();
        LocalCluster.json(seek).path("partitions").forEach(p -> got.put(p.path("partition").asInt(), p.path("offset").asLong()));
        assertThat(got).isEqualTo(expected);
        assertThat(pollAll("s1", 12)).containsExactlyInAnyOrder(12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23);
        pollAll("s1", 0);

        // To an offset of one partition: only that partition's events from there come again.
        int[] first = where.get(0);
        int p = first[0];
        List<Integer> inP = where.entrySet().stream().filter(e -> e.getValue()[0] == p && e.getValue()[1] >= 1)
                .map(Map.Entry::getKey).sorted().toList();
        seek = cluster.post(cluster.discovery(1, "/v1/groups/gb/seek?topic=audit&to=offset&partition=" + p + "&offset=1"));
        assertThat(seek.statusCode()).as(seek.body()).isEqualTo(200);
        assertThat(LocalCluster.json(seek).path("partitions").get(0).path("offset").asLong()).isEqualTo(1);
        if (!inP.isEmpty()) {
            assertThat(pollAll("s1", inP.size())).containsExactlyInAnyOrderElementsOf(inP);
        }

        assertThat(cluster.post(cluster.discovery(0, "/v1/groups/gb/seek?topic=nope&to=earliest")).statusCode()).isEqualTo(404);
        assertThat(cluster.post(cluster.discovery(0, "/v1/groups/gb/seek?topic=audit&to=sideways")).statusCode()).isEqualTo(400);
        assertThat(cluster.post(cluster.discovery(0, "/v1/groups/gb/seek?topic=audit&to=offset&offset=3")).statusCode())
                .isEqualTo(400);
        assertThat(cluster.post(cluster.discovery(0, "/v1/groups/gb/seek?topic=__consumer_offsets&to=earliest")).statusCode())
                .isEqualTo(400);
        // Internal topics are not listed.
        for (JsonNode t : LocalCluster.json(cluster.get(cluster.discovery(0, "/v1/topics"))).path("topics")) {
            assertThat(t.path("name").asText()).doesNotStartWith("__");
        }
    }

    // ------------------------------------------------------------------ helpers

    private static int[] produced(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode j = LocalCluster.json(r);
        return new int[] {j.path("partition").asInt(), j.path("offset").asInt()};
    }

    private HttpResponse<String> register(int broker, String id, String group, String topic) {
        return cluster.put(cluster.consumer(broker, "/v1/consumer/register?consumerId=" + id + "&group=" + group
                + "&topic=" + topic + "&onNewGroup=startFromEarliest"));
    }

    private HttpResponse<String> poll(int broker, String id, int timeout) {
        return cluster.post(cluster.consumer(broker, "/v1/consumer/poll?consumerId=" + id + "&timeout=" + timeout));
    }

    private static List<Integer> values(HttpResponse<String> polled) {
        List<Integer> out = new ArrayList<>();
        if (polled.statusCode() == 200) {
            for (JsonNode batch : LocalCluster.json(polled)) {
                batch.path("values").forEach(v -> out.add(v.path("n").asInt()));
            }
        } else {
            assertThat(polled.statusCode()).as(polled.body()).isIn(204, 503);
        }
        return out;
    }

    /** Polls one broker until {@code n} events came. */
    private List<Integer> pollUntil(int broker, String id, int n) {
        List<Integer> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            seen.addAll(values(poll(broker, id, 200)));
            return seen.size() >= n;
        });
        return seen;
    }

    /** Polls every broker in turn until {@code n} events came (at least one round). */
    private List<Integer> pollAll(String id, int n) {
        List<Integer> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (int b = 0; b < 3; b++) {
                seen.addAll(values(poll(b, id, 100)));
            }
            return seen.size() >= n;
        });
        return seen;
    }

    private OptionalLong committed(int broker, String group, String topic, int partition) {
        HttpResponse<String> r = cluster.get(cluster.discovery(broker, "/v1/groups/" + group));
        if (r.statusCode() != 200) {
            return OptionalLong.empty();
        }
        for (JsonNode c : LocalCluster.json(r).path("committed")) {
            if (c.path("topic").asText().equals(topic) && c.path("partition").asInt() == partition) {
                return OptionalLong.of(c.path("offset").asLong());
            }
        }
        return OptionalLong.empty();
    }

    private JsonNode lagOf(int broker, String group, String topic, int partition) {
        HttpResponse<String> r = cluster.get(cluster.discovery(broker, "/v1/groups/" + group));
        if (r.statusCode() != 200) {
            return null;
        }
        for (JsonNode l : LocalCluster.json(r).path("partitions")) {
            if (l.path("topic").asText().equals(topic) && l.path("partition").asInt() == partition) {
                return l;
            }
        }
        return null;
    }
}
