package io.runnel.broker.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.broker.process.ClusterHarness.RangeInfo;
import io.runnel.broker.process.ClusterHarness.ReplicaReport;
import io.runnel.broker.process.HttpLoad.Acked;
import io.runnel.broker.process.HttpLoad.Unacked;
import io.runnel.discovery.TokenRing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The long run of {@link ClusterFailoverIT}: rounds of faults on a three-broker cluster under
 * keyed load, each on the next broker in turn, cycling through {@code kill -9} (then restart), a
 * 5 s {@code SIGSTOP} (then {@code SIGCONT}) and {@code SIGTERM} (a hand-over, then restart). After every round the broker must lead its range
 * again in a newer generation; at the end the whole history is read back and checked
 * ({@link HistoryChecker}), and the replicas are compared chunk by chunk.
 *
 * <p>Opt-in, it takes minutes: {@code -Drunnel.soak=true} (rounds: {@code -Drunnel.soak.rounds=N},
 * default 12), e.g. {@code mvn -B -o -pl broker -am verify -Dtest=none -Dit.test=ClusterSoakIT
 * -Drunnel.soak=true -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "runnel.soak", matches = "true",
        disabledReason = "long cluster soak: runs only with mvn verify -Psoak or -Drunnel.soak=true (-Drunnel.soak.rounds=N, default 12)")
class ClusterSoakIT {
    private static final int BROKERS = 3;
    private static final int RANGES = 2;
    private static final TokenRing RING = new TokenRing(BROKERS, RANGES);
    private static final Duration READY = Duration.ofSeconds(60);
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration PAUSE = Duration.ofSeconds(5);
    private static final Duration FAILOVER_BOUND = Duration.ofSeconds(5);

    @RegisterExtension
    final BrokerProcesses processes = new BrokerProcesses();

    private ClusterHarness cluster;

    @AfterEach
    void closeClients() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void roundsOfKillsAndPausesLoseNothingAcknowledged() {
        int rounds = Integer.getInteger("runnel.soak.rounds", 12);
        String topic = "cluster-soak";
        cluster = new ClusterHarness(processes, BROKERS, RANGES, Map.of());
        cluster.startAll().awaitReady(READY);
        cluster.awaitSettled(SETTLE);
        HttpLoad.Settings settings = new HttpLoad.Settings(topic, "s", 6, 90, 1, 20, 7, "s-key-");
        List<Failover> failovers = new ArrayList<>();
        List<Acked> acked;
        List<Unacked> unacked;
        try (HttpLoad load = new HttpLoad(cluster.producerUris(), settings, REQUEST_TIMEOUT).pace(Duration.ofMillis(20))) {
            load.start();
            load.awaitAcked(100, Duration.ofSeconds(30));
            for (int round = 0; round < rounds; round++) {
                int victim = round % BROKERS;
                int kind = (round / BROKERS) % 3; // every broker once per kind: kill -9, SIGSTOP, SIGTERM
                RangeInfo before = cluster.awaitRange(victim, "led by broker " + victim, r -> r.leader() == victim, SETTLE);
                long fault = System.nanoTime();
                Failover f;
                if (kind == 0) {
                    cluster.broker(victim).kill();
                    f = Failover.measure(load, RING, victim, fault, "round " + round + ": kill -9 of broker " + victim);
                    cluster.broker(victim).start().awaitReady(READY);
                } else if (kind == 2) {
                    cluster.broker(victim).stop(); // hands its ranges over, then exits
                    f = Failover.measure(load, RING, victim, fault, "round " + round + ": SIGTERM of broker " + victim);
                    cluster.broker(victim).start().awaitReady(READY);
                } else {
                    // New requests go to the other brokers, as a client that timed out on the frozen one would do;
                    // keys of its range reach it only forwarded, until it leaves the view.
                    load.avoid(victim);
                    cluster.broker(victim).pause();
                    fault = System.nanoTime(); // once it is stopped: until then it may still answer
                    f = Failover.measure(load, RING, victim, fault, "round " + round + ": SIGSTOP of broker " + victim);
                    // The fault lasts PAUSE (its duration, not a synchronisation).
                    LockSupport.parkNanos(Math.max(0, fault + PAUSE.toNanos() - System.nanoTime()));
                    cluster.broker(victim).resume();
                    load.allow(victim);
                }
                failovers.add(f);
                cluster.awaitRange(victim, "led by broker " + victim + " again in a newer generation",
                        r -> r.leader() == victim && r.version() > before.version(), Duration.ofSeconds(90));
                load.awaitAcked(load.ackedBatches() + 50, Duration.ofSeconds(30));
                System.out.println("ClusterSoakIT " + f + ";" + cluster.describe());
            }
            load.stop();
            assertThat(load.anomalies()).as("producer contract").isEmpty();
            acked = load.acked();
            unacked = load.unacked();
        }
        cluster.awaitSettled(SETTLE);
        Set<String> ids = new HashSet<>();
        acked.forEach(a -> ids.addAll(a.batch().ids()));
        HistoryChecker.Report report = HistoryChecker.check(acked, unacked,
                cluster.readAll(topic, "verify-soak", ids, Duration.ofSeconds(60)));
        System.out.println("ClusterSoakIT " + rounds + " rounds: " + report.summary());
        assertThat(report.problems()).as(report.describe()).isEmpty();
        assertThat(report.ackedFound()).isEqualTo(report.ackedEvents());

        cluster.stopAll(Duration.ofSeconds(30));
        ReplicaReport replicas = cluster.compareReplicas(true);
        System.out.println("ClusterSoakIT replicas: " + replicas.summary());
        assertThat(replicas.problems()).as(replicas.describe()).isEmpty();
        assertThat(failovers).as("writes resume within %s after every fault", FAILOVER_BOUND)
                .allSatisfy(f -> assertThat(f.gap()).as(f.toString()).isLessThan(FAILOVER_BOUND));
    }
}
