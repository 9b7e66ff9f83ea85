package io.runnel.broker.process;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnel.broker.config.Option;
import io.runnel.broker.security.ClusterSecrets;
import io.runnel.broker.testing.RunnelCluster;
import io.runnel.discovery.TokenRing;
import io.runnel.storage.Chunk;
import io.runnel.storage.LogStore;
import io.runnel.storage.PartitionState;
import io.runnel.storage.ReadResult;
import io.runnel.storage.StorageConfig;
import io.runnel.storage.TopicInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A cluster of broker JVMs on loopback for fault tests: broker {@code i} binds {@code 127.0.0.(i+1)}
 * and every broker uses the same five port numbers on its own address (the brokers find each other
 * by host and the shared cluster and gossip ports), picked free on all the addresses at once.
 *
 * <p>Besides starting and stopping the brokers ({@link BrokerProcess} handles, owned by the test's
 * {@link BrokerProcesses}), it reads {@code GET /v1/topology} of every broker ({@link Topology}), waits
 * for generations to reach a state ({@link #awaitRange}, {@link #awaitSettled}), reads a topic back
 * through the consumer API of every broker ({@link #readAll}) and, once every broker is stopped,
 * compares the replicas' logs chunk by chunk straight from their data directories
 * ({@link #compareReplicas}).
 *
 * <p>Not thread-safe: one test thread drives it.
 */
public final class ClusterHarness implements RunnelCluster {
    private static final Duration TOPOLOGY_TIMEOUT = Duration.ofSeconds(2);
    private static final int READ_BYTES = 4 << 20;

    private final int size;
    private final TokenRing ring;
    private final List<BrokerProcess> brokers;
    private final int clusterPort;
    private final int gossipPort;
    private final HttpClient http;

    /**
     * Builds (does not start) {@code size} brokers.
     *
     * @param processes the test's process registry (kills every broker after the test)
     * @param size      number of brokers (at most 254)
     * @param ranges    partitions per broker range ({@code --ranges})
     * @param options   more broker options for every broker (e.g. {@code --replica-lag-ms})
     */
    public ClusterHarness(BrokerProcesses processes, int size, int ranges, Map<Option, String> options) {
        if (size < 1 || size > 254) {
            throw new IllegalArgumentException("size must be 1..254: " + size);
        }
        this.size = size;
        this.ring = new TokenRing(size, ranges);
        List<String> addresses = IntStream.range(0, size).mapToObj(ClusterHarness::address).toList();
        int[] ports = TestPorts.free(addresses, 5);
        this.clusterPort = ports[3];
        this.gossipPort = ports[4];
        Map<Option, String> common = new EnumMap<>(Option.class);
        common.put(Option.BROKERS, String.join(",", addresses));
        common.put(Option.CLUSTER_PORT, Integer.toString(clusterPort));
        common.put(Option.GOSSIP_PORT, Integer.toString(gossipPort));
        common.put(Option.RANGES, Integer.toString(ranges));
        common.put(Option.FSYNC, "always");
        Path secret = processes.dir().resolve("cluster.secret");
        try {
            if (!Files.exists(secret)) {
                ClusterSecrets.create(secret);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        common.put(Option.CLUSTER_SECRET_FILE, secret.toString());
        common.putAll(options);
        List<BrokerProcess> built = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            BrokerProcess.Builder b = processes.broker("b" + i).address(addresses.get(i)).ports(ports[0], ports[1], ports[2])
                    .option(Option.ORDINAL, Integer.toString(i));
            common.forEach(b::option);
            built.add(b.build());
        }
        this.brokers = List.copyOf(built);
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1))
                .build();
    }

    /** The loopback address of broker {@code ordinal}: {@code 127.0.0.(ordinal+1)}. */
    public static String address(int ordinal) {
        return "127.0.0." + (ordinal + 1);
    }

    // ------------------------------------------------------------------ brokers

    @Override
    public int size() {
        return size;
    }

    @Override
    public URI discovery(int broker, String pathAndQuery) {
        return URI.create(broker(broker).discoveryUri() + pathAndQuery);
    }

    @Override
    public URI producer(int broker, String pathAndQuery) {
        return URI.create(broker(broker).producerUri() + pathAndQuery);
    }

    @Override
    public URI consumer(int broker, String pathAndQuery) {
        return URI.create(broker(broker).consumerUri() + pathAndQuery);
    }

    @Override
    public boolean running(int broker) {
        return broker(broker).isAlive();
    }

    /** Starts the broker's process again (returns once it runs; await readiness separately). */
    @Override
    public void start(int broker) {
        broker(broker).start();
    }

    /** SIGTERM, and waits for it to exit: a leader hands its ranges over first. */
    @Override
    public void stop(int broker) {
        broker(broker).stop();
    }

    /** SIGKILL. */
    @Override
    public void kill(int broker) {
        broker(broker).kill();
    }

    public TokenRing ring() {
        return ring;
    }

    public BrokerProcess broker(int ordinal) {
        return brokers.get(ordinal);
    }

    public List<BrokerProcess> brokers() {
        return brokers;
    }

    public int clusterPort() {
        return clusterPort;
    }

    public int gossipPort() {
        return gossipPort;
    }

    /** Brokers that run and are not paused: those that can answer. */
    public List<BrokerProcess> answering() {
        return brokers.stream().filter(b -> b.isAlive() && !b.paused()).toList();
    }

    /** Producer API endpoints of the given brokers (all brokers if none are named). */
    public List<URI> producerUris(int... ordinals) {
        if (ordinals.length == 0) {
            return brokers.stream().map(BrokerProcess::producerUri).toList();
        }
        return Arrays.stream(ordinals).mapToObj(o -> brokers.get(o).producerUri()).toList();
    }

    /** Starts every broker (they join each other; see {@link #awaitReady}). */
    public ClusterHarness startAll() {
        brokers.forEach(BrokerProcess::start);
        return this;
    }

    /** Waits until every running broker answers {@code /status} with 200 (it knows every generation). */
    public ClusterHarness awaitReady(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        for (BrokerProcess b : brokers) {
            if (b.isAlive()) {
                b.awaitReady(Duration.ofNanos(Math.max(Duration.ofSeconds(1).toNanos(), end - System.nanoTime())));
            }
        }
        return this;
    }

    /**
     * Stops every running broker with {@code SIGTERM} at once and waits for all of them.
     *
     * @return the exit code of each broker that was running, by ordinal
     */
    public Map<Integer, Integer> stopAll(Duration timeout) {
        Map<Integer, Integer> codes = new TreeMap<>();
        List<Integer> running = IntStream.range(0, size).filter(i -> brokers.get(i).isAlive()).boxed().toList();
        running.forEach(i -> brokers.get(i).terminate());
        running.forEach(i -> codes.put(i, brokers.get(i).awaitExit(timeout)));
        return codes;
    }

    // ------------------------------------------------------------------ topology

    /** {@code GET /v1/topology} of one broker. */
    public record Topology(int self, boolean ready, List<BrokerInfo> brokers, List<RangeInfo> ranges) {
        public RangeInfo range(int range) {
            return ranges.stream().filter(r -> r.range() == range).findFirst()
                    .orElseThrow(() -> new AssertionError("topology of broker " + self + " has no range " + range));
        }

        /** One line: {@code r0 v3 L1 isr[1, 2]; r1 ...}. */
        public String summary() {
            return "b" + self + (ready ? "" : " (not ready)") + " live" + brokers.stream().filter(BrokerInfo::live)
                    .map(BrokerInfo::ordinal).toList() + ": " + ranges.stream().map(RangeInfo::summary)
                    .collect(Collectors.joining("; "));
        }
    }

    public record BrokerInfo(int ordinal, String host, boolean live) {
    }

    /**
     * A range's generation as one broker knows it ({@code version} -1 and {@code leader} -1 before it
     * has one).
     */
    public record RangeInfo(int range, long version, int leader, List<Integer> replicas, Set<Integer> isr,
                            List<PartitionInfo> partitions) {
        public String summary() {
            return "r" + range + " v" + version + " L" + leader + " isr" + isr;
        }
    }

    /** A partition's offsets on the broker that answered (absent when it holds no replica of the range). */
    public record PartitionInfo(int partition, String token, long highWatermark, long logEnd,
                                Map<String, Offsets> topics) {
    }

    public record Offsets(long highWatermark, long logEnd) {
    }

    /** The topology of broker {@code ordinal}, or empty if it does not answer 200 within a short time. */
    public Optional<Topology> topology(int ordinal) {
        BrokerProcess b = brokers.get(ordinal);
        if (!b.isAlive() || b.paused()) {
            return Optional.empty();
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(b.discoveryUri() + "/v1/topology"))
                .timeout(TOPOLOGY_TIMEOUT).GET().build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return Optional.empty();
            }
            return Optional.of(parse(ProducerClient.JSON.readTree(r.body())));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Topology parse(JsonNode t) {
        List<BrokerInfo> bs = new ArrayList<>();
        for (JsonNode b : t.path("brokers")) {
            bs.add(new BrokerInfo(b.path("ordinal").asInt(), b.path("host").asText(), b.path("live").asBoolean()));
        }
        List<RangeInfo> rs = new ArrayList<>();
        for (JsonNode r : t.path("ranges")) {
            List<Integer> replicas = new ArrayList<>();
            r.path("replicas").forEach(n -> replicas.add(n.asInt()));
            Set<Integer> isr = new TreeSet<>();
            r.path("isr").forEach(n -> isr.add(n.asInt()));
            List<PartitionInfo> ps = new ArrayList<>();
            for (JsonNode p : r.path("partitions")) {
                Map<String, Offsets> topics = new TreeMap<>();
                for (JsonNode tp : p.path("topics")) {
                    topics.put(tp.path("topic").asText(),
                            new Offsets(tp.path("highWatermark").asLong(), tp.path("logEnd").asLong()));
                }
                ps.add(new PartitionInfo(p.path("partition").asInt(), p.path("token").asText(),
                        p.path("highWatermark").asLong(-1), p.path("logEnd").asLong(-1), topics));
            }
            rs.add(new RangeInfo(r.path("range").asInt(), r.path("version").asLong(-1), r.path("leader").asInt(-1),
                    List.copyOf(replicas), isr, List.copyOf(ps)));
        }
        return new Topology(t.path("self").asInt(-1), t.path("ready").asBoolean(), List.copyOf(bs), List.copyOf(rs));
    }

    /** The topology of every answering broker, by ordinal (brokers that do not answer are left out). */
    public Map<Integer, Topology> topologies() {
        Map<Integer, Topology> out = new TreeMap<>();
        for (int i = 0; i < size; i++) {
            int o = i;
            topology(i).ifPresent(t -> out.put(o, t));
        }
        return out;
    }

    /** The leader of {@code range} as the first answering broker knows it (-1 if none answers). */
    public int leaderOf(int range) {
        for (int i = 0; i < size; i++) {
            Optional<Topology> t = topology(i);
            if (t.isPresent()) {
                return t.get().range(range).leader();
            }
        }
        return -1;
    }

    /** One line per answering broker: its view of every generation (for failure messages and the log). */
    public String describe() {
        Map<Integer, Topology> all = topologies();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < size; i++) {
            BrokerProcess b = brokers.get(i);
            Topology t = all.get(i);
            out.append("\n  ").append(t != null ? t.summary()
                    : "b" + i + ": no topology (" + (!b.isAlive() ? "not running" : b.paused() ? "paused" : "no answer") + ")");
        }
        return out.toString();
    }

    /**
     * Waits until every answering broker (at least one) reports a generation of {@code range} that
     * satisfies {@code condition}, and returns the one of the lowest ordinal.
     *
     * @throws AssertionError with every broker's view when time runs out
     */
    public RangeInfo awaitRange(int range, String what, Predicate<RangeInfo> condition, Duration timeout) {
        AtomicReference<RangeInfo> seen = new AtomicReference<>();
        try {
            await("range " + range + ": " + what).atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
                List<BrokerProcess> up = answering();
                if (up.isEmpty()) {
                    return false;
                }
                RangeInfo first = null;
                for (BrokerProcess b : up) {
                    Optional<Topology> t = topology(brokers.indexOf(b));
                    if (t.isEmpty() || !condition.test(t.get().range(range))) {
                        return false;
                    }
                    if (first == null) {
                        first = t.get().range(range);
                    }
                }
                seen.set(first);
                return true;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("range " + range + " did not reach '" + what + "' within " + timeout + "; views:"
                    + describe(), e);
        }
        return seen.get();
    }

    /**
     * Waits until the cluster is quiet and whole: every broker runs and answers, all agree on every
     * generation, every range is led by its natural leader with every replica in sync, and for every
     * topic and partition every replica reports the same log end, which the leader reports as its
     * high watermark (so nothing is left to replicate or acknowledge).
     */
    public void awaitSettled(Duration timeout) {
        AtomicReference<String> why = new AtomicReference<>("not checked yet");
        try {
            await("cluster settled").atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
                String problem = unsettled();
                why.set(problem);
                return problem == null;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the cluster did not settle within " + timeout + ": " + why.get() + "; views:"
                    + describe(), e);
        }
    }

    /** Why the cluster is not settled, or null if it is. */
    private String unsettled() {
        Map<Integer, Topology> views = new TreeMap<>();
        for (int i = 0; i < size; i++) {
            BrokerProcess b = brokers.get(i);
            if (!b.isAlive() || b.paused()) {
                return "broker " + i + " is " + (b.isAlive() ? "paused" : "not running");
            }
            Optional<Topology> t = topology(i);
            if (t.isEmpty() || !t.get().ready()) {
                return "broker " + i + " is not ready";
            }
            views.put(i, t.get());
        }
        for (int range = 0; range < size; range++) {
            RangeInfo ref = views.get(0).range(range);
            for (Topology t : views.values()) {
                RangeInfo r = t.range(range);
                if (r.version() != ref.version() || r.leader() != ref.leader() || !r.isr().equals(ref.isr())) {
                    return "brokers disagree on range " + range + ": b0 " + ref.summary() + ", b" + t.self() + " "
                            + r.summary();
                }
            }
            if (ref.leader() != range) {
                return "range " + range + " is led by " + ref.leader() + ", not its natural leader";
            }
            if (!ref.isr().equals(new TreeSet<>(ref.replicas()))) {
                return "range " + range + " has isr " + ref.isr() + ", not all of " + ref.replicas();
            }
            for (int p : ring.partitionsOfRange(range)) {
                Set<String> topics = new TreeSet<>();
                for (int r : ref.replicas()) {
                    topics.addAll(partition(views.get(r), range, p).topics().keySet());
                }
                for (String topic : topics) {
                    Offsets lead = partition(views.get(range), range, p).topics().get(topic);
                    if (lead == null || lead.highWatermark() != lead.logEnd()) {
                        return "leader " + range + " of " + topic + "/" + p + " has " + lead;
                    }
                    for (int r : ref.replicas()) {
                        Offsets o = partition(views.get(r), range, p).topics().get(topic);
                        long end = o == null ? 0 : o.logEnd();
                        if (end != lead.logEnd()) {
                            return "replica " + r + " of " + topic + "/" + p + " ends at " + end + ", the leader at "
                                    + lead.logEnd();
                        }
                    }
                }
            }
        }
        return null;
    }

    private static PartitionInfo partition(Topology t, int range, int partition) {
        return t.range(range).partitions().stream().filter(p -> p.partition() == partition).findFirst()
                .orElseThrow(() -> new AssertionError("broker " + t.self() + " lists no partition " + partition));
    }

    // ------------------------------------------------------------------ consumers

    /**
     * Reads {@code topic} from the earliest offsets with a new group {@code group}, registered with
     * every answering broker (each serves the partitions it leads), polling them in turn until every
     * id of {@code expected} was read and a whole round of polls found nothing more, or until
     * {@code deadline} passes. Returns everything read; the caller checks what is missing.
     */
    public List<ConsumerClient.Record> readAll(String topic, String group, Set<String> expected, Duration deadline) {
        String consumerId = group + "-reader";
        Map<Integer, ConsumerClient> clients = new LinkedHashMap<>();
        for (BrokerProcess b : answering()) {
            clients.put(brokers.indexOf(b), new ConsumerClient(b.consumerUri(), ring));
        }
        try {
            clients.values().forEach(c -> c.register(consumerId, group, topic, "startFromEarliest"));
            Set<String> missing = new HashSet<>(expected);
            List<ConsumerClient.Record> all = new ArrayList<>();
            long end = System.nanoTime() + deadline.toNanos();
            while (System.nanoTime() < end) {
                boolean quiet = true;
                for (ConsumerClient c : clients.values()) {
                    ConsumerClient.Poll p = c.poll(consumerId, Duration.ofMillis(200), 0);
                    if (!p.empty()) {
                        quiet = false;
                        all.addAll(p.records());
                        p.records().forEach(r -> missing.remove(r.id()));
                    }
                }
                if (quiet && missing.isEmpty()) {
                    break;
                }
            }
            clients.values().forEach(c -> {
                try {
                    c.goodbye(consumerId);
                } catch (RuntimeException | AssertionError e) {
                    // best effort: the group is not used again
                }
            });
            return all;
        } finally {
            clients.values().forEach(ConsumerClient::close);
        }
    }

    // ------------------------------------------------------------------ offline replica comparison

    /**
     * The outcome of {@link #compareReplicas}.
     *
     * @param ends per {@code topic/partition}, the log end of each replica by ordinal
     */
    public record ReplicaReport(int partitions, long chunksCompared, Map<String, Map<Integer, Long>> ends,
                                List<String> problems) {
        public String summary() {
            return partitions + " partitions, " + chunksCompared + " chunks compared, " + problems.size() + " problems";
        }

        public String describe() {
            StringBuilder out = new StringBuilder(summary());
            problems.stream().limit(30).forEach(p -> out.append("\n  - ").append(p));
            if (problems.size() > 30) {
                out.append("\n  ... and ").append(problems.size() - 30).append(" more");
            }
            return out.toString();
        }
    }

    /**
     * Opens every broker's store (all must be stopped) and compares each partition's log across the
     * replicas of its range: the same start offset, dense offsets, and identical chunks (base offset,
     * generation, record count, CRC and bytes) up to the smallest end among the replicas. With
     * {@code quiet} the ends must be equal too (a run that ended with a settled cluster).
     */
    public ReplicaReport compareReplicas(boolean quiet) {
        for (BrokerProcess b : brokers) {
            if (b.isAlive()) {
                throw new IllegalStateException(b + " still runs: stop every broker before comparing their stores");
            }
        }
        List<LogStore> stores = new ArrayList<>();
        try {
            for (BrokerProcess b : brokers) {
                stores.add(LogStore.open(StorageConfig.defaults(b.dataDir())));
            }
            Set<String> topics = new TreeSet<>();
            stores.forEach(s -> s.topics().forEach(t -> topics.add(t.name())));
            List<String> problems = new ArrayList<>();
            Map<String, Map<Integer, Long>> ends = new TreeMap<>();
            long compared = 0;
            int partitions = 0;
            for (String topic : topics) {
                for (int partition = 0; partition < ring.partitionCount(); partition++) {
                    int p = partition;
                    partitions++;
                    String name = topic + "/" + p;
                    Map<Integer, List<Chunk>> logs = new TreeMap<>();
                    Map<Integer, PartitionState> states = new TreeMap<>();
                    for (int r : ring.replicaSet(ring.rangeOf(p))) {
                        LogStore store = stores.get(r);
                        Optional<TopicInfo> t = store.topic(topic);
                        PartitionState st = t.map(i -> store.state(i.id(), p)).orElse(PartitionState.EMPTY);
                        states.put(r, st);
                        logs.put(r, t.map(i -> chunks(store, i.id(), p, st, name, r, problems)).orElse(List.of()));
                    }
                    Map<Integer, Long> partitionEnds = new TreeMap<>();
                    states.forEach((r, st) -> partitionEnds.put(r, st.logEndOffset()));
                    ends.put(name, partitionEnds);
                    compared += compare(name, logs, states, quiet, problems);
                }
            }
            return new ReplicaReport(partitions, compared, ends, List.copyOf(problems));
        } finally {
            stores.forEach(LogStore::close);
        }
    }

    /** Every chunk of a partition, checking that offsets are dense from the log start to the log end. */
    private static List<Chunk> chunks(LogStore store, int topicId, int partition, PartitionState state, String name,
                                      int replica, List<String> problems) {
        List<Chunk> out = new ArrayList<>();
        long next = state.logStartOffset();
        while (next < state.logEndOffset()) {
            ReadResult r = store.read(topicId, partition, next, READ_BYTES);
            List<Chunk> got = r.chunks().stream().filter(c -> c.nextOffset() > r.fromOffset()).toList();
            if (got.isEmpty()) {
                problems.add(name + " on broker " + replica + ": nothing readable at " + next + " below its end "
                        + state.logEndOffset());
                break;
            }
            for (Chunk c : got) {
                if (c.baseOffset() != next) {
                    problems.add(name + " on broker " + replica + ": chunk at " + c.baseOffset() + " where " + next
                            + " was expected");
                    return out;
                }
                out.add(c);
                next = c.nextOffset();
            }
        }
        if (next != state.logEndOffset()) {
            problems.add(name + " on broker " + replica + ": chunks end at " + next + " but the log end is "
                    + state.logEndOffset());
        }
        return out;
    }

    /** Compares the replicas' chunks of one partition; returns how many chunks were compared. */
    private static long compare(String name, Map<Integer, List<Chunk>> logs, Map<Integer, PartitionState> states,
                                boolean quiet, List<String> problems) {
        Set<Long> starts = states.values().stream().map(PartitionState::logStartOffset).collect(Collectors.toSet());
        if (starts.size() > 1) {
            problems.add(name + ": log start offsets differ " + starts(states));
        }
        long minEnd = states.values().stream().mapToLong(PartitionState::logEndOffset).min().orElse(0);
        Set<Long> endSet = states.values().stream().map(PartitionState::logEndOffset).collect(Collectors.toSet());
        if (quiet && endSet.size() > 1) {
            problems.add(name + ": log ends differ after a quiet end " + ends(states));
        }
        int reference = logs.keySet().iterator().next();
        List<Chunk> ref = logs.get(reference);
        long compared = 0;
        for (var e : logs.entrySet()) {
            if (e.getKey() == reference) {
                continue;
            }
            List<Chunk> other = e.getValue();
            for (int i = 0; i < Math.min(ref.size(), other.size()); i++) {
                Chunk a = ref.get(i);
                Chunk b = other.get(i);
                if (a.baseOffset() >= minEnd && b.baseOffset() >= minEnd) {
                    break; // beyond what every replica holds (a tail still unreplicated when the run ended)
                }
                compared++;
                if (a.baseOffset() != b.baseOffset() || a.count() != b.count() || a.generation() != b.generation()
                        || a.crc() != b.crc() || !Arrays.equals(a.bytes(), b.bytes())) {
                    problems.add(name + ": chunk #" + i + " differs between broker " + reference + " (" + chunk(a)
                            + ") and broker " + e.getKey() + " (" + chunk(b) + "); ends " + ends(states));
                    break;
                }
            }
        }
        return compared;
    }

    private static String chunk(Chunk c) {
        return "base " + c.baseOffset() + ", " + c.count() + " records, generation " + c.generation() + ", crc "
                + Integer.toHexString(c.crc()) + ", " + c.sizeBytes() + " bytes";
    }

    private static String starts(Map<Integer, PartitionState> states) {
        return states.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue().logStartOffset())
                .collect(Collectors.joining(", ", "{", "}"));
    }

    private static String ends(Map<Integer, PartitionState> states) {
        return states.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue().logEndOffset())
                .collect(Collectors.joining(", ", "{", "}"));
    }

    @Override
    public void close() {
        http.close();
    }

    @Override
    public String toString() {
        return "cluster of " + size + " (cluster port " + clusterPort + ", gossip port " + gossipPort + "): " + brokers;
    }
}
