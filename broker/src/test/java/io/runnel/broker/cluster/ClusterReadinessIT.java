package io.runnel.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker says it is ready ({@code /status} 200) only once it has also reached the brokers in its view over the
 * cluster port, so a keyed write it must forward to a range that takes writes succeeds at the first try instead of
 * getting {@code 503 leader_unavailable} while the connection is still being made.
 */
class ClusterReadinessIT {
    @TempDir
    Path dir;
    private LocalCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aReadyBrokerForwardsToTheOthersAtTheFirstTry() {
        cluster = new LocalCluster(dir, 3, 1, Map.of());
        // Two of three are a majority: ranges 0 and 1 take writes at their leaders.
        CompletableFuture<Void> zero = CompletableFuture.runAsync(() -> cluster.start(0));
        CompletableFuture<Void> one = CompletableFuture.runAsync(() -> cluster.start(1));
        zero.join();
        one.join();
        for (int range = 0; range < 2; range++) {
            int r = range;
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    cluster.produce(r, "ready", cluster.keyInRange(r, "k-"), "{\"direct\":true}").statusCode() == 200);
        }
        assertForwardsOnceReady(0, 1);
        assertForwardsOnceReady(1, 0);

        // A third broker joins: as soon as it says it is ready it reaches both.
        cluster.start(2);
        assertForwardsOnceReady(2, 0);
        assertForwardsOnceReady(2, 1);
    }

    /** Waits until broker {@code via} is ready, then writes through it, once, to the range {@code leader} leads. */
    private void assertForwardsOnceReady(int via, int leader) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                .until(() -> cluster.status(via, cluster.discoveryPort()).equals("ok"));
        assertThat(cluster.generation(via, leader).leader()).isEqualTo(leader);
        HttpResponse<String> r = cluster.produce(via, "ready", cluster.keyInRange(leader, "k-"), "{\"via\":" + via + "}");
        assertThat(r.statusCode()).as("write through broker %d to broker %d's range: %s", via, leader, r.body())
                .isEqualTo(200);
    }
}
