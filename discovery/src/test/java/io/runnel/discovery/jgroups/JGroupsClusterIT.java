package io.runnel.discovery.jgroups;

import io.runnel.discovery.BridgeEntry;
import io.runnel.discovery.ClusterSecret;
import io.runnel.discovery.ClusterState;
import io.runnel.discovery.Generation;
import io.runnel.discovery.MetadataRejectedException;
import io.runnel.discovery.NoQuorumException;
import io.runnel.discovery.Rejection;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Real JGroups and jgroups-raft on 127.0.0.x in one JVM: formation, replication, failover, handback, restarts. */
class JGroupsClusterIT {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private LoopbackCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void threeBrokersFormAndInitialiseNaturalGenerations() {
        cluster = new LoopbackCluster(3, 4, dir).startAll();
        await().atMost(WAIT).untilAsserted(cluster::assertConverged);

        ClusterState s = cluster.node(0).state();
        assertThat(s.brokers()).isEqualTo(3);
        assertThat(s.live()).containsExactly(0, 1, 2);
        assertThat(s.generations()).hasSize(3);
        for (int range = 0; range < 3; range++) {
            Generation g = s.generation(range);
            List<Integer> replicas = cluster.node(0).ring().replicaSet(range);
            assertThat(g).isEqualTo(new Generation(range, 1, range, replicas, Set.copyOf(replicas)));
        }
        assertThat(cluster.node(1).state()).isEqualTo(s);
        assertThat(cluster.node(2).state()).isEqualTo(s);
        assertThat(cluster.node(2).ring().partitionCount()).isEqualTo(12);
    }

    @Test
    void brokersStartingOneByOneFormTheSameNaturalGenerations() {
        cluster = new LoopbackCluster(3, 1, dir).startOneByOne();
        await().atMost(WAIT).untilAsserted(cluster::assertConverged);
        for (Generation g : cluster.node(1).state().generations().values()) {
            assertThat(g.version()).isEqualTo(1);
            assertThat(g.isr()).containsExactlyInAnyOrderElementsOf(g.replicas());
        }
    }

    @Test
    void topicsAndIsrChangesReplicateAndStaleProposalsAreRefused() throws Exception {
        cluster = new LoopbackCluster(3, 2, dir).startAll();
        await().atMost(WAIT).untilAsserted(cluster::assertConverged);
        List<ClusterState> seenBy2 = new CopyOnWriteArrayList<>();
        cluster.node(2).addListener(seenBy2::add);

        // A follower's proposal goes through REDIRECT; once it completes, the proposer's own state shows it.
        cluster.node(1).addTopic("orders").get(10, TimeUnit.SECONDS);
        assertThat(cluster.node(1).state().topics()).containsExactly("orders");
        cluster.node(0).addTopic("orders").get(10, TimeUnit.SECONDS); // idempotent
        cluster.node(2).addTopic("audit.log").get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).untilAsserted(() -> cluster.running().forEach(
                c -> assertThat(c.state().topics()).containsExactly("audit.log", "orders")));

        // Range 1 is led by broker 1: shrink, then expand its ISR; the version stays 1.
        Generation shrunk = cluster.node(1).proposeIsr(1, 1, Set.of(1, 2)).get(10, TimeUnit.SECONDS);
        assertThat(shrunk).isEqualTo(new Generation(1, 1, 1, List.of(1, 2, 0), Set.of(1, 2)));
        assertThat(cluster.node(1).state().generation(1)).isEqualTo(shrunk);
        await().atMost(WAIT).untilAsserted(() -> cluster.running().forEach(
                c -> assertThat(c.state().generation(1)).isEqualTo(shrunk)));
        Generation expanded = cluster.node(1).proposeIsr(1, 1, Set.of(0, 1, 2)).get(10, TimeUnit.SECONDS);
        assertThat(expanded.isr()).containsExactly(0, 1, 2);

        assertRejected(() -> cluster.node(1).proposeIsr(1, 7, Set.of(1)).get(10, TimeUnit.SECONDS),
                Rejection.STALE_VERSION);
        assertRejected(() -> cluster.node(0).proposeIsr(1, 1, Set.of(0, 1)).get(10, TimeUnit.SECONDS),
                Rejection.NOT_LEADER);
        assertRejected(() -> cluster.node(1).proposeIsr(1, 1, Set.of(0, 2)).get(10, TimeUnit.SECONDS),
                Rejection.ISR_WITHOUT_LEADER);
        await().atMost(WAIT).untilAsserted(cluster::assertConverged);
        assertThat(cluster.node(0).state().generation(1)).isEqualTo(expanded);

        // Broker 2's listener saw the shrink and the expansion, in that order.
        await().atMost(WAIT).untilAsserted(() -> assertThat(seenBy2.getLast().generation(1)).isEqualTo(expanded));
        List<Set<Integer>> isrs = new ArrayList<>();
        for (ClusterState st : seenBy2) {
            Set<Integer> isr = st.generation(1).isr();
            if (isrs.isEmpty() || !isrs.getLast().equals(isr)) {
                isrs.add(isr);
            }
        }
        assertThat(isrs).containsExactly(Set.of(0, 1, 2), Set.of(1, 2), Set.of(0, 1, 2));
    }

    @Test
    void crashedRaftLeaderIsFailedOverThenRestartsAndGetsItsRangeBack() throws Exception {
        cluster = new LoopbackCluster(3, 2, dir).startAll();
        // Under load a broker may join after the formation grace or be suspected briefly, so ranges may have
        // changed leader before the crash: start from every range with its natural leader, at whatever version.
        awaitNaturalLeaders();
        ClusterState beforeCrash = cluster.node(0).state();
        int dead = cluster.raftLeader();
        assertThat(dead).isNotNegative();
        List<Integer> survivors = new ArrayList<>(List.of(0, 1, 2));
        survivors.remove(Integer.valueOf(dead));
        long deadVersion = beforeCrash.generation(dead).version();

        cluster.crash(dead);

        // A new raft leader's controller moves the dead broker's range to an in-sync survivor (one version up) and
        // drops the dead broker from every ISR.
        await().atMost(WAIT).untilAsserted(() -> {
            for (int b : survivors) {
                ClusterState s = cluster.node(b).state();
                assertThat(s.live()).containsExactlyElementsOf(survivors);
                Generation g = s.generation(dead);
                assertThat(g.version()).isEqualTo(deadVersion + 1);
                assertThat(g.leader()).isIn(survivors);
                for (Generation any : s.generations().values()) {
                    assertThat(any.isr()).doesNotContain(dead);
                }
            }
        });
        assertThat(cluster.raftLeader()).isIn(survivors);
        await().atMost(WAIT).untilAsserted(cluster::assertConverged);
        ClusterState afterFailover = cluster.node(survivors.getFirst()).state();
        for (int range : survivors) {
            assertThat(afterFailover.generation(range).version()).as("range %d keeps its leader", range)
                    .isEqualTo(beforeCrash.generation(range).version());
            assertThat(afterFailover.generation(range).leader()).isEqualTo(range);
        }

        // Restart from the same raft directory: it rejoins and catches up with the metadata.
        cluster.start(dead);
        await().atMost(WAIT).untilAsserted(cluster::assertConverged);
        assertThat(cluster.node(dead).state().generations()).isEqualTo(afterFailover.generations());
        assertThat(cluster.node(dead).state().live()).containsExactly(0, 1, 2);
        // Not in sync yet, so no handback.
        assertThat(cluster.node(dead).state().generation(dead).leader()).isNotEqualTo(dead);

        // The range's current leader adds it back once it caught up; the controller then hands the range back.
        Generation g = afterFailover.generation(dead);
        Set<Integer> withIt = new java.util.TreeSet<>(g.isr());
        withIt.add(dead);
        cluster.node(g.leader()).proposeIsr(dead, g.version(), withIt).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).untilAsserted(() -> cluster.running().forEach(c -> {
            Generation back = c.state().generation(dead);
            assertThat(back.version()).isEqualTo(g.version() + 1);
            assertThat(back.leader()).isEqualTo(dead);
            assertThat(back.isr()).isEqualTo(withIt);
        }));
    }

    @Test
    void failoverPicksTheInSyncReplicaWithTheHighestLogEnd() {
        cluster = new LoopbackCluster(3, 2, dir).startAll();
        await().atMost(WAIT).untilAsserted(cluster::assertConverged);
        // Crash a broker that is not the raft leader; of its two followers, the second in replica order has more.
        int dead = (cluster.raftLeader() + 1) % 3;
        int first = (dead + 1) % 3;
        int second = (dead + 2) % 3;
        cluster.node(first).reportLogEnd(dead, 100);
        cluster.node(second).reportLogEnd(dead, 250);
        // Gossip is periodic: make sure the raft leader heard both before the crash.
        LogEndGossip heard = cluster.node(cluster.raftLeader()).logEndsForTest();
        await().atMost(WAIT).until(() -> heard.of(first, dead) == 100 && heard.of(second, dead) == 250);

        cluster.crash(dead);

        await().atMost(WAIT).untilAsserted(() -> {
            Generation g = cluster.node(first).state().generation(dead);
            assertThat(g.version()).isEqualTo(2);
            assertThat(g.leader()).isEqualTo(second);
            assertThat(g.isr()).containsExactlyInAnyOrder(first, second);
        });
    }

    @Test
    void aMemberWithoutTheClusterSecretCannotJoinTheView() throws Exception {
        cluster = new LoopbackCluster(3, 1, dir);
        cluster.start(0);
        cluster.start(1);
        await().atMost(WAIT).until(() -> cluster.node(0).ready() && cluster.node(0).state().live().equals(Set.of(0, 1)));
        // An impostor at broker 2's address and port, with every setting right but the secret.
        JGroupsCluster impostor = cluster.start(2, ClusterSecret.of("not the cluster's secret, 32 bytes"));
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(8)).untilAsserted(() -> {
            assertThat(cluster.node(0).state().live()).containsExactlyInAnyOrder(0, 1);
            assertThat(cluster.node(1).state().live()).containsExactlyInAnyOrder(0, 1);
            assertThat(impostor.channel().getView().getMembers()).hasSize(1);
            assertThat(impostor.ready()).isFalse();
        });
        // The metadata stays the two brokers' to change.
        cluster.node(0).addTopic("guarded").get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> cluster.node(1).state().topics().contains("guarded"));
        assertThat(impostor.state().topics()).doesNotContain("guarded");
    }

    @Test
    void aMinorityCommitsNothing() throws Exception {
        cluster = new LoopbackCluster(3, 2, dir).startAll();
        await().atMost(WAIT).untilAsserted(cluster::assertConverged);
        int survivor = cluster.raftLeader(); // the raft leader itself loses its majority
        ClusterState before = cluster.node(survivor).state();

        List<Integer> others = new ArrayList<>(List.of(0, 1, 2));
        others.remove(Integer.valueOf(survivor));
        cluster.crash(others.stream().mapToInt(Integer::intValue).toArray());

        JGroupsCluster alone = cluster.node(survivor);
        await().atMost(WAIT).until(() -> alone.state().live().equals(Set.of(survivor)) && !alone.ready());
        assertThatThrownBy(() -> alone.addTopic("lost").get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NoQuorumException.class);
        assertThatThrownBy(() -> alone.proposeIsr(survivor, 1, Set.of(survivor)).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NoQuorumException.class);
        // Ranges whose leaders died have a live in-sync replica here, but nothing may change without a majority.
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            ClusterState now = alone.state();
            assertThat(now.generations()).isEqualTo(before.generations());
            assertThat(now.topics()).isEqualTo(before.topics());
        });
    }

    @Test
    void aRestartedClusterRestoresItsMetadataFromTheRaftLogsAndSnapshots() throws Exception {
        cluster = new LoopbackCluster(3, 2, dir).startAll();
        await().atMost(WAIT).untilAsserted(cluster::assertConverged);
        cluster.node(0).addTopic("a").get(10, TimeUnit.SECONDS);
        cluster.node(2).proposeIsr(2, 1, Set.of(2, 0)).get(10, TimeUnit.SECONDS);
        // One broker compacts its log into a snapshot: its restart goes through readContentFrom.
        cluster.node(1).raftHandle().snapshot();
        cluster.node(1).addTopic("b").get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> cluster.converged()
                && cluster.running().stream().allMatch(c -> c.state().topics().size() == 2));
        ClusterState before = cluster.node(0).state();
        assertThat(before.generation(2).isr()).containsExactly(0, 2);

        cluster.crashAll();
        // Each broker alone first: without a majority nothing can change the metadata, so what it has is exactly
        // what its own raft directory restored (broker 1 from its snapshot plus the log after it).
        for (int b = 0; b < 3; b++) {
            ClusterState restored = cluster.start(b).state();
            assertThat(restored.generations()).as("broker %s restored from disk", b).isEqualTo(before.generations());
            assertThat(restored.topics()).containsExactly("a", "b");
            cluster.crash(b);
        }

        // Then all together: they agree again. A broker falsely suspected while the cluster forms (a slow CI
        // machine) is failed over like any other, so the generations may move on, never back.
        cluster.startAll();
        await().atMost(WAIT).untilAsserted(cluster::assertConverged);
        ClusterState after = cluster.node(0).state();
        assertThat(after.topics()).containsExactly("a", "b");
        before.generations().forEach((range, g) -> {
            assertThat(after.generation(range).replicas()).isEqualTo(g.replicas());
            assertThat(after.generation(range).version()).isGreaterThanOrEqualTo(g.version());
        });
    }

    @Test
    void aLeaderHandsItsRangeOverWhileItIsStillInTheView() throws Exception {
        cluster = new LoopbackCluster(3, 1, dir).startAll();
        await().atMost(WAIT).untilAsserted(cluster::assertConverged);

        // Broker 2 leads range 2 (replicas 2, 0, 1) and, as before a shutdown, hands it to broker 0 without itself.
        Generation moved = cluster.node(2).proposeLeader(2, 1, 0, Set.of(0, 1)).get(10, TimeUnit.SECONDS);
        assertThat(moved).isEqualTo(new Generation(2, 2, 0, List.of(2, 0, 1), Set.of(0, 1)));
        await().atMost(WAIT).untilAsserted(() -> cluster.running().forEach(c -> {
            assertThat(c.state().generation(2)).isEqualTo(moved);
            assertThat(c.state().live()).containsExactly(0, 1, 2);
        }));

        assertRejected(() -> cluster.node(2).proposeLeader(2, 1, 1, Set.of(0, 1)).get(10, TimeUnit.SECONDS),
                Rejection.STALE_VERSION);
        assertRejected(() -> cluster.node(0).proposeLeader(2, 2, 2, Set.of(0, 1, 2)).get(10, TimeUnit.SECONDS),
                Rejection.LEADER_NOT_IN_SYNC);
        // The ISR never grows through a hand-over: broker 2 stays out although it was named.
        Generation again = cluster.node(0).proposeLeader(2, 2, 1, Set.of(0, 1, 2)).get(10, TimeUnit.SECONDS);
        assertThat(again).isEqualTo(new Generation(2, 3, 1, List.of(2, 0, 1), Set.of(0, 1)));
    }

    @Test
    void bridgesReplicateToEveryBrokerAndSurviveARestartFromTheRaftDirectory() throws Exception {
        cluster = new LoopbackCluster(3, 1, dir).startAll();
        await().atMost(WAIT).untilAsserted(cluster::assertConverged);
        List<ClusterState> seenBy2 = new CopyOnWriteArrayList<>();
        cluster.node(2).addListener(seenBy2::add);

        BridgeEntry in = new BridgeEntry("orders-in", "{\"from\":\"orders\",\"v\":1}", false);
        BridgeEntry out = new BridgeEntry("audit-out", "{\"to\":\"audit\"}", false);
        cluster.node(0).putBridge(in).get(10, TimeUnit.SECONDS);
        assertThat(cluster.node(0).state().bridges()).containsExactly(Map.entry("orders-in", in));
        cluster.node(0).putBridge(out).get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).untilAsserted(() -> cluster.running().forEach(c -> assertThat(c.state().bridges())
                .containsExactly(Map.entry("audit-out", out), Map.entry("orders-in", in))));

        // Another broker replaces it whole, paused; a third removes the other bridge, and again (absent).
        BridgeEntry inPaused = new BridgeEntry("orders-in", "{\"from\":\"orders\",\"v\":2}", true);
        cluster.node(1).putBridge(inPaused).get(10, TimeUnit.SECONDS);
        assertThat(cluster.node(1).state().bridges().get("orders-in")).isEqualTo(inPaused);
        cluster.node(2).removeBridge("audit-out").get(10, TimeUnit.SECONDS);
        cluster.node(2).removeBridge("audit-out").get(10, TimeUnit.SECONDS);
        assertThat(cluster.node(2).state().bridges()).containsExactly(Map.entry("orders-in", inPaused));
        await().atMost(WAIT).untilAsserted(() -> cluster.running().forEach(c -> assertThat(c.state().bridges())
                .containsExactly(Map.entry("orders-in", inPaused))));
        // Listeners hear of bridge changes as of any other metadata change.
        await().atMost(WAIT).untilAsserted(() -> assertThat(seenBy2.getLast().bridges())
                .containsExactly(Map.entry("orders-in", inPaused)));
        assertThat(seenBy2.stream().map(st -> st.bridges().get("orders-in")).distinct().toList())
                .containsExactly(null, in, inPaused);

        // A follower compacts its log into a snapshot (format 3), stops and restarts from its raft directory.
        int restarted = (cluster.raftLeader() + 1) % 3;
        cluster.node(restarted).raftHandle().snapshot();
        cluster.stop(restarted);
        // Its own snapshot and log are loaded while it connects, before it hears from the raft leader.
        assertThat(cluster.start(restarted).state().bridges()).containsExactly(Map.entry("orders-in", inPaused));
        await().atMost(WAIT).untilAsserted(cluster::assertConverged);
        assertThat(cluster.node(restarted).state().bridges()).containsExactly(Map.entry("orders-in", inPaused));
    }

    @Test
    void aFollowerStuckInAHigherTermWithoutLeaderGetsAnElection() throws Exception {
        cluster = new LoopbackCluster(3, 1, dir).startAll();
        await().atMost(WAIT).untilAsserted(cluster::assertConverged);
        int follower = (cluster.raftLeader() + 1) % 3;
        JGroupsCluster stuck = cluster.node(follower);
        // What a broker that voted as coordinator of a short-lived partial view ends up with: a higher term and no
        // leader. jgroups-raft's followers drop the leader's messages of a lower term, and nothing else happens
        // until a view change.
        stuck.raftHandle().raft().currentTerm(stuck.raftHandle().currentTerm() + 5);
        assertThat(stuck.ready()).isFalse();

        await().atMost(WAIT).untilAsserted(cluster::assertConverged);
        cluster.node(follower).addTopic("after").get(10, TimeUnit.SECONDS);
        await().atMost(WAIT).untilAsserted(() -> cluster.running().forEach(
                c -> assertThat(c.state().topics()).containsExactly("after")));
    }

    @Test
    void oneBrokerClusterRunsTheSameCodePath() throws Exception {
        cluster = new LoopbackCluster(1, 3, dir).startAll();
        await().atMost(WAIT).untilAsserted(cluster::assertConverged);
        JGroupsCluster only = cluster.node(0);
        assertThat(only.state().generations())
                .isEqualTo(Map.of(0, new Generation(0, 1, 0, List.of(0), Set.of(0))));
        only.addTopic("solo").get(10, TimeUnit.SECONDS);
        assertThat(only.state().topics()).containsExactly("solo");
    }

    @Test
    void fiveBrokersForm() {
        cluster = new LoopbackCluster(5, 1, dir).startAll();
        await().atMost(WAIT).untilAsserted(cluster::assertConverged);
        ClusterState s = cluster.node(4).state();
        assertThat(s.live()).containsExactly(0, 1, 2, 3, 4);
        assertThat(s.generation(3)).isEqualTo(new Generation(3, 1, 3, List.of(3, 4, 0), Set.of(0, 3, 4)));
    }

    /**
     * Waits until the brokers agree and every range is led by its natural leader. A range failed over while the
     * cluster formed gets its natural leader back only once that broker is in the ISR again, which the broker's
     * replication does when it has caught up; nobody replicates here, so its current leader adds it back.
     */
    private void awaitNaturalLeaders() {
        await().atMost(WAIT).untilAsserted(() -> {
            cluster.assertConverged();
            for (Generation g : cluster.node(0).state().generations().values()) {
                if (g.leader() != g.range() && !g.inSync(g.range())) {
                    Set<Integer> withNatural = new java.util.TreeSet<>(g.isr());
                    withNatural.add(g.range());
                    // Not awaited: a refused or duplicate proposal is harmless, the next poll looks again.
                    cluster.node(g.leader()).proposeIsr(g.range(), g.version(), withNatural);
                }
                assertThat(g.leader()).as("leader of range %d", g.range()).isEqualTo(g.range());
            }
        });
    }

    private static void assertRejected(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, Rejection why) {
        assertThatThrownBy(call).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(MetadataRejectedException.class)
                .extracting(e -> ((MetadataRejectedException) e).reason()).isEqualTo(why);
    }
}
