package io.runnel.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnel.broker.config.Option;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consumer groups across three brokers in this JVM: a registration on one broker holds on all of them
 * (raft metadata), every broker computes the same assignment and serves the assigned partitions it leads,
 * goodbyes and silent consumers rebalance the group cluster-wide.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterConsumerGroupsIT {
    @TempDir
    static Path dir;
    static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new LocalCluster(dir, 3, 2, Map.of(Option.CONSUMER_TIMEOUT_MS, "3000"));
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
    void registeredOnOneBrokerAConsumerReadsEverythingByPollingAll() {
        Map<String, List<Integer>> produced = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            String key = "k-" + (i % 12);
            HttpResponse<String> r = cluster.produce(i % 3, "clicks", key, "{\"k\":\"" + key + "\",\"n\":" + i + "}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            produced.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
        }
        assertThat(register(0, "solo", "g1", "clicks").statusCode()).isEqualTo(200);
        // Known on every broker, with the same assignment (all partitions).
        for (int b = 0; b < 3; b++) {
            int broker = b;
            await().atMost(Duration.ofSeconds(10)).until(() -> membersOf(broker, "g1").equals(Set.of("solo")));
            assertThat(assignment(broker, "g1", "solo")).hasSize(cluster.ring.partitionCount());
        }
        Map<String, List<Integer>> seen = new HashMap<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (int b = 0; b < 3; b++) {
                pollInto(b, "solo", seen);
            }
            return count(seen) >= 60;
        });
        assertThat(seen).isEqualTo(produced); // everything, in order per key, once (no rebalance happened)
    }

    @Test
    @Order(2)
    void everyBrokerComputesTheSameAssignmentAndGoodbyeRebalances() {
        assertThat(register(1, "a", "g2", "clicks").statusCode()).isEqualTo(200);
        assertThat(register(2, "b", "g2", "clicks").statusCode()).isEqualTo(200);
        assertThat(register(0, "c", "g2", "clicks").statusCode()).isEqualTo(200);
        for (int b = 0; b < 3; b++) {
            int broker = b;
            await().atMost(Duration.ofSeconds(10)).until(() -> membersOf(broker, "g2").equals(Set.of("a", "b", "c")));
        }
        Set<Integer> all = new TreeSet<>();
        for (String id : List.of("a", "b", "c")) {
            Set<Integer> mine = assignment(0, "g2", id);
            assertThat(mine).as("each consumer gets some partitions").isNotEmpty();
            assertThat(all).as("no partition assigned twice").doesNotContainAnyElementsOf(mine);
            all.addAll(mine);
            assertThat(assignment(1, "g2", id)).isEqualTo(mine);
            assertThat(assignment(2, "g2", id)).isEqualTo(mine);
        }
        assertThat(all).hasSize(cluster.ring.partitionCount());

        // Goodbye on a broker other than the one it registered with: gone everywhere, the others take over.
        HttpResponse<String> bye = cluster.post(cluster.consumer(0, "/v1/consumer/goodbye?consumerId=b"));
        assertThat(bye.statusCode()).as(bye.body()).isEqualTo(200);
        for (int b = 0; b < 3; b++) {
            int broker = b;
            await().atMost(Duration.ofSeconds(10)).until(() -> membersOf(broker, "g2").equals(Set.of("a", "c")));
            Set<Integer> union = new TreeSet<>(assignment(broker, "g2", "a"));
            union.addAll(assignment(broker, "g2", "c"));
            assertThat(union).hasSize(cluster.ring.partitionCount());
        }
        assertThat(cluster.post(cluster.consumer(1, "/v1/consumer/poll?consumerId=b&timeout=0")).statusCode())
                .isEqualTo(409);
        cluster.post(cluster.consumer(1, "/v1/consumer/goodbye?consumerId=a"));
        cluster.post(cluster.consumer(2, "/v1/consumer/goodbye?consumerId=c"));
    }

    @Test
    @Order(3)
    void aConsumerSilentOnEveryBrokerLeavesItsGroup() {
        assertThat(register(1, "quiet", "g3", "clicks").statusCode()).isEqualTo(200);
        assertThat(register(2, "busy", "g3", "clicks").statusCode()).isEqualTo(200);
        // "busy" polls different brokers in turn (each sees it only now and then); "quiet" never polls.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int b = 0;
        while (membersOf(0, "g3").contains("quiet")) {
            assertThat(System.nanoTime()).as("quiet consumer still registered").isLessThan(deadline);
            cluster.post(cluster.consumer(b++ % 3, "/v1/consumer/poll?consumerId=busy&timeout=300"));
        }
        for (int i = 0; i < 6; i++) { // 6 × 1 s > the 3 s timeout: busy stays, though each broker saw it rarely
            cluster.post(cluster.consumer(i % 3, "/v1/consumer/poll?consumerId=busy&timeout=1000"));
        }
        for (int broker = 0; broker < 3; broker++) {
            int bb = broker;
            await().atMost(Duration.ofSeconds(10)).until(() -> membersOf(bb, "g3").equals(Set.of("busy")));
            assertThat(assignment(broker, "g3", "busy")).hasSize(cluster.ring.partitionCount());
        }
    }

    @Test
    @Order(4)
    void aBrokerThatLeadsNoneOfAConsumersPartitionsAnswersItsLongPollAtOnceAndSaysWhichBrokersDo() {
        // Three consumers of six partitions, round robin: "a" reads 0 and 3, in ranges 0 and 1. Broker 2 leads none.
        List<String> ids = List.of("a", "b", "c");
        for (String id : ids) {
            assertThat(register(0, id, "g4", "clicks").statusCode()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (String id : ids) {
                register(1, id, "g4", "clicks"); // a sign of life: the consumer timeout is short here
            }
            Set<Integer> mine = assignment(2, "g4", "a");
            assertThat(mine).containsExactly(0, 3);
            Set<Integer> leaders = new TreeSet<>();
            mine.forEach(p -> leaders.add(cluster.ring.rangeOf(p))); // settled: each range led by its natural leader
            assertThat(leaders).containsExactly(0, 1);

            // A 30 s long poll (max-poll-wait caps it at 30 s): answered within the client's 15 s only if not held.
            HttpResponse<String> r = cluster.send(HttpRequest.newBuilder(cluster.consumer(2,
                    "/v1/consumer/poll?consumerId=a&timeout=30000")).timeout(Duration.ofSeconds(15))
                    .POST(HttpRequest.BodyPublishers.noBody()).build());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
            assertThat(r.headers().firstValue("Runnel-Broker")).hasValue("2");
            assertThat(r.headers().firstValue("Runnel-Partition-Leaders")).hasValue("0,1");

            HttpResponse<String> atLeader = cluster.post(cluster.consumer(0, "/v1/consumer/poll?consumerId=a&timeout=0"));
            assertThat(atLeader.statusCode()).as(atLeader.body()).isIn(200, 204);
            assertThat(atLeader.headers().firstValue("Runnel-Broker")).hasValue("0");
            assertThat(atLeader.headers().firstValue("Runnel-Partition-Leaders")).hasValue("0,1");
        });
        for (String id : ids) {
            cluster.post(cluster.consumer(0, "/v1/consumer/goodbye?consumerId=" + id));
        }
    }

    // ------------------------------------------------------------------ helpers

    private HttpResponse<String> register(int broker, String id, String group, String topic) {
        return cluster.put(cluster.consumer(broker, "/v1/consumer/register?consumerId=" + id + "&group=" + group
                + "&topic=" + topic + "&onNewGroup=startFromEarliest"));
    }

    private void pollInto(int broker, String id, Map<String, List<Integer>> seen) {
        HttpResponse<String> polled = cluster.post(cluster.consumer(broker, "/v1/consumer/poll?consumerId=" + id
                + "&timeout=200"));
        if (polled.statusCode() == 200) {
            for (JsonNode batch : LocalCluster.json(polled)) {
                for (JsonNode v : batch.path("values")) {
                    seen.computeIfAbsent(v.path("k").asText(), k -> new ArrayList<>()).add(v.path("n").asInt());
                }
            }
        } else {
            assertThat(polled.statusCode()).as(polled.body()).isEqualTo(204);
        }
    }

    private static int count(Map<String, List<Integer>> seen) {
        return seen.values().stream().mapToInt(List::size).sum();
    }

    private Set<String> membersOf(int broker, String group) {
        HttpResponse<String> r = cluster.get(cluster.discovery(broker, "/v1/groups/" + group));
        Set<String> out = new TreeSet<>();
        if (r.statusCode() == 200) {
            LocalCluster.json(r).path("members").forEach(m -> out.add(m.path("consumerId").asText()));
        }
        return out;
    }

    private Set<Integer> assignment(int broker, String group, String id) {
        Set<Integer> out = new TreeSet<>();
        for (JsonNode m : LocalCluster.json(cluster.get(cluster.discovery(broker, "/v1/groups/" + group))).path("members")) {
            if (m.path("consumerId").asText().equals(id)) {
                m.path("assignment").forEach(a -> out.add(a.path("partition").asInt()));
            }
        }
        return out;
    }
}
