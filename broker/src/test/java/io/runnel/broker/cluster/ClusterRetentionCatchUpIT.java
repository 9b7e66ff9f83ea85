package io.runnel.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.runnel.broker.config.Option;
import io.runnel.discovery.Generation;
import io.runnel.storage.LogStore;
import io.runnel.storage.PartitionState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers in this JVM, topics keeping at most 16 KiB per partition: a broker that was away while retention
 * removed everything it lacks on the leader restarts those partitions' logs at the leader's log start, catches up
 * from there and is in sync again.
 */
class ClusterRetentionCatchUpIT {
    private static final String TOPIC = "retained";
    private static final int RETENTION_BYTES = 16 * 1024;

    @TempDir
    static Path dir;
    static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new LocalCluster(dir, 3, 1, Map.of(Option.RETENTION_BYTES, Integer.toString(RETENTION_BYTES)))
                .startAll();
        cluster.awaitSettled(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aBrokerAwayPastRetentionRestartsItsLogAtTheLeadersStartAndRejoinsTheIsr() {
        String key = cluster.keyInRange(0, "k-");
        int partition = cluster.ring.partitionOf(key);
        String padding = "x".repeat(200);
        for (int i = 0; i < 20; i++) {
            assertThat(cluster.produce(1, TOPIC, key, "{\"n\":" + i + ",\"p\":\"" + padding + "\"}").statusCode())
                    .isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> end(2, partition) == 20);

        // Broker 2 is away while the others take 300 more events and retention removes the first ones.
        cluster.kill(2);
        for (int i = 20; i < 320; i++) {
            assertThat(cluster.produce(1, TOPIC, key, "{\"n\":" + i + ",\"p\":\"" + padding + "\"}").statusCode())
                    .isEqualTo(200);
        }
        for (int b = 0; b < 2; b++) {
            cluster.broker(b).store().applyRetention().join();
        }
        long leaderStart = state(0, partition).logStartOffset();
        assertThat(leaderStart).as("retention removed more than broker 2 holds").isGreaterThan(20);

        cluster.start(2);
        // Settled: every range led by its own broker with all three in sync, broker 2 included.
        cluster.awaitSettled(Duration.ofSeconds(60));
        Generation g = cluster.generation(2, 0);
        assertThat(g.isr()).containsExactly(0, 1, 2);
        PartitionState restarted = state(2, partition);
        assertThat(restarted.logStartOffset()).as("broker 2's log starts where the leader's did").isGreaterThanOrEqualTo(
                leaderStart);
        assertThat(restarted.logEndOffset()).isEqualTo(state(0, partition).logEndOffset());
        // Where both logs start on (background retention may move either start), broker 2 holds the leader's
        // chunks, byte for byte.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            long from = Math.max(state(0, partition).logStartOffset(), state(2, partition).logStartOffset());
            List<String> follower = chunksFrom(2, partition, from);
            assertThat(follower).isNotEmpty().isEqualTo(chunksFrom(0, partition, from));
        });
        // And it keeps following: new writes reach it.
        assertThat(cluster.produce(0, TOPIC, key, "{\"n\":320}").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> end(2, partition) == end(0, partition));
    }

    /** {@link LocalCluster#chunks} of the chunks based at or after {@code from}. */
    private static List<String> chunksFrom(int broker, int partition, long from) {
        return LocalCluster.chunks(store(broker), TOPIC, partition).stream()
                .filter(c -> Long.parseLong(c.substring(0, c.indexOf(':'))) >= from).toList();
    }

    private static LogStore store(int broker) {
        return cluster.broker(broker).store();
    }

    private static PartitionState state(int broker, int partition) {
        return store(broker).state(store(broker).topic(TOPIC).orElseThrow().id(), partition);
    }

    private static long end(int broker, int partition) {
        return store(broker).topic(TOPIC).isEmpty() ? 0 : state(broker, partition).logEndOffset();
    }
}
