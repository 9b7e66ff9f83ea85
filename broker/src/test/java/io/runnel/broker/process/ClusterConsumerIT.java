package io.runnel.broker.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnel.broker.process.ClusterHarness.RangeInfo;
import io.runnel.broker.process.HttpLoad.Acked;
import io.runnel.discovery.TokenRing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Consumer groups on a three-broker cluster of real broker JVMs ({@link ClusterHarness}) under keyed
 * produce load ({@link HttpLoad}) whose acknowledgements are the source of truth:
 * <ul>
 *   <li>a group of three consumers, each polling every broker in turn, survives a {@code kill -9} and
 *       restart of a broker: every acknowledged event is received at least once, per key the first
 *       receptions follow acknowledgement order, and duplicates appear only after the failure;</li>
 *   <li>the committed offsets each partition's leader reports ({@code GET /v1/groups/{group}}),
 *       sampled throughout, never move backwards, across leader changes too;</li>
 *   <li>after a consumer joins and another leaves, once the rebalance settled no partition is read
 *       by two consumers in one poll round, and every partition is read by someone;</li>
 *   <li>a single consumer polling the brokers one after another reads the whole topic.</li>
 * </ul>
 */
class ClusterConsumerIT {
    private static final int BROKERS = 3;
    private static final int RANGES = 2;
    private static final TokenRing RING = new TokenRing(BROKERS, RANGES);
    private static final Duration READY = Duration.ofSeconds(60);
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration PACE = Duration.ofMillis(40);
    private static final int KILLED = 1;

    @RegisterExtension
    final BrokerProcesses processes = new BrokerProcesses();

    private ClusterHarness cluster;

    @AfterEach
    void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** One record as a group member received it, with when and where. */
    private record Received(String consumer, int broker, int round, long seq, long nanos, ConsumerClient.Record record) {
    }

    // ------------------------------------------------------------------ 1-3. group through kill, restart, rebalance

    @Test
    void groupReadsEveryAcknowledgedEventThroughBrokerKillRestartAndRebalance() throws Exception {
        String topic = "group-topic";
        String group = "g";
        startCluster();
        HttpLoad.Settings settings = new HttpLoad.Settings(topic, "g", 4, 40, 1, 5, 7, "g-key-");
        Map<String, Integer> home = new LinkedHashMap<>(Map.of("c1", 0, "c2", 1, "c3", 2));
        List<Received> received = new ArrayList<>();
        Map<String, Long> pollErrors = new TreeMap<>();
        List<Map<Integer, Set<String>>> rounds = new ArrayList<>(); // per round: partition -> consumers with data
        List<Acked> acked;
        List<HttpLoad.Unacked> unacked;
        long kill;
        int settledFrom;
        int settledTo;
        OffsetSampler sampler = new OffsetSampler(group);
        Map<Integer, ConsumerClient> clients = new TreeMap<>();
        for (int b = 0; b < BROKERS; b++) {
            clients.put(b, new ConsumerClient(cluster.broker(b).consumerUri(), RING));
        }
        Thread samplerThread = Thread.ofPlatform().name("offset-sampler").start(sampler);
        try (HttpLoad load = new HttpLoad(cluster.producerUris(), settings, REQUEST_TIMEOUT).pace(PACE)) {
            home.forEach((c, b) -> clients.get(b).register(c, group, topic, "startFromEarliest"));
            load.start();
            Poller poller = new Poller(clients, home, received, pollErrors, rounds);
            poller.until(() -> received.size() >= 1500, Duration.ofSeconds(40), "1500 records before the kill");

            RangeInfo before = cluster.awaitRange(KILLED, "led by broker " + KILLED, r -> r.leader() == KILLED, SETTLE);
            kill = System.nanoTime();
            cluster.broker(KILLED).kill();
            RangeInfo failedOver = cluster.awaitRange(KILLED, "failed over", r -> r.leader() != KILLED
                    && r.version() > before.version(), Duration.ofSeconds(30));
            long afterFailover = System.nanoTime();
            poller.until(() -> load.acked().stream().anyMatch(a -> rangeOf(a.batch().key()) == KILLED
                    && a.sentNanos() > afterFailover && received.stream().anyMatch(r -> r.record().id() != null
                    && a.batch().ids().contains(r.record().id()))), Duration.ofSeconds(30),
                    "an event of range " + KILLED + " produced after the failover is consumed");
            log("1: killed broker " + KILLED + ", failed over: " + failedOver.summary());

            long restarted = System.nanoTime();
            cluster.broker(KILLED).start().awaitReady(READY);
            long ready = System.nanoTime();
            poller.until(() -> cluster.topology(KILLED).map(t -> t.range(KILLED).leader() == KILLED
                    && t.range(KILLED).version() > failedOver.version()).orElse(false)
                    && cluster.answering().size() == BROKERS, Duration.ofSeconds(60), "broker " + KILLED + " leads again");
            RangeInfo back = cluster.awaitRange(KILLED, "led by broker " + KILLED + " again",
                    r -> r.leader() == KILLED && r.version() > failedOver.version(), Duration.ofSeconds(30));
            long handedBack = System.nanoTime();
            poller.until(() -> received.stream().anyMatch(r -> r.nanos() > handedBack
                    && RING.rangeOf(r.record().partition()) == KILLED && r.broker() == KILLED), Duration.ofSeconds(30),
                    "range " + KILLED + " consumed from broker " + KILLED + " after the handback");
            log("1: broker " + KILLED + " leads again: " + back.summary() + "; restarted " + ms(restarted - kill)
                    + " ms, ready " + ms(ready - kill) + " ms, handback seen " + ms(handedBack - kill) + " ms after the kill");

            // 3. c4 joins (through broker 2), c2 leaves (through broker 1).
            clients.get(2).register("c4", group, topic, "startFromEarliest");
            home.put("c4", 2);
            clients.get(1).goodbye("c2");
            home.remove("c2");
            poller.rounds(3); // let the rebalance settle
            settledFrom = rounds.size();
            poller.rounds(5);
            settledTo = rounds.size();

            load.stop();
            assertThat(load.anomalies()).as("producer contract").isEmpty();
            acked = load.acked();
            unacked = load.unacked();
            Set<String> expected = new HashSet<>();
            acked.forEach(a -> expected.addAll(a.batch().ids()));
            poller.untilQuiet(expected, Duration.ofSeconds(40));
        } finally {
            sampler.stop.countDown();
            samplerThread.join(5_000);
            clients.values().forEach(ConsumerClient::close);
        }

        // 1. at least once, per-key first-occurrence order, duplicates only after the kill.
        List<ConsumerClient.Record> all = received.stream().map(Received::record).toList();
        HistoryChecker.Report report = HistoryChecker.check(acked, unacked, all);
        Map<String, List<Received>> byId = new HashMap<>();
        received.forEach(r -> byId.computeIfAbsent(r.record().id(), k -> new ArrayList<>()).add(r));
        List<String> duplicates = new ArrayList<>();
        List<String> duplicatesBeforeKill = new ArrayList<>();
        long duplicateReceptions = 0;
        for (var e : byId.entrySet()) {
            List<Received> rs = e.getValue();
            if (rs.size() > 1) {
                duplicateReceptions += rs.size() - 1;
                String d = e.getKey() + " at " + rs.get(0).record().partition() + "/" + rs.get(0).record().offset() + " by "
                        + rs.stream().map(r -> r.consumer() + "@b" + r.broker() + " round " + r.round()
                        + " v" + r.record().version() + " (" + ms(r.nanos() - kill) + " ms after kill)").toList();
                duplicates.add(d);
                if (rs.get(1).nanos() < kill) {
                    duplicatesBeforeKill.add(d);
                }
            }
        }
        Set<String> ackedIds = new HashSet<>();
        acked.forEach(a -> ackedIds.addAll(a.batch().ids()));
        Map<String, Long> firstSeq = new HashMap<>();
        received.forEach(r -> firstSeq.putIfAbsent(r.record().id(), r.seq()));
        List<String> misordered = new ArrayList<>();
        acked.stream().collect(Collectors.groupingBy(a -> a.batch().key())).forEach((key, batches) -> {
            List<String> ids = batches.stream().sorted(Comparator.comparingInt(Acked::keyAckSeq))
                    .flatMap(a -> a.batch().ids().stream()).toList();
            long last = -1;
            String lastId = null;
            for (String id : ids) {
                Long s = firstSeq.get(id);
                if (s == null) {
                    continue; // lost: reported by the history check
                }
                if (s < last) {
                    misordered.add(key + ": " + id + " first received before " + lastId);
                }
                last = s;
                lastId = id;
            }
        });
        log("1: " + report.summary() + "; receptions=" + received.size() + "; distinct ids=" + byId.size()
                + "; duplicated ids=" + duplicates.size() + " (extra receptions " + duplicateReceptions + ", before kill "
                + duplicatesBeforeKill.size() + "); poll errors " + pollErrors);
        duplicates.stream().limit(15).forEach(d -> log("1: duplicate " + d));

        // 2. committed offsets never move backwards.
        List<String> backwards = sampler.backwards();
        log("2: offset samples=" + sampler.samples.size() + " partitions=" + sampler.partitionsSeen() + " final="
                + sampler.last() + "; backwards=" + backwards.size() + "; sampler errors " + sampler.errors);
        backwards.stream().limit(15).forEach(b -> log("2: backwards " + b));

        // 3. after the rebalance: one reader per partition per round, every partition read.
        List<String> sharedInRound = new ArrayList<>();
        Map<Integer, Set<String>> readersAfter = new TreeMap<>();
        for (int i = settledFrom; i < settledTo; i++) {
            int round = i;
            rounds.get(i).forEach((p, cs) -> {
                readersAfter.computeIfAbsent(p, k -> new TreeSet<>()).addAll(cs);
                if (cs.size() > 1) {
                    sharedInRound.add("round " + round + ": partition " + p + " read by " + cs);
                }
            });
        }
        log("3: settled rounds " + settledFrom + ".." + (settledTo - 1) + " readers per partition " + readersAfter
                + "; shared in a round " + sharedInRound);

        assertThat(report.problems()).as(report.describe()).isEmpty();
        assertThat(report.ackedFound()).as("every acknowledged event received").isEqualTo(report.ackedEvents());
        assertThat(misordered).as("per key, first receptions in acknowledgement order").isEmpty();
        assertThat(duplicatesBeforeKill).as("duplicates before the failure").isEmpty();
        assertThat(sampler.samples).as("committed-offset samples").isNotEmpty();
        assertThat(backwards).as("committed offsets moving backwards").isEmpty();
        assertThat(sharedInRound).as("partitions read by two consumers in one round after the rebalance").isEmpty();
        assertThat(readersAfter.keySet()).as("every partition read after the rebalance")
                .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, RING.partitionCount()).boxed().toList());
        assertThat(readersAfter.values().stream().flatMap(Set::stream).collect(Collectors.toSet()))
                .as("c2 left").doesNotContain("c2");
    }

    // ------------------------------------------------------------------ 4. one consumer, brokers in turn

    @Test
    void singleConsumerPollingBrokersInTurnReadsTheWholeTopic() {
        String topic = "solo-topic";
        startCluster();
        HttpLoad.Settings settings = new HttpLoad.Settings(topic, "s", 3, 30, 1, 5, 11, "s-key-");
        List<Acked> acked;
        try (HttpLoad load = new HttpLoad(cluster.producerUris(), settings, REQUEST_TIMEOUT).pace(PACE)) {
            load.start();
            load.awaitAcked(300, Duration.ofSeconds(30));
            load.stop();
            assertThat(load.anomalies()).isEmpty();
            assertThat(load.unacked()).isEmpty();
            acked = load.acked();
        }
        Set<String> expected = new HashSet<>();
        acked.forEach(a -> expected.addAll(a.batch().ids()));
        List<ConsumerClient.Record> read = new ArrayList<>();
        int polls = 0;
        List<ConsumerClient> clients = new ArrayList<>();
        for (int b = 0; b < BROKERS; b++) {
            clients.add(new ConsumerClient(cluster.broker(b).consumerUri(), RING));
        }
        try {
            clients.get(0).register("solo", "solo-group", topic, "startFromEarliest");
            Set<String> missing = new HashSet<>(expected);
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < end) {
                boolean quiet = true;
                for (ConsumerClient c : clients) {
                    ConsumerClient.Poll p = c.poll("solo", POLL, 0);
                    polls++;
                    if (!p.empty()) {
                        quiet = false;
                        read.addAll(p.records());
                        p.records().forEach(r -> missing.remove(r.id()));
                    }
                }
                if (quiet && missing.isEmpty()) {
                    break;
                }
            }
        } finally {
            clients.forEach(ConsumerClient::close);
        }
        HistoryChecker.Report report = HistoryChecker.check(acked, List.of(), read);
        log("4: " + report.summary() + "; polls=" + polls + "; partitions read "
                + read.stream().map(ConsumerClient.Record::partition).collect(Collectors.toCollection(TreeSet::new)));
        assertThat(report.problems()).as(report.describe()).isEmpty();
        assertThat(report.ackedFound()).isEqualTo(report.ackedEvents());
        assertThat(report.redelivered()).as("one consumer, no failure").isZero();
    }

    // ------------------------------------------------------------------ helpers

    /** Polls every consumer of the group on every broker in turn, one round at a time. */
    private final class Poller {
        private final Map<Integer, ConsumerClient> clients;
        private final Map<String, Integer> members;
        private final List<Received> received;
        private final Map<String, Long> errors;
        private final List<Map<Integer, Set<String>>> rounds;
        private long seq;

        Poller(Map<Integer, ConsumerClient> clients, Map<String, Integer> members, List<Received> received,
               Map<String, Long> errors, List<Map<Integer, Set<String>>> rounds) {
            this.clients = clients;
            this.members = members;
            this.received = received;
            this.errors = errors;
            this.rounds = rounds;
        }

        /** One round: every member polls every broker; true if nothing was read. */
        boolean round() {
            int round = rounds.size();
            Map<Integer, Set<String>> readers = new TreeMap<>();
            boolean quiet = true;
            for (String consumer : List.copyOf(members.keySet())) {
                for (var e : clients.entrySet()) {
                    int broker = e.getKey();
                    if (!cluster.broker(broker).isAlive()) {
                        errors.merge("b" + broker + " not running", 1L, Long::sum);
                        continue;
                    }
                    ConsumerClient.Poll p;
                    try {
                        p = e.getValue().poll(consumer, POLL, 0);
                    } catch (UncheckedIOException ex) {
                        errors.merge("b" + broker + " " + ex.getCause().getClass().getSimpleName(), 1L, Long::sum);
                        continue;
                    } catch (AssertionError ex) {
                        String m = String.valueOf(ex.getMessage());
                        errors.merge("b" + broker + " " + m.substring(0, Math.min(m.length(), 90)), 1L, Long::sum);
                        continue;
                    }
                    long now = System.nanoTime();
                    for (ConsumerClient.Record r : p.records()) {
                        quiet = false;
                        received.add(new Received(consumer, broker, round, seq++, now, r));
                        readers.computeIfAbsent(r.partition(), k -> new TreeSet<>()).add(consumer);
                    }
                }
            }
            rounds.add(readers);
            return quiet;
        }

        void rounds(int n) {
            for (int i = 0; i < n; i++) {
                round();
            }
        }

        void until(java.util.function.BooleanSupplier done, Duration timeout, String what) {
            long end = System.nanoTime() + timeout.toNanos();
            while (!done.getAsBoolean()) {
                if (System.nanoTime() > end) {
                    throw new AssertionError("not reached within " + timeout + ": " + what + "; views:" + cluster.describe());
                }
                round();
            }
        }

        void untilQuiet(Set<String> expected, Duration timeout) {
            Set<String> missing = new HashSet<>(expected);
            received.forEach(r -> missing.remove(r.record().id()));
            long end = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < end) {
                int from = received.size();
                boolean quiet = round();
                received.subList(from, received.size()).forEach(r -> missing.remove(r.record().id()));
                if (quiet && missing.isEmpty()) {
                    return;
                }
            }
        }
    }

    /**
     * Samples {@code GET /v1/groups/{group}} of every broker every ~200 ms and keeps, per partition,
     * the committed offset its leader reported (each entry names the broker that reported it; entries a
     * broker relayed from another leader are left out).
     */
    private final class OffsetSampler implements Runnable {
        private final String group;
        private final CountDownLatch stop = new CountDownLatch(1);
        final List<Sample> samples = new ArrayList<>();
        final Map<String, Long> errors = new TreeMap<>();

        record Sample(long nanos, int broker, int partition, long committed) {
        }

        OffsetSampler(String group) {
            this.group = group;
        }

        @Override
        public void run() {
            try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(1)).build()) {
                do {
                    for (int b = 0; b < BROKERS; b++) {
                        BrokerProcess broker = cluster.broker(b);
                        if (!broker.isAlive()) {
                            continue;
                        }
                        try {
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                                    URI.create(broker.discoveryUri() + "/v1/groups/" + group))
                                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                            long now = System.nanoTime();
                            if (r.statusCode() != 200) {
                                synchronized (this) {
                                    errors.merge("b" + b + " HTTP " + r.statusCode(), 1L, Long::sum);
                                }
                                continue;
                            }
                            JsonNode g = ProducerClient.JSON.readTree(r.body());
                            synchronized (this) {
                                for (JsonNode p : g.path("partitions")) {
                                    if (p.path("leader").asInt(-1) != b) {
                                        continue; // relayed from another leader: sampled there, at its own time
                                    }
                                    samples.add(new Sample(now, b, p.path("partition").asInt(),
                                            Long.parseLong(p.path("committed").asText())));
                                }
                            }
                        } catch (IOException e) {
                            synchronized (this) {
                                errors.merge("b" + b + " " + e.getClass().getSimpleName(), 1L, Long::sum);
                            }
                        }
                    }
                } while (!stop.await(200, TimeUnit.MILLISECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        synchronized List<String> backwards() {
            Map<Integer, Sample> last = new HashMap<>();
            List<String> out = new ArrayList<>();
            for (Sample s : samples) {
                Sample prev = last.get(s.partition());
                if (prev != null && s.committed() < prev.committed()) {
                    out.add("partition " + s.partition() + ": " + prev.committed() + " (b" + prev.broker() + ") -> "
                            + s.committed() + " (b" + s.broker() + ", " + ms(s.nanos() - prev.nanos()) + " ms later)");
                }
                if (prev == null || s.committed() >= prev.committed()) {
                    last.put(s.partition(), s);
                }
            }
            return out;
        }

        synchronized Set<Integer> partitionsSeen() {
            return samples.stream().map(Sample::partition).collect(Collectors.toCollection(TreeSet::new));
        }

        synchronized Map<Integer, Long> last() {
            Map<Integer, Long> out = new TreeMap<>();
            samples.forEach(s -> out.put(s.partition(), s.committed()));
            return out;
        }
    }

    private void startCluster() {
        cluster = new ClusterHarness(processes, BROKERS, RANGES, Map.of());
        cluster.startAll().awaitReady(READY);
        cluster.awaitSettled(SETTLE);
        log("cluster up: " + cluster + cluster.describe());
    }

    private static int rangeOf(String key) {
        return RING.rangeOf(RING.partitionOf(key));
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static void log(String line) {
        System.out.println("ClusterConsumerIT " + line);
    }
}
