package io.runnel.broker.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.storage.ChunkBuilder;
import io.runnel.storage.LogStore;
import io.runnel.storage.StorageConfig;
import io.runnel.storage.TopicConfig;
import io.runnel.storage.TopicInfo;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ClusterHarness#compareReplicas} finds what it is there to find: replicas written here with
 * the same chunks compare equal, and a chunk that differs in one replica, or a replica that ends
 * earlier after a quiet run, is reported. (No broker runs: the stores are written directly in the
 * brokers' data directories.)
 */
class ClusterHarnessTest {
    private static final String TOPIC = "t";
    /** One timestamp for all records, so that equal chunks have equal bytes (and retention keeps them). */
    private static final long NOW = System.currentTimeMillis();

    @RegisterExtension
    final BrokerProcesses processes = new BrokerProcesses();

    private ClusterHarness cluster;

    @AfterEach
    void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void identicalReplicasCompareEqual() {
        cluster = new ClusterHarness(processes, 3, 2, Map.of());
        writeAll(List.of(List.of("a", "b"), List.of("c"), List.of("d", "e", "f")));

        ClusterHarness.ReplicaReport report = cluster.compareReplicas(true);

        assertThat(report.problems()).as(report.describe()).isEmpty();
        // 6 partitions; 3 chunks in each, compared against 2 other replicas.
        assertThat(report.partitions()).isEqualTo(6);
        assertThat(report.chunksCompared()).isEqualTo(6 * 3 * 2);
        assertThat(report.ends()).containsEntry(TOPIC + "/0", Map.of(0, 6L, 1, 6L, 2, 6L));
    }

    @Test
    void aChunkThatDiffersInOneReplicaIsReported() {
        cluster = new ClusterHarness(processes, 3, 2, Map.of());
        writeAll(List.of(List.of("a", "b"), List.of("c")));
        // Broker 2 holds another second chunk in partition 0 (same offsets, other contents).
        try (LogStore store = open(2)) {
            TopicInfo t = store.topic(TOPIC).orElseThrow();
            join(store.truncate(t.id(), 0, 2));
            join(store.append(t.id(), 0, 1, chunk(List.of("X"))));
        }

        ClusterHarness.ReplicaReport report = cluster.compareReplicas(true);

        assertThat(report.problems()).hasSize(1);
        assertThat(report.problems().getFirst()).startsWith(TOPIC + "/0: chunk #1 differs between broker 0")
                .contains("broker 2");
    }

    @Test
    void aShorterReplicaIsReportedOnlyAfterAQuietRun() {
        cluster = new ClusterHarness(processes, 3, 2, Map.of());
        writeAll(List.of(List.of("a", "b"), List.of("c"), List.of("d")));
        try (LogStore store = open(1)) {
            TopicInfo t = store.topic(TOPIC).orElseThrow();
            join(store.truncate(t.id(), 3, 2)); // broker 1 lags in partition 3 (range 1, which it leads)
        }

        ClusterHarness.ReplicaReport quiet = cluster.compareReplicas(true);
        ClusterHarness.ReplicaReport busy = cluster.compareReplicas(false);

        assertThat(quiet.problems()).singleElement().asString()
                .isEqualTo(TOPIC + "/3: log ends differ after a quiet end {0:4, 1:2, 2:4}");
        assertThat(busy.problems()).as("a lagging replica whose prefix matches is fine while the run was busy")
                .isEmpty();
        assertThat(busy.ends()).containsEntry(TOPIC + "/3", Map.of(0, 4L, 1, 2L, 2, 4L));
    }

    /** Writes the same chunks, in order, to every partition of every broker's store. */
    private void writeAll(List<List<String>> chunks) {
        for (int b = 0; b < cluster.size(); b++) {
            try (LogStore store = open(b)) {
                TopicInfo t = store.ensureTopic(TOPIC, TopicConfig.DEFAULT);
                for (int p = 0; p < cluster.ring().partitionCount(); p++) {
                    for (List<String> values : chunks) {
                        join(store.append(t.id(), p, 1, chunk(values)));
                    }
                }
            }
        }
    }

    private LogStore open(int broker) {
        return LogStore.open(StorageConfig.defaults(cluster.broker(broker).dataDir()));
    }

    private static byte[] chunk(List<String> values) {
        ChunkBuilder b = new ChunkBuilder();
        for (String v : values) {
            byte[] bytes = v.getBytes(StandardCharsets.UTF_8);
            b.add(bytes, 0, bytes.length, NOW);
        }
        return b.build();
    }

    private static <T> T join(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("store operation failed", e);
        }
    }
}
