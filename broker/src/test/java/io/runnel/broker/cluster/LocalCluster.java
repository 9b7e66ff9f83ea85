package io.runnel.broker.cluster;

import io.runnel.broker.testing.TestHttp;
import io.runnel.broker.testing.RunnelCluster;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnel.broker.Broker;
import io.runnel.broker.config.BrokerConfig;
import io.runnel.broker.config.Option;
import io.runnel.broker.process.TestPorts;
import io.runnel.discovery.ClusterState;
import io.runnel.discovery.Generation;
import io.runnel.discovery.TokenRing;
import io.runnel.storage.Chunk;
import io.runnel.storage.LogStore;
import io.runnel.storage.ReadResult;
import io.runnel.storage.TopicInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.runnel.broker.security.ClusterSecrets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Brokers of one cluster in this JVM, broker {@code i} on {@code 127.0.0.(i+1)} with its own data
 * directory; every broker uses the same ports (they differ by address), as in a StatefulSet. A closed
 * broker can be started again on the same data. Plus HTTP helpers.
 */
final class LocalCluster implements RunnelCluster {
    static final ObjectMapper JSON = TestHttp.JSON;

    final int size;
    final int ranges;
    final TokenRing ring;
    private final Path dir;
    private final int[] ports;
    private final Map<Option, String> extra;
    private final Broker[] brokers;
    private TestHttp http = new TestHttp();
    private String scheme = "http://";

    LocalCluster(Path dir, int size, int ranges, Map<Option, String> extra) {
        this.dir = dir;
        this.size = size;
        this.ranges = ranges;
        this.ring = new TokenRing(size, ranges);
        this.extra = extra;
        this.brokers = new Broker[size];
        this.ports = freePortsOnAll(size, 5);
    }

    /** Talks HTTPS to the brokers (started with TLS material in {@code extra}), as a client of {@code tls}. */
    LocalCluster withTls(javax.net.ssl.SSLContext tls) {
        http.close();
        http = new TestHttp(tls);
        scheme = "https://";
        return this;
    }

    static String address(int broker) {
        return "127.0.0.".concat(Integer.toString(broker + 1));
    }

    BrokerConfig config(int broker) {
        Map<Option, String> v = new EnumMap<>(Option.class);
        v.put(Option.BIND_ADDRESS, address(broker));
        v.put(Option.DISCOVERY_PORT, Integer.toString(ports[0]));
        v.put(Option.PRODUCER_PORT, Integer.toString(ports[1]));
        v.put(Option.CONSUMER_PORT, Integer.toString(ports[2]));
        v.put(Option.CLUSTER_PORT, Integer.toString(ports[3]));
        v.put(Option.GOSSIP_PORT, Integer.toString(ports[4]));
        v.put(Option.BROKERS, IntStream.range(0, size).mapToObj(LocalCluster::address).collect(Collectors.joining(",")));
        v.put(Option.ORDINAL, Integer.toString(broker));
        v.put(Option.RANGES, Integer.toString(ranges));
        v.put(Option.DATA_DIR, dir.resolve("broker-" + broker).toString());
        v.put(Option.IO_THREADS, "2");
        v.put(Option.WORKER_THREADS, "2");
        v.put(Option.BLOCK_CACHE_MB, "8");
        v.put(Option.WRITE_BUFFER_MB, "4");
        v.put(Option.REPLICA_LAG_MS, "1000");
        v.put(Option.FAILURE_TIMEOUT_MS, "1500");
        v.put(Option.CLUSTER_SECRET_FILE, secretFile().toString());
        v.putAll(extra);
        return BrokerConfig.of(v);
    }

    /** The cluster secret every broker of this cluster reads (made on first use). */
    Path secretFile() {
        Path file = dir.resolve("cluster.secret");
        synchronized (this) {
            if (!Files.exists(file)) {
                try {
                    ClusterSecrets.create(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return file;
    }

    /** Starts every broker in parallel (each blocks until it joined the membership). */
    LocalCluster startAll() {
        List<CompletableFuture<Void>> started = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int b = i;
            started.add(CompletableFuture.runAsync(() -> start(b)));
        }
        started.forEach(CompletableFuture::join);
        return this;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void start(int broker) {
        if (brokers[broker] != null) {
            throw new IllegalStateException("broker " + broker + " runs");
        }
        brokers[broker] = Broker.start(config(broker));
    }

    /** Closes a broker as a shutdown does: it hands the ranges it leads over, then leaves the view. */
    @Override
    public void stop(int broker) {
        Broker b = brokers[broker];
        brokers[broker] = null;
        if (b != null) {
            b.close();
        }
    }

    /**
     * Closes a broker after it left the view, so nothing is handed over: the others fail its ranges over as if it
     * had crashed.
     */
    @Override
    public void kill(int broker) {
        Broker b = brokers[broker];
        brokers[broker] = null;
        if (b != null) {
            b.node().cluster().close();
            b.close();
        }
    }

    Broker broker(int i) {
        Broker b = brokers[i];
        if (b == null) {
            throw new IllegalStateException("broker " + i + " is down");
        }
        return b;
    }

    @Override
    public boolean running(int i) {
        return brokers[i] != null;
    }

    ClusterState state(int via) {
        return broker(via).node().cluster().state();
    }

    Generation generation(int via, int range) {
        return state(via).generation(range);
    }

    /**
     * Waits until every running broker is ready, sees every range with a full ISR led by its natural
     * leader, and takes writes: a new leader answers 503 until its followers joined its generation,
     * so each broker must acknowledge a keyless write (to a range it leads) on the {@code _settled} topic.
     */
    void awaitSettled(Duration timeout) {
        awaitMetadataSettled(timeout);
        await("every leader takes writes").atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (int i = 0; i < size; i++) {
                try {
                    if (produce(i, "_settled", null, "{}").statusCode() != 200) {
                        return false;
                    }
                } catch (UncheckedIOException e) {
                    return false; // e.g. a write forwarded during the handover timed out: try again
                }
            }
            return true;
        });
    }

    private void awaitMetadataSettled(Duration timeout) {
        await("cluster settled").atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (int i = 0; i < size; i++) {
                if (!running(i) || !status(i, ports[0]).equals("ok")) {
                    return false;
                }
                ClusterState s = state(i);
                for (int r = 0; r < size; r++) {
                    Generation g = s.generation(r);
                    if (g == null || g.leader() != r || g.isr().size() != g.replicas().size()) {
                        return false;
                    }
                }
                if (s.live().size() != size) {
                    return false;
                }
            }
            return true;
        });
    }

    String status(int broker, int port) {
        try {
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(scheme + address(broker) + ":" + port + "/status"))
                    .timeout(Duration.ofSeconds(2)).GET().build());
            return r.statusCode() == 200 ? "ok" : JSON.readTree(r.body()).path("status").asText();
        } catch (RuntimeException | IOException e) {
            return "down";
        }
    }

    int discoveryPort() {
        return ports[0];
    }

    /** The inter-broker port (the same on every broker). */
    int clusterPort() {
        return ports[3];
    }

    @Override
    public URI producer(int broker, String path) {
        return URI.create(scheme + address(broker) + ":" + ports[1] + path);
    }

    @Override
    public URI consumer(int broker, String path) {
        return URI.create(scheme + address(broker) + ":" + ports[2] + path);
    }

    @Override
    public URI discovery(int broker, String path) {
        return URI.create(scheme + address(broker) + ":" + ports[0] + path);
    }

    HttpResponse<String> produce(int broker, String topic, String key, String json) {
        return http.post(producer(broker, TestHttp.messages(topic, key)), "application/json", json);
    }

    HttpResponse<String> get(URI uri) {
        return http.get(uri);
    }

    HttpResponse<String> put(URI uri) {
        return http.put(uri);
    }

    HttpResponse<String> post(URI uri) {
        return http.post(uri);
    }

    HttpResponse<String> send(HttpRequest request) {
        return http.send(request);
    }

    static JsonNode json(HttpResponse<String> response) {
        return TestHttp.json(response);
    }

    /** A key whose partition lies in {@code range}. */
    String keyInRange(int range, String prefix) {
        for (int i = 0; ; i++) {
            String key = prefix + i;
            if (ring.rangeOf(ring.partitionOf(key)) == range) {
                return key;
            }
        }
    }

    /** Every chunk of a partition in a broker's store, as (base offset, CRC, bytes) strings. */
    static List<String> chunks(LogStore store, String topic, int partition) {
        Optional<TopicInfo> t = store.topic(topic);
        List<String> out = new ArrayList<>();
        if (t.isEmpty()) {
            return out;
        }
        long from = 0;
        while (true) {
            ReadResult r = store.read(t.get().id(), partition, from, 1 << 20);
            if (r.chunks().isEmpty()) {
                return out;
            }
            for (Chunk c : r.chunks()) {
                out.add(c.baseOffset() + ":" + c.count() + ":" + Integer.toHexString(c.crc()) + ":"
                        + java.util.Arrays.hashCode(c.bytes()));
            }
            from = r.nextOffset();
        }
    }

    /** Ports free on every broker address at once. */
    private static int[] freePortsOnAll(int brokers, int count) {
        return TestPorts.free(IntStream.range(0, brokers).mapToObj(LocalCluster::address).toList(), count);
    }

    @Override
    public void close() {
        List<CompletableFuture<Void>> stopped = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int b = i;
            stopped.add(CompletableFuture.runAsync(() -> stop(b)));
        }
        stopped.forEach(CompletableFuture::join);
        http.close();
    }
}
