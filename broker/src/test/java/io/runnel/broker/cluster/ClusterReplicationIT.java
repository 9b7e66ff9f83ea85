package io.runnel.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnel.discovery.Generation;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers in this JVM on 127.0.0.1-3: a keyed write posted to any broker is stored by its
 * partition's leader, replicated to the whole replica set and readable from the leader; replicas end up
 * byte-identical.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterReplicationIT {
    @TempDir
    static Path dir;
    static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new LocalCluster(dir, 3, 2, Map.of());
        // One broker of three knows no majority: it is not ready.
        cluster.start(0);
        assertThat(cluster.status(0, cluster.discoveryPort())).isEqualTo("starting");
        CompletableFuture<Void> one = CompletableFuture.runAsync(() -> cluster.start(1));
        CompletableFuture<Void> two = CompletableFuture.runAsync(() -> cluster.start(2));
        one.join();
        two.join();
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
    void brokersAndTopologyDescribeTheCluster() {
        JsonNode brokers = LocalCluster.json(cluster.get(cluster.discovery(1, "/v1/brokers")));
        assertThat(brokers.path("length").asInt()).isEqualTo(3);
        assertThat(brokers.path("names").toString()).isEqualTo("[\"127.0.0.1\",\"127.0.0.2\",\"127.0.0.3\"]");

        JsonNode topology = LocalCluster.json(cluster.get(cluster.discovery(2, "/v1/topology")));
        assertThat(topology.path("brokers")).hasSize(3);
        assertThat(topology.path("brokers").get(0).path("live").asBoolean()).isTrue();
        assertThat(topology.path("ranges")).hasSize(3);
        for (int r = 0; r < 3; r++) {
            JsonNode range = topology.path("ranges").get(r);
            assertThat(range.path("leader").asInt()).isEqualTo(r);
            assertThat(range.path("isr")).hasSize(3);
            assertThat(range.path("partitions")).hasSize(2);
        }
    }

    @Test
    @Order(2)
    void keyedWritesOnAnyBrokerAreStoredByTheLeaderAndReadableThere() {
        Map<String, Integer> partitionOfKey = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            String key = "user-" + i;
            HttpResponse<String> r = cluster.produce(i % 3, "orders", key, "{\"n\":" + i + "}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode answer = LocalCluster.json(r);
            assertThat(answer.path("partition").asInt()).isEqualTo(cluster.ring.partitionOf(key));
            partitionOfKey.put(key, answer.path("partition").asInt());
        }
        // Each leader serves its own partitions to a consumer registered with it.
        for (int leader = 0; leader < 3; leader++) {
            String id = "reader-" + leader;
            assertThat(cluster.put(cluster.consumer(leader, "/v1/consumer/register?consumerId=" + id
                    + "&group=readers-" + leader + "&topic=orders&onNewGroup=startFromEarliest")).statusCode()).isEqualTo(200);
            List<String> seen = new ArrayList<>();
            int me = leader;
            long expected = partitionOfKey.values().stream()
                    .filter(p -> cluster.ring.rangeOf(p) == me).count();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                HttpResponse<String> polled = cluster.post(cluster.consumer(me, "/v1/consumer/poll?consumerId=" + id + "&timeout=500"));
                if (polled.statusCode() == 200) {
                    for (JsonNode batch : LocalCluster.json(polled)) {
                        batch.path("values").forEach(v -> seen.add(v.toString()));
                    }
                }
                return seen.size() >= expected;
            });
            assertThat(seen).hasSize((int) expected);
        }
    }

    @Test
    @Order(3)
    void keylessWritesGoToPartitionsTheReceiverLeads() {
        for (int b = 0; b < 3; b++) {
            HttpResponse<String> r = cluster.produce(b, "keyless", null, "{\"b\":" + b + "}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            int partition = LocalCluster.json(r).path("partition").asInt();
            assertThat(cluster.ring.rangeOf(partition)).isEqualTo(b);
        }
    }

    @Test
    @Order(4)
    void everyReplicaHoldsTheSameChunks() {
        for (int i = 0; i < 60; i++) {
            assertThat(cluster.produce(i % 3, "orders", "k" + (i % 7), "{\"i\":" + i + "}").statusCode()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (int p = 0; p < cluster.ring.partitionCount(); p++) {
                Generation g = cluster.generation(0, cluster.ring.rangeOf(p));
                List<String> leader = LocalCluster.chunks(cluster.broker(g.leader()).store(), "orders", p);
                for (int replica : g.replicas()) {
                    assertThat(LocalCluster.chunks(cluster.broker(replica).store(), "orders", p))
                            .as("partition %d on broker %d", p, replica).isEqualTo(leader);
                }
            }
        });
        long stored = 0;
        for (int p = 0; p < cluster.ring.partitionCount(); p++) {
            stored += LocalCluster.chunks(cluster.broker(0).store(), "orders", p).size();
        }
        assertThat(stored).isEqualTo(90);
    }
}
