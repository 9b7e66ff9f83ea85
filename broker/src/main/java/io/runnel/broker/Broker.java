package io.runnel.broker;

import io.runnel.broker.common.Errors;
import com.fasterxml.jackson.core.JsonFactory;
import io.runnel.broker.bridge.BridgeApi;
import io.runnel.broker.bridge.BridgeManager;
import io.runnel.broker.bridge.BridgePlacement;
import io.runnel.broker.bridge.BridgeServices;
import io.runnel.broker.bridge.BridgeStatusRelay;
import io.runnel.broker.bridge.ClusterBridgeRegistry;
import io.runnel.broker.bridge.ClusterGroupReader;
import io.runnel.broker.bridge.DeclaredBridges;
import io.runnel.broker.bridge.FileBridgeRegistry;
import io.runnel.broker.bridge.LocalGroupReader;
import io.runnel.broker.bridge.RendezvousPlacement;
import io.runnel.broker.bridge.RoutedEventWriter;
import io.runnel.broker.bridge.StoreLag;
import io.runnel.broker.cluster.ClusterNode;
import io.runnel.broker.cluster.ClusterSettings;
import io.runnel.broker.cluster.GroupRequests;
import io.runnel.broker.cluster.TopologyWriter;
import io.runnel.broker.config.BrokerConfig;
import io.runnel.broker.consumer.ConsumerConfig;
import io.runnel.broker.consumer.ConsumerService;
import io.runnel.broker.http.HttpLimits;
import io.runnel.broker.http.HttpServer;
import io.runnel.broker.http.NettyTransport;
import io.runnel.broker.http.Router;
import io.runnel.broker.metrics.BrokerMetrics;
import io.runnel.broker.produce.EventBodyParser;
import io.runnel.broker.produce.AppendListener;
import io.runnel.broker.produce.PartitionChooser;
import io.runnel.broker.produce.ProduceRouter;
import io.runnel.broker.produce.ProduceService;
import io.runnel.broker.produce.ProducerApi;
import io.runnel.discovery.Cluster;
import io.runnel.discovery.ClusterConfig;
import io.runnel.discovery.TokenRing;
import io.runnel.storage.LogStore;
import io.runnel.storage.StorageConfig;
import io.runnel.storage.TopicConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running broker: its store, consumer groups and the three HTTP servers (discovery,
 * producer, consumer). {@link Main} runs one per process; tests start and stop them in-process.
 *
 * <p>With a single broker the token ring has one range, which this broker leads, so every
 * partition of every topic lives here (generation 1). With {@code --brokers} the broker joins a
 * cluster ({@link ClusterNode}): it leads and follows the ranges the cluster metadata gives it,
 * forwards keyed writes to their leader and acknowledges a write once a majority holds it. Close stops accepting connections first,
 * then answers pending polls, then stops the event loops, the workers and finally the store, so
 * nothing is acknowledged that the store did not take.
 */
public final class Broker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Broker.class);
    private static final int WORKER_QUEUE = 10_000;
    /** Longest a shutdown waits for its ranges to be handed over (each drains for at most the replica lag). */
    private static final Duration HAND_OVER_TIMEOUT = Duration.ofSeconds(5);

    private final BrokerConfig config;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private volatile boolean storageFailed;
    private LogStore store;
    private BrokerMetrics metrics;
    private NettyTransport transport;
    private HttpServer discovery;
    private HttpServer producer;
    private HttpServer consumer;
    private BridgeManager bridges;
    private volatile ClusterNode clusterNode;
    private final StatusRoute.Health health = new StatusRoute.Health() {
        @Override
        public boolean getAsBoolean() {
            return healthy();
        }

        @Override
        public String problem() {
            return storageFailed ? "failed" : "starting";
        }
    };
    private boolean closed;

    private Broker(BrokerConfig config) {
        this.config = config;
    }

    /** Starts a broker with the real store; a storage failure only marks it failed (see {@link Builder}). */
    public static Broker start(BrokerConfig config) {
        return builder(config).start();
    }

    public static Builder builder(BrokerConfig config) {
        return new Builder(config);
    }

    /** Options of {@link #start} beyond the config. */
    public static final class Builder {
        private final BrokerConfig config;
        private Clock clock = Clock.systemUTC();
        private Function<StorageConfig, LogStore> storeOpener = LogStore::open;
        private Consumer<Throwable> onStorageFailure = t -> { };

        private Builder(BrokerConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** How the store is opened (tests wrap it to inject failures). */
        public Builder storeOpener(Function<StorageConfig, LogStore> opener) {
            this.storeOpener = Objects.requireNonNull(opener);
            return this;
        }

        /**
         * Called once when a storage write fails, after the broker marked itself failed. {@link Main}
         * halts the process here (fail-stop); the default only logs.
         */
        public Builder onStorageFailure(Consumer<Throwable> handler) {
            this.onStorageFailure = Objects.requireNonNull(handler);
            return this;
        }

        /**
         * Opens the store and starts serving; blocks until every port is bound.
         *
         * @throws RuntimeException if the store cannot open or a port cannot be bound (everything
         *                          started so far is closed again)
         */
        public Broker start() {
            Broker broker = new Broker(config);
            try {
                broker.startup(clock, storeOpener, onStorageFailure);
                return broker;
            } catch (RuntimeException | Error e) {
                broker.close();
                throw e;
            }
        }
    }

    private void startup(Clock clock, Function<StorageConfig, LogStore> storeOpener, Consumer<Throwable> onStorageFailure) {
        StorageConfig defaults = StorageConfig.defaults(config.dataDir());
        StorageConfig storage = new StorageConfig(config.dataDir(), config.fsync(), config.fsyncInterval(),
                config.blockCacheBytes(), config.writeBufferBytes(), defaults.maxBatchBytes(),
                defaults.retentionInterval(), clock, t -> {
                    storageFailed = true;
                    log.error("FATAL: storage failed; this broker stops acknowledging writes", t);
                    onStorageFailure.accept(t);
                });
        store = storeOpener.apply(storage);
        resources.push(store);
        metrics = new BrokerMetrics();
        resources.push(metrics);
        metrics.bindStore(store);

        // A cluster broker joins the membership and metadata first (blocks until connected, not until
        // ready: /status answers 503 until every range has a generation). A single broker has one range.
        Cluster cluster = config.clustered() ? Cluster.start(clusterConfig()) : Cluster.singleNode(config.ranges());
        resources.push(cluster);
        TokenRing ring = config.clustered() ? cluster.ring() : new TokenRing(1, config.ranges());
        List<Integer> led = IntStream.range(0, ring.partitionCount()).boxed().toList();
        ExecutorService workers = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 0,
                TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(WORKER_QUEUE), threads("runnel-worker"));
        resources.push(() -> shutdown(workers));
        transport = new NettyTransport(config.ioThreads());
        resources.push(transport);
        ConsumerConfig consumerConfig = new ConsumerConfig(config.consumerTimeout(), config.maxPollWait().toMillis(),
                config.maxPollBytes());
        // In a cluster, consumers read only the partitions this broker leads now, up to the high watermark.
        ConsumerService consumers = config.clustered()
                ? new ConsumerService(store, ring, consumerConfig, clock,
                        p -> clusterNode != null && clusterNode.serves(p),
                        (topic, p) -> clusterNode == null ? 0 : clusterNode.highWatermark(topic, p), cluster,
                        commits -> clusterNode == null
                                ? CompletableFuture.failedFuture(Errors.NOT_READY.exception("the broker is starting; the commit was not stored; retry"))
                                : clusterNode.commit(commits))
                : new ConsumerService(store, ring, consumerConfig, clock);
        resources.push(consumers);

        TopicConfig topicConfig = new TopicConfig(config.retention(), config.retentionBytes());
        if (config.clustered()) {
            // Closed before the consumers, the event loops and the store it uses.
            clusterNode = ClusterNode.start(clusterSettings(), cluster, store, topicConfig, transport, consumers::onAppend);
            resources.push(clusterNode);
        }
        ClusterNode node = clusterNode;
        ProduceService produce = node == null
                ? new ProduceService(store, new PartitionChooser(ring, led), topicConfig, consumers::onAppend, clock)
                : new ProduceService(store, new PartitionChooser(ring, node::ledPartitions), topicConfig,
                        AppendListener.NONE, clock, node::append, node::addTopic);
        ProducerApi producerApi = new ProducerApi(produce, new EventBodyParser(new JsonFactory()), workers, metrics,
                node == null ? ProduceRouter.LOCAL : node);
        if (node != null) {
            node.onForwarded(f -> producerApi.produceForwarded(f.topic(), f.partitionKey(), f.contentType(), f.body()));
            node.onReplicatedOffsets(consumers::onReplicatedCommits);
        }
        GroupSeek seek = new GroupSeek(consumers, node, ring);
        GroupLag groupLag = new GroupLag(consumers, node);
        if (node != null) {
            node.onForwarded(ClusterNode.SEEK_CONTENT_TYPE, seek::onForwarded);
            node.onForwarded(ClusterNode.GROUP_LAG_CONTENT_TYPE, groupLag::onForwarded);
            node.onGroupRequests(GroupRequests.of(consumers::poll, consumers::commit));
        }

        // Kafka bridges, each on its own thread; closed before the consumer groups and the store they use.
        // In a cluster their definitions live in the metadata and each runs on the broker the placement picks.
        EventBodyParser bridgeParser = new EventBodyParser(new JsonFactory());
        BridgeServices bridgeServices = new BridgeServices(
                node == null ? LocalGroupReader.factory(consumers) : ClusterGroupReader.factory(consumers, node),
                new RoutedEventWriter(produce, bridgeParser, node == null ? ProduceRouter.LOCAL : node),
                bridgeParser, new StoreLag(store, ring::partitionCount), clock);
        bridges = node == null
                ? new BridgeManager(new FileBridgeRegistry(config.dataDir()), BridgePlacement.thisBroker(), bridgeServices,
                        metrics.registry())
                : new BridgeManager(new ClusterBridgeRegistry(cluster), new RendezvousPlacement(cluster), bridgeServices,
                        metrics.registry());
        resources.push(bridges);
        bridges.start(config.bridgesFile() == null ? List.of() : DeclaredBridges.read(config.bridgesFile()));
        if (node != null) {
            BridgeManager manager = bridges;
            cluster.addListener(state -> manager.reconcileSoon());
        }
        BridgeApi bridgeApi = new BridgeApi(bridges, node == null ? BridgeStatusRelay.NONE : BridgeStatusRelay.through(node));
        if (node != null) {
            node.onForwarded(ClusterNode.BRIDGE_STATUS_CONTENT_TYPE, bridgeApi::onStatusForwarded);
        }
        resources.push(bridgeApi);

        HttpLimits limits = new HttpLimits(config.maxInitialLineBytes(), config.maxHeaderBytes(),
                config.maxBodyBytes(), config.readTimeout().toMillis());
        Router producerRouter = Router.builder("producer")
                .get("/status", StatusRoute.of("producer", health))
                .post("/v1/topic/{topic}/messages", producerApi::produce)
                .build();
        List<String> brokerNames = config.clustered() ? config.brokers() : List.of(config.hostname());
        DiscoveryApi discoveryApi = new DiscoveryApi(
                () -> new DiscoveryApi.BrokerView(brokerNames, producer.port(), consumer.port()),
                store, ring, consumers, metrics, workers,
                node != null ? node::writeTopology : TopologyWriter.singleBroker(cluster, config.hostname(), store), seek,
                groupLag);

        // Producer and consumer first: /v1/brokers on the discovery port reports their bound ports.
        producer = serve(producerRouter, config.producerPort(), limits);
        consumer = serve(new ConsumerApi(consumers, metrics).router(health), config.consumerPort(), limits);
        discovery = serve(discoveryApi.router(health, bridgeApi::addRoutes), config.discoveryPort(), limits);
    }

    private HttpServer serve(Router router, int port, HttpLimits limits) {
        HttpServer server = HttpServer.start(transport, config.bindAddress(), port, router, limits, metrics);
        resources.push(server);
        return server;
    }

    /** False once a storage write failed, and while a cluster broker does not know its generations yet. */
    public boolean healthy() {
        return !storageFailed && (clusterNode == null || clusterNode.ready());
    }

    /** This broker's cluster side, or {@code null} for a single broker. */
    public ClusterNode clusterNode() {
        return clusterNode;
    }

    private ClusterConfig clusterConfig() {
        List<String> members = clusterSettings().gossipMembers();
        String bind = clusterSettings().bindAddress();
        boolean wildcard;
        try {
            wildcard = InetAddress.getByName(bind).isAnyLocalAddress();
        } catch (UnknownHostException e) {
            wildcard = true;
        }
        return new ClusterConfig(config.ordinal(), members, wildcard ? null : bind, null,
                config.dataDir().resolve("raft"), config.ranges(), config.failureTimeout());
    }

    private ClusterSettings clusterSettings() {
        // A producer waits for replication at most this long before it is told 503 (outcome unknown).
        Duration pendingTimeout = config.replicaLag().multipliedBy(2).plusSeconds(5);
        return new ClusterSettings(config.brokers(), config.ordinal(), config.bindAddress(), config.clusterPort(),
                config.gossipPort(), config.replicaLag(), config.failureTimeout(), pendingTimeout);
    }

    public BrokerConfig config() {
        return config;
    }

    public int discoveryPort() {
        return discovery.port();
    }

    public int producerPort() {
        return producer.port();
    }

    public int consumerPort() {
        return consumer.port();
    }

    /** Whether the servers run on the native epoll transport (else NIO). */
    public boolean epoll() {
        return transport.epoll();
    }

    public LogStore store() {
        return store;
    }

    public BrokerMetrics metrics() {
        return metrics;
    }

    /** The Kafka bridges of this broker. */
    public BridgeManager bridges() {
        return bridges;
    }

    /**
     * Stops the broker: a cluster broker first hands the ranges it leads to in-sync followers, then servers stop
     * accepting, pending polls are answered, event loops and workers stop, and the store closes. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (clusterNode != null) {
            // While still serving and in the view: the others take this broker's ranges over now, and writes
            // arriving meanwhile are forwarded to them rather than waiting for the failure detector.
            clusterNode.handOverLeadership(HAND_OVER_TIMEOUT);
        }
        // Resources were pushed in start order, so this closes the servers first, then the
        // consumer service (its pending polls are answered while connections are still open), the
        // event loops, the workers, and the store last.
        AutoCloseable r;
        while ((r = resources.poll()) != null) {
            try {
                r.close();
            } catch (Exception e) {
                log.warn("closing {} failed", r, e);
            }
        }
    }

    private static void shutdown(ExecutorService executor) throws InterruptedException {
        executor.shutdown();
        if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
            executor.shutdownNow();
        }
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
