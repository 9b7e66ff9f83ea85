package io.runnel.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnel.discovery.Generation;
import io.runnel.storage.Chunk;
import io.runnel.storage.LogStore;
import io.runnel.storage.ReadResult;
import io.runnel.storage.TopicInfo;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers in this JVM: a leader stops while producers keep writing through the other two; no
 * acknowledged write is lost, writes to its range resume on a new leader, and when it comes back it
 * truncates, catches up and takes its range back. With two of three brokers down, writes get 503.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFailoverIT {
    private static final String TOPIC = "events";

    @TempDir
    static Path dir;
    static LocalCluster cluster;

    /** An acknowledged write: where the leader said it stored {@code value}. */
    record Acked(int writer, String key, String value, int partition, long offset) {
    }

    @BeforeAll
    static void start() {
        cluster = new LocalCluster(dir, 3, 2, Map.of()).startAll();
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
    void aStoppedLeaderLosesNoAcknowledgedWriteAndTakesItsRangeBackWhenItReturns() throws Exception {
        ConcurrentLinkedQueue<Acked> acked = new ConcurrentLinkedQueue<>();
        AtomicInteger refused = new AtomicInteger();
        AtomicBoolean writing = new AtomicBoolean(true);
        CountDownLatch writersDone = new CountDownLatch(2);
        AtomicInteger sequence = new AtomicInteger();
        // Producers talk to brokers 1 and 2 only; keys of range 0 are forwarded to broker 0 while it leads.
        for (int w = 0; w < 2; w++) {
            int via = w + 1;
            Thread t = new Thread(() -> {
                try {
                    while (writing.get()) {
                        int n = sequence.incrementAndGet();
                        String key = "key-" + (n % 24);
                        String value = "{\"n\":" + n + "}";
                        try {
                            HttpResponse<String> r = cluster.produce(via, TOPIC, key, value);
                            if (r.statusCode() == 200) {
                                JsonNode a = LocalCluster.json(r);
                                acked.add(new Acked(via, key, value, a.path("partition").asInt(), Long.parseLong(a.path("offset").asText())));
                            } else {
                                assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
                                refused.incrementAndGet();
                            }
                        } catch (RuntimeException e) {
                            refused.incrementAndGet();
                        }
                    }
                } finally {
                    writersDone.countDown();
                }
            }, "writer-" + via);
            t.setDaemon(true);
            t.start();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> acked.size() >= 60);

        // Broker 0 leads range 0; it stops.
        String rangeZeroKey = cluster.keyInRange(0, "probe-");
        cluster.stop(0);
        long stopped = System.nanoTime();
        await("writes to range 0 resume").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> cluster.produce(1, TOPIC, rangeZeroKey, "{\"probe\":1}").statusCode() == 200);
        long resumedMs = (System.nanoTime() - stopped) / 1_000_000;
        Generation failedOver = cluster.generation(1, 0);
        assertThat(failedOver.leader()).isNotEqualTo(0);
        assertThat(failedOver.version()).isGreaterThan(1);
        int before = acked.size();
        await().atMost(Duration.ofSeconds(20)).until(() -> acked.size() >= before + 60);

        // It comes back on the same data: truncates, catches up, is in sync again and leads range 0.
        cluster.start(0);
        cluster.awaitSettled(Duration.ofSeconds(40));
        assertThat(cluster.generation(0, 0).version()).isGreaterThan(failedOver.version());
        int afterReturn = acked.size();
        await().atMost(Duration.ofSeconds(20)).until(() -> acked.size() >= afterReturn + 60);
        writing.set(false);
        writersDone.await();

        // Every acknowledged write is where its answer said, on the partition's leader and on every replica.
        await("replicas identical").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (int p = 0; p < cluster.ring.partitionCount(); p++) {
                Generation g = cluster.generation(0, cluster.ring.rangeOf(p));
                List<String> leader = LocalCluster.chunks(cluster.broker(g.leader()).store(), TOPIC, p);
                for (int replica : g.replicas()) {
                    assertThat(LocalCluster.chunks(cluster.broker(replica).store(), TOPIC, p))
                            .as("partition %d on broker %d", p, replica).isEqualTo(leader);
                }
            }
        });
        for (int b = 0; b < 3; b++) {
            Map<Integer, Map<Long, String>> stored = records(cluster.broker(b).store());
            for (Acked a : acked) {
                assertThat(stored.getOrDefault(a.partition(), Map.of()).get(a.offset()))
                        .as("acknowledged %s on broker %d", a, b).isEqualTo(a.value());
            }
        }
        // Per key, the writes one producer got acknowledged one after the other are stored in that order.
        Map<String, Long> last = new HashMap<>();
        for (Acked a : acked) {
            Long previous = last.put(a.writer() + "/" + a.key(), a.offset());
            if (previous != null) {
                assertThat(a.offset()).as("%s after offset %d", a, previous).isGreaterThan(previous);
            }
        }
        System.out.printf("failover: writes to range 0 resumed %d ms after the stop; %d acknowledged, %d refused%n",
                resumedMs, acked.size(), refused.get());
    }

    @Test
    @Order(2)
    void withTwoOfThreeBrokersDownEveryWriteGets503() {
        cluster.stop(1);
        cluster.stop(2);
        for (int range = 0; range < 3; range++) {
            String key = cluster.keyInRange(range, "lonely-");
            await("range " + range + " refuses").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                HttpResponse<String> r = cluster.produce(0, TOPIC, key, "{\"alone\":true}");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
                assertThat(r.headers().firstValue("retry-after")).isPresent();
            });
        }
    }

    /** partition → offset → value of every record of {@link #TOPIC} in a store. */
    private static Map<Integer, Map<Long, String>> records(LogStore store) {
        Map<Integer, Map<Long, String>> out = new HashMap<>();
        TopicInfo topic = store.topic(TOPIC).orElseThrow();
        for (int p = 0; p < cluster.ring.partitionCount(); p++) {
            Map<Long, String> values = new HashMap<>();
            long from = 0;
            while (true) {
                ReadResult r = store.read(topic.id(), p, from, 1 << 20);
                if (r.chunks().isEmpty()) {
                    break;
                }
                for (Chunk c : r.chunks()) {
                    Chunk.RecordCursor cursor = c.cursor();
                    while (cursor.next()) {
                        values.put(cursor.offset(), new String(cursor.array(), cursor.valueOffset(), cursor.valueLength(),
                                StandardCharsets.UTF_8));
                    }
                }
                from = r.nextOffset();
            }
            out.put(p, values);
        }
        return out;
    }
}
