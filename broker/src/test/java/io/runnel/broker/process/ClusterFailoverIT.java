package io.runnel.broker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.runnel.broker.process.ClusterHarness.RangeInfo;
import io.runnel.broker.process.ClusterHarness.ReplicaReport;
import io.runnel.broker.process.HttpLoad.Acked;
import io.runnel.broker.process.HttpLoad.Unacked;
import io.runnel.discovery.TokenRing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fault tests of a three-broker cluster of real broker JVMs on loopback ({@code 127.0.0.1..3}, see
 * {@link ClusterHarness}), under keyed produce load ({@link HttpLoad}) whose acknowledgements are
 * the source of truth:
 * <ul>
 *   <li>events posted to every broker are read back through every broker's consumer API, and the
 *       replicas hold identical chunks;</li>
 *   <li>the leader of range 0 killed with {@code kill -9}, or paused with {@code SIGSTOP} for 10 s:
 *       writes to its range resume on another broker (the time from the fault to the first
 *       acknowledgement of a write sent after it is measured and bounded), nothing acknowledged is
 *       lost, duplicated or reordered per key ({@link HistoryChecker} over a full read-back), and the
 *       broker comes back, catches up and takes its range back in a newer generation;</li>
 *   <li>the same leader stopped with {@code SIGTERM}: it hands its range over itself before it exits
 *       (its log says so), with the same guarantees;</li>
 *   <li>two of three brokers killed: nothing is acknowledged while no range has a majority (503
 *       with {@code Retry-After}, or no connection to a dead broker), and after the restart writes
 *       succeed again with nothing acknowledged lost.</li>
 * </ul>
 * Every test ends by stopping the cluster when it is quiet and comparing the replicas' stores chunk
 * by chunk ({@link ClusterHarness#compareReplicas}). Batches that were not acknowledged may or may not
 * be stored: they are counted and reported (a batch stored although its producer got an error is a
 * possible duplicate for a producer that retries), not judged, except that none may be torn.
 *
 * <p>A longer variant with many rounds of faults is {@link ClusterSoakIT} (opt-in).
 */
class ClusterFailoverIT {
    private static final int BROKERS = 3;
    /** Two partitions per range: six partitions, enough for several per range, light on two cores. */
    private static final int RANGES = 2;
    private static final TokenRing RING = new TokenRing(BROKERS, RANGES);
    private static final Duration READY = Duration.ofSeconds(60);
    private static final Duration SETTLE = Duration.ofSeconds(60);
    /** Longer than the broker's own limit for a write (2 x replica lag + 5 s): its answer is awaited. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    /** The functional bound: writes to a range whose leader fails resume within 5 s. */
    private static final Duration FAILOVER_BOUND = Duration.ofSeconds(5);
    private static final Duration PAUSE = Duration.ofSeconds(10);
    private static final Duration OUTAGE = Duration.ofSeconds(6);
    /**
     * Least time between the requests of one load thread: caps a load at (threads / PACE) requests per
     * second, so that a fast machine does not make more history than the read-back can check quickly.
     */
    private static final Duration PACE = Duration.ofMillis(20);

    @RegisterExtension
    final BrokerProcesses processes = new BrokerProcesses();

    private ClusterHarness cluster;
    private HttpClient probeClient;

    @AfterEach
    void closeClients() {
        if (cluster != null) {
            cluster.close();
        }
        if (probeClient != null) {
            probeClient.close();
        }
    }

    // ------------------------------------------------------------------ a. healthy cluster

    @Test
    void keyedEventsPostedToEveryBrokerAreReadBackAndReplicasAreIdentical() {
        String topic = "cluster-a";
        startCluster();
        HttpLoad.Settings settings = new HttpLoad.Settings(topic, "a", 3, 36, 1, 10, 1, "a-key-");
        List<Acked> acked;
        List<Unacked> unacked;
        try (HttpLoad load = new HttpLoad(cluster.producerUris(), settings, REQUEST_TIMEOUT).pace(PACE)) {
            load.start();
            load.awaitAcked(300, Duration.ofSeconds(60));
            load.stop();
            assertThat(load.anomalies()).as("producer contract").isEmpty();
            acked = load.acked();
            unacked = load.unacked();
        }
        assertThat(unacked).as("a whole, healthy cluster refuses nothing").isEmpty();
        assertRouting(acked);
        assertThat(acked.stream().map(Acked::target).distinct().sorted().toList())
                .as("writes went to every broker").containsExactly(0, 1, 2);
        assertThat(acked.stream().map(a -> rangeOf(a.batch().key())).distinct().sorted().toList())
                .as("every range got writes (most forwarded to its leader)").containsExactly(0, 1, 2);

        cluster.awaitSettled(SETTLE);
        HistoryChecker.Report report = readBack(topic, "verify-a", acked, unacked);
        log("a (healthy): " + report.summary() + "; " + throughput(acked, new int[] {0, 1, 2}));
        assertThat(report.problems()).as(report.describe()).isEmpty();
        assertThat(report.ackedFound()).isEqualTo(report.ackedEvents());
        assertThat(report.redelivered()).as("one reader per broker, no rebalance").isZero();
        stopAndCompare("a");
    }

    // ------------------------------------------------------------------ b. kill -9 of a leader

    @Test
    void killedLeaderLosesNoAcknowledgedWriteAndTakesItsRangeBack() {
        leaderStopsUnderLoadAndComesBack("b", false);
    }

    /** e. SIGTERM: the leader hands its range over itself, then exits; the same guarantees as for b hold. */
    @Test
    void stoppedLeaderHandsItsRangeOverLosesNoAcknowledgedWriteAndTakesItBack() {
        leaderStopsUnderLoadAndComesBack("e", true);
    }

    /**
     * Broker 0, the leader of range 0, is killed with {@code kill -9} or stopped with SIGTERM ({@code graceful})
     * under keyed load through all brokers; it restarts and takes its range back.
     */
    private void leaderStopsUnderLoadAndComesBack(String label, boolean graceful) {
        String topic = "cluster-" + label;
        String fault = graceful ? "SIGTERM of broker 0" : "kill -9 of broker 0";
        startCluster();
        RangeInfo initial = cluster.awaitRange(0, "led by broker 0", r -> r.leader() == 0, SETTLE);
        HttpLoad.Settings settings = new HttpLoad.Settings(topic, label, 6, 60, 1, 10, 2, label + "-key-");
        Failover failover;
        RangeInfo failedOver;
        RangeInfo back;
        List<Acked> acked;
        List<Unacked> unacked;
        try (HttpLoad load = new HttpLoad(cluster.producerUris(), settings, REQUEST_TIMEOUT).pace(PACE)) {
            load.start();
            load.awaitAck("on range 0", a -> rangeOf(a.batch().key()) == 0, Duration.ofSeconds(30));
            load.awaitAcked(200, Duration.ofSeconds(30));

            long stop = System.nanoTime();
            if (graceful) {
                assertThat(cluster.broker(0).stop()).as("exit code after SIGTERM").isEqualTo(143);
                assertThat(readLog(cluster.broker(0)))
                        .as("broker 0 handed range 0 over before it left").contains("range 0: handed over to broker");
            } else {
                cluster.broker(0).kill();
            }
            failover = Failover.measure(load, RING, 0, stop, fault);
            failedOver = cluster.awaitRange(0, "led by another broker in a newer generation",
                    r -> r.leader() != 0 && r.version() > initial.version(), Duration.ofSeconds(30));
            log(label + ": range 0 moved: " + failedOver.summary() + "; " + failover);
            load.awaitAcked(load.ackedBatches() + 100, Duration.ofSeconds(30));

            cluster.broker(0).start().awaitReady(READY);
            back = cluster.awaitRange(0, "led by broker 0 again in a newer generation",
                    r -> r.leader() == 0 && r.version() > failedOver.version(), Duration.ofSeconds(60));
            long handedBack = System.nanoTime();
            log(label + ": range 0 handed back: " + back.summary());
            load.awaitAck("on range 0 after the handback", a -> rangeOf(a.batch().key()) == 0 && a.sentNanos() > handedBack,
                    Duration.ofSeconds(30));
            load.stop();
            assertThat(load.anomalies()).as("producer contract").isEmpty();
            acked = load.acked();
            unacked = load.unacked();
        }
        assertRouting(acked);
        cluster.awaitSettled(SETTLE);
        HistoryChecker.Report report = readBack(topic, "verify-" + label, acked, unacked);
        log(label + " (" + fault + "): " + report.summary() + "; " + unackedSummary(unacked) + "; "
                + throughput(acked, new int[] {0, 1, 2}));
        assertThat(report.problems()).as(report.describe()).isEmpty();
        assertThat(report.ackedFound()).isEqualTo(report.ackedEvents());
        stopAndCompare(label);
        assertThat(failover.gap()).as("writes to range 0 resume after the %s (%s)", fault, failover)
                .isLessThan(FAILOVER_BOUND);
    }

    private static String readLog(BrokerProcess broker) {
        try {
            return Files.readString(broker.log());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ c. SIGSTOP of a leader

    @Test
    void pausedLeaderGetsNothingAcknowledgedInItsOldGenerationAndTakesItsRangeBack() {
        String topic = "cluster-c";
        startCluster();
        RangeInfo initial = cluster.awaitRange(0, "led by broker 0", r -> r.leader() == 0, SETTLE);
        // The main load goes to brokers 1 and 2 only: a request to a frozen broker waits as long as the
        // pause, so a load to it measures the pause, not the failover. Its keys of range 0 are forwarded
        // to broker 0 until the failover. A second load writes through broker 0 alone, during the pause
        // too: whatever broker 0 answers after it resumes must be consistent with the history.
        HttpLoad.Settings mainSettings = new HttpLoad.Settings(topic, "c", 8, 64, 1, 10, 3, "c-key-");
        HttpLoad.Settings viaPausedSettings = new HttpLoad.Settings(topic, "cp", 2, 8, 1, 5, 4, "c-paused-key-");
        Failover failover;
        RangeInfo failedOver;
        RangeInfo back;
        long resumed;
        List<Acked> acked = new ArrayList<>();
        List<Unacked> unacked = new ArrayList<>();
        List<Acked> viaPaused;
        List<Acked> mainAcked;
        List<Unacked> mainUnacked;
        List<Unacked> viaPausedUnacked;
        try (HttpLoad load = new HttpLoad(cluster.producerUris(1, 2), mainSettings, REQUEST_TIMEOUT).pace(PACE);
             HttpLoad paused = new HttpLoad(cluster.producerUris(0), viaPausedSettings, REQUEST_TIMEOUT).pace(PACE)) {
            load.start();
            paused.start();
            load.awaitAck("on range 0", a -> rangeOf(a.batch().key()) == 0, Duration.ofSeconds(30));
            load.awaitAcked(200, Duration.ofSeconds(30));
            paused.awaitAcked(20, Duration.ofSeconds(30));

            long pause = System.nanoTime();
            cluster.broker(0).pause();
            failover = Failover.measure(load, RING, 0, pause, "SIGSTOP of broker 0");
            failedOver = cluster.awaitRange(0, "led by another broker in a newer generation",
                    r -> r.leader() != 0 && r.version() > initial.version(), Duration.ofSeconds(30));
            log("c: range 0 failed over: " + failedOver.summary() + "; " + failover);
            // The fault lasts PAUSE (its duration, not a synchronisation).
            LockSupport.parkNanos(Math.max(0, pause + PAUSE.toNanos() - System.nanoTime()));
            resumed = System.nanoTime();
            cluster.broker(0).resume();

            // First the resumed broker must learn that it was deposed (the metadata moved on without it).
            cluster.awaitRange(0, "known in the newer generation by every broker, the resumed one too",
                    r -> r.version() >= failedOver.version(), Duration.ofSeconds(30));
            back = cluster.awaitRange(0, "led by broker 0 again in a newer generation",
                    r -> r.leader() == 0 && r.version() > failedOver.version(), Duration.ofSeconds(60));
            long handedBack = System.nanoTime();
            log("c: range 0 handed back: " + back.summary());
            load.awaitAck("on range 0 after the handback", a -> rangeOf(a.batch().key()) == 0 && a.sentNanos() > handedBack,
                    Duration.ofSeconds(30));
            paused.awaitAck("through broker 0 after the handback", a -> a.sentNanos() > handedBack, Duration.ofSeconds(30));
            load.stop();
            paused.stop();
            assertThat(load.anomalies()).as("producer contract (main load)").isEmpty();
            assertThat(paused.anomalies()).as("producer contract (load through broker 0)").isEmpty();
            mainAcked = load.acked();
            acked.addAll(mainAcked);
            acked.addAll(paused.acked());
            mainUnacked = load.unacked();
            viaPausedUnacked = paused.unacked();
            unacked.addAll(mainUnacked);
            unacked.addAll(viaPausedUnacked);
            viaPaused = paused.acked();
        }
        assertRouting(acked);
        cluster.awaitSettled(SETTLE);
        String group = "verify-c";
        Set<String> expected = ids(acked);
        List<ConsumerClient.Record> read = cluster.readAll(topic, group, expected, Duration.ofSeconds(30));
        HistoryChecker.Report report = HistoryChecker.check(acked, unacked, read);
        log("c (SIGSTOP leader " + PAUSE.toSeconds() + " s): " + report.summary() + "; main load: "
                + unackedSummary(mainUnacked) + "; load through broker 0: " + unackedSummary(viaPausedUnacked)
                + ", acknowledged " + viaPaused.size() + "; main load " + throughput(mainAcked, new int[] {1, 2})
                + "; through broker 0 " + throughput(viaPaused, new int[] {0}));
        assertThat(report.problems()).as(report.describe()).isEmpty();
        assertThat(report.ackedFound()).isEqualTo(report.ackedEvents());

        // Broker 0 answered 200 after it resumed only for events stored in a generation newer than the
        // one it led when it was paused.
        Map<String, Integer> versionOf = new HashMap<>();
        read.forEach(r -> versionOf.putIfAbsent(r.id(), r.version()));
        List<String> oldGeneration = new ArrayList<>();
        for (Acked a : viaPaused) {
            if (a.ackedNanos() > resumed && rangeOf(a.batch().key()) == 0) {
                for (String id : a.batch().ids()) {
                    Integer v = versionOf.get(id);
                    if (v != null && v <= initial.version()) {
                        oldGeneration.add(id + " (generation " + v + ")");
                    }
                }
            }
        }
        assertThat(oldGeneration).as("acknowledged by broker 0 after it resumed, but stored in its old generation "
                + initial.version()).isEmpty();
        stopAndCompare("c");
        assertThat(failover.gap()).as("writes to range 0 resume after the pause (%s)", failover).isLessThan(FAILOVER_BOUND);
    }

    // ------------------------------------------------------------------ d. majority lost

    @Test
    void withTwoOfThreeBrokersDeadNothingIsAcknowledgedAndWritesResumeAfterTheirRestart() {
        String topic = "cluster-d";
        startCluster();
        probeClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        HttpLoad.Settings settings = new HttpLoad.Settings(topic, "d", 6, 60, 1, 10, 5, "d-key-");
        List<Acked> acked = new ArrayList<>();
        List<Unacked> unacked = new ArrayList<>();
        List<Probe> probes = new ArrayList<>();
        long outage;
        long restart;
        try (HttpLoad load = new HttpLoad(cluster.producerUris(), settings, REQUEST_TIMEOUT).pace(PACE)) {
            load.start();
            load.awaitAcked(200, Duration.ofSeconds(30));

            cluster.broker(1).kill();
            cluster.broker(2).kill();
            outage = System.nanoTime();
            // Once the survivor noticed (it reports 503 on /status), probe it for each range while the
            // outage lasts (OUTAGE is the fault's duration). Writes it took before it noticed are judged
            // through the load's history.
            await("broker 0 notices that it is alone").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> !cluster.broker(0).answersStatus(Duration.ofSeconds(2)));
            long noticed = System.nanoTime();
            log("d: broker 0 reports 503 on /status " + Duration.ofNanos(noticed - outage).toMillis()
                    + " ms after the kills");
            int n = 0;
            while (System.nanoTime() - noticed < OUTAGE.toNanos()) {
                for (int range = 0; range < BROKERS; range++) {
                    probes.add(probe(topic, range, n++));
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // probe rate, not synchronisation
            }
            log("d: during the outage broker 0 says " + cluster.describe().trim() + "; load: last failure "
                    + load.lastFailure());
            restart = System.nanoTime();
            cluster.broker(1).start();
            cluster.broker(2).start();
            cluster.broker(1).awaitReady(READY);
            cluster.broker(2).awaitReady(READY);
            long ready = System.nanoTime();
            for (int range = 0; range < BROKERS; range++) {
                int r = range;
                load.awaitAck("on range " + r + " after the restart", a -> rangeOf(a.batch().key()) == r
                        && a.sentNanos() > ready, Duration.ofSeconds(30));
            }
            load.stop();
            assertThat(load.anomalies()).as("producer contract").isEmpty();
            acked.addAll(load.acked());
            unacked.addAll(load.unacked());
        }
        for (Probe p : probes) {
            if (p.acked() != null) {
                acked.add(p.acked());
            } else {
                unacked.add(p.unacked());
            }
        }
        assertRouting(acked);

        List<Acked> duringOutage = acked.stream()
                .filter(a -> a.sentNanos() >= outage && a.ackedNanos() > 0 && a.ackedNanos() < restart).toList();
        List<Acked> sentDuringOutageAckedLater = acked.stream()
                .filter(a -> a.sentNanos() >= outage && a.sentNanos() < restart && a.ackedNanos() >= restart).toList();
        Map<String, Long> probeOutcomes = probes.stream().collect(Collectors.groupingBy(Probe::outcome, TreeMap::new,
                Collectors.counting()));
        cluster.awaitSettled(SETTLE);
        HistoryChecker.Report report = readBack(topic, "verify-d", acked, unacked);
        log("d (2 of 3 killed for " + OUTAGE.toSeconds() + " s): probes of broker 0 " + probeOutcomes
                + "; acknowledged during the outage " + duringOutage.size() + ", sent during it and acknowledged after"
                + " the restart " + sentDuringOutageAckedLater.size() + "; " + report.summary() + "; "
                + unackedSummary(unacked) + "; " + throughput(load(acked), new int[] {0, 1, 2}));

        assertThat(duringOutage).as("acknowledged while no range had a majority").isEmpty();
        // Writes waiting on broker 0 when the others died are answered as soon as it notices, not after the
        // replication timeout: nothing it waits for can come back until a majority is in view again.
        assertThat(unacked).filteredOn(u -> u.sentNanos() < restart)
                .as("writes sent before the restart that waited for the replication timeout")
                .noneMatch(u -> u.reason().contains("replication_timeout"));
        assertThat(probes).as("probes of the surviving broker").isNotEmpty();
        assertThat(probes).as("the survivor refuses with 503 and Retry-After: " + probeOutcomes)
                .allSatisfy(p -> assertThat(p.outcome()).isEqualTo("503 with Retry-After"));
        assertThat(report.problems()).as(report.describe()).isEmpty();
        assertThat(report.ackedFound()).isEqualTo(report.ackedEvents());
        stopAndCompare("d");
    }

    /** One produce request to broker 0 during the outage: a fresh key of the range, one event. */
    private Probe probe(String topic, int range, int n) {
        String key = keyOfRange("d-probe-" + n + "-", range);
        String id = "d-probe-" + n;
        HttpLoad.Batch batch = new HttpLoad.Batch(key, List.of(id));
        URI uri = URI.create(cluster.broker(0).producerUri() + "/v1/topic/" + topic + "/messages?partitionKey="
                + URLEncoder.encode(key, StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(ProducerClient.event(key, id) + "\n")).build();
        long sent = System.nanoTime();
        try {
            HttpResponse<String> r = probeClient.send(request, HttpResponse.BodyHandlers.ofString());
            long now = System.nanoTime();
            if (r.statusCode() == 200) {
                var ack = ProducerClient.JSON.readTree(r.body());
                return new Probe(range, "200", new Acked(batch, new ProducerClient.Ack(ack.path("topic").asText(),
                        ack.path("partition").asInt(), Long.parseLong(ack.path("offset").asText()), ack.path("count").asInt()),
                        0, 0, 0, sent, now), null);
            }
            boolean retryAfter = r.headers().firstValue("Retry-After").isPresent();
            String outcome = r.statusCode() + (retryAfter ? " with Retry-After" : " without Retry-After");
            return new Probe(range, outcome, null, new Unacked(batch, outcome + ": " + r.body(), 0, r.statusCode(), sent, now));
        } catch (IOException e) {
            return new Probe(range, "no answer", null, new Unacked(batch, "no answer: " + e, 0, -1, sent, System.nanoTime()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private record Probe(int range, String outcome, Acked acked, Unacked unacked) {
    }

    // ------------------------------------------------------------------ helpers

    private void startCluster() {
        cluster = new ClusterHarness(processes, BROKERS, RANGES, Map.of());
        cluster.startAll().awaitReady(READY);
        cluster.awaitSettled(SETTLE);
        log("cluster up: " + cluster + cluster.describe());
    }

    /** The load's acknowledgements (probes left out). */
    private static List<Acked> load(List<Acked> acked) {
        return acked.stream().filter(a -> a.ackSeq() > 0).toList();
    }

    private static int rangeOf(String key) {
        return RING.rangeOf(RING.partitionOf(key));
    }

    /** A key of {@code range}: {@code prefix} followed by the first number that hashes into it. */
    private static String keyOfRange(String prefix, int range) {
        for (int i = 0; ; i++) {
            if (rangeOf(prefix + i) == range) {
                return prefix + i;
            }
        }
    }

    private static Set<String> ids(List<Acked> acked) {
        Set<String> ids = new HashSet<>();
        acked.forEach(a -> ids.addAll(a.batch().ids()));
        return ids;
    }

    /** Every acknowledgement names the partition the key hashes to, whichever broker took the request. */
    private static void assertRouting(List<Acked> acked) {
        List<String> misrouted = acked.stream()
                .filter(a -> a.ack().partition() != RING.partitionOf(a.batch().key()))
                .limit(10)
                .map(a -> a.batch().key() + " acknowledged in partition " + a.ack().partition() + ", hashes to "
                        + RING.partitionOf(a.batch().key()))
                .toList();
        assertThat(misrouted).as("acknowledged in the wrong partition").isEmpty();
    }

    private HistoryChecker.Report readBack(String topic, String group, List<Acked> acked, List<Unacked> unacked) {
        List<ConsumerClient.Record> read = cluster.readAll(topic, group, ids(acked), Duration.ofSeconds(30));
        return HistoryChecker.check(acked, unacked, read);
    }

    /** Stops the quiet cluster (SIGTERM) and compares every partition's replicas chunk by chunk. */
    private void stopAndCompare(String label) {
        Map<Integer, Integer> exits = cluster.stopAll(Duration.ofSeconds(30));
        ReplicaReport replicas = cluster.compareReplicas(true);
        log(label + ": brokers exited with " + exits + "; replicas: " + replicas.summary() + "; ends "
                + replicas.ends().entrySet().stream().filter(e -> e.getValue().values().stream().anyMatch(v -> v > 0))
                .map(e -> e.getKey() + "=" + e.getValue().values().iterator().next()).collect(Collectors.joining(" ")));
        assertThat(replicas.problems()).as(replicas.describe()).isEmpty();
        assertThat(replicas.chunksCompared()).as("chunks compared across replicas").isPositive();
    }

    /**
     * Acknowledged batches per second and latency percentiles, for the record: split into requests
     * the receiving broker led (by the natural leaders) and requests it forwarded.
     */
    private static String throughput(List<Acked> acked, int[] targets) {
        if (acked.isEmpty()) {
            return "nothing acknowledged";
        }
        long first = acked.stream().mapToLong(Acked::sentNanos).min().orElse(0);
        long last = acked.stream().mapToLong(Acked::ackedNanos).max().orElse(0);
        double seconds = Math.max(1e-3, (last - first) / 1e9);
        List<Long> local = new ArrayList<>();
        List<Long> forwarded = new ArrayList<>();
        for (Acked a : acked) {
            int receiver = targets[a.target()];
            (receiver == rangeOf(a.batch().key()) ? local : forwarded).add(a.ackedNanos() - a.sentNanos());
        }
        return String.format("%d batches in %.1f s (%.0f/s); latency led here %s, forwarded %s", acked.size(), seconds,
                acked.size() / seconds, percentiles(local), percentiles(forwarded));
    }

    private static String percentiles(List<Long> nanos) {
        if (nanos.isEmpty()) {
            return "-";
        }
        List<Long> sorted = nanos.stream().sorted().toList();
        return String.format("p50 %.1f ms p99 %.1f ms (n=%d)", sorted.get(sorted.size() / 2) / 1e6,
                sorted.get((int) Math.min(sorted.size() - 1, Math.round(sorted.size() * 0.99))) / 1e6, sorted.size());
    }

    /** Counts of unacknowledged batches by kind of failure. */
    private static String unackedSummary(List<Unacked> unacked) {
        Map<String, Long> byKind = unacked.stream().collect(Collectors.groupingBy(u -> u.status() > 0
                ? "HTTP " + u.status() + kind(u.reason()) : u.reason().startsWith("timed out") ? "timed out" : "no answer",
                TreeMap::new, Collectors.counting()));
        return "unacknowledged " + unacked.size() + " " + byKind;
    }

    /** The {@code error} kind of a JSON error answer in a failure reason, e.g. " not_leader". */
    private static String kind(String reason) {
        int at = reason.indexOf("\"error\":\"");
        if (at < 0) {
            return "";
        }
        int from = at + 9;
        int to = reason.indexOf('"', from);
        return to > from ? " " + reason.substring(from, to) : "";
    }

    private static void log(String line) {
        System.out.println("ClusterFailoverIT " + line);
    }
}
