package io.runnel.discovery;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class SingleNodeClusterTest {

    @Test
    void oneBrokerLeadsTheOnlyRangeAtVersionOne() {
        try (Cluster c = Cluster.singleNode(4)) {
            assertThat(c.ready()).isTrue();
            assertThat(c.ordinal()).isZero();
            assertThat(c.ring().partitionCount()).isEqualTo(4);
            ClusterState s = c.state();
            assertThat(s.brokers()).isEqualTo(1);
            assertThat(s.live()).containsExactly(0);
            assertThat(s.generations()).containsOnlyKeys(0);
            assertThat(s.generation(0)).isEqualTo(new Generation(0, 1, 0, List.of(0), Set.of(0)));
            assertThat(s.rangesLedBy(0)).containsExactly(0);
            assertThat(s.initialized()).isTrue();
        }
    }

    @Test
    void topicsAreKeptAndListenersSeeEveryChangeInOrder() throws Exception {
        try (Cluster c = Cluster.singleNode(1)) {
            List<ClusterState> seen = new CopyOnWriteArrayList<>();
            c.addListener(seen::add);
            c.addTopic("a").get(1, TimeUnit.SECONDS);
            c.addTopic("b").get(1, TimeUnit.SECONDS);
            c.addTopic("a").get(1, TimeUnit.SECONDS);
            assertThat(c.state().topics()).containsExactly("a", "b");
            await().atMost(5, TimeUnit.SECONDS).until(() -> seen.size() == 4);
            assertThat(seen.stream().map(ClusterState::topics).toList())
                    .containsExactly(Set.of(), Set.of("a"), Set.of("a", "b"), Set.of("a", "b"));
        }
    }

    @Test
    void isrProposalsFollowTheSameRulesAsInACluster() throws Exception {
        try (Cluster c = Cluster.singleNode(1)) {
            assertThat(c.proposeIsr(0, 1, Set.of(0)).get(1, TimeUnit.SECONDS).isr()).containsExactly(0);
            assertThatThrownBy(() -> c.proposeIsr(0, 2, Set.of(0)).get(1, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(MetadataRejectedException.class)
                    .hasMessageContaining("STALE_VERSION");
            assertThatThrownBy(() -> c.proposeIsr(0, 1, Set.of()).get(1, TimeUnit.SECONDS))
                    .cause().isInstanceOf(MetadataRejectedException.class);
            assertThatThrownBy(() -> c.proposeIsr(1, 1, Set.of(0))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> c.addTopic("no/slash")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> c.reportLogEnd(1, 0)).isInstanceOf(IllegalArgumentException.class);
            c.reportLogEnd(0, 42);
        }
    }

    @Test
    void bridgesArePutReplacedAndRemovedAndListenersSeeEveryChange() throws Exception {
        try (Cluster c = Cluster.singleNode(1)) {
            List<ClusterState> seen = new CopyOnWriteArrayList<>();
            c.addListener(seen::add);
            BridgeEntry in = new BridgeEntry("in", "{\"v\":1}", false);
            c.putBridge(in).get(1, TimeUnit.SECONDS);
            assertThat(c.state().bridges()).containsOnlyKeys("in");
            c.putBridge(new BridgeEntry("in", "{\"v\":2}", true)).get(1, TimeUnit.SECONDS);
            assertThat(c.state().bridges().get("in")).isEqualTo(new BridgeEntry("in", "{\"v\":2}", true));
            c.removeBridge("in").get(1, TimeUnit.SECONDS);
            c.removeBridge("in").get(1, TimeUnit.SECONDS); // absent: succeeds
            assertThat(c.state().bridges()).isEmpty();
            assertThatThrownBy(() -> c.removeBridge("")).isInstanceOf(IllegalArgumentException.class);

            await().atMost(5, TimeUnit.SECONDS).until(() -> seen.size() == 5);
            assertThat(seen.stream().map(s -> s.bridges().values().stream().toList()).toList()).containsExactly(
                    List.of(), List.of(in), List.of(new BridgeEntry("in", "{\"v\":2}", true)), List.of(),
                    List.of());
        }
    }

    @Test
    void aClosedClusterRefusesChanges() {
        Cluster c = Cluster.singleNode(1);
        c.close();
        assertThat(c.ready()).isFalse();
        assertThat(c.addTopic("late")).isCompletedExceptionally();
        assertThat(c.putBridge(new BridgeEntry("late", "{}", false))).isCompletedExceptionally();
    }

    @Test
    void aConsumerReportedSilentForTheEvictionTimeoutIsRemovedAtOnce() throws Exception {
        try (Cluster c = Cluster.singleNode(1)) {
            c.registerConsumer(new ConsumerRegistration("g", "c1", List.of("t"), "startFromLatest")).get(1, TimeUnit.SECONDS);
            c.reportConsumerActivity("c1", 60_000);
            assertThat(c.state().consumers()).as("eviction is off until asked for").containsKey("c1");

            c.evictSilentConsumers(java.time.Duration.ofSeconds(30));
            c.reportConsumerActivity("c1", 29_999);
            assertThat(c.state().consumers()).containsKey("c1");
            c.reportConsumerActivity("c1", 30_000);
            assertThat(c.state().consumers()).doesNotContainKey("c1");
            c.reportConsumerActivity("nobody", 60_000); // unknown: nothing to remove
        }
    }
}
