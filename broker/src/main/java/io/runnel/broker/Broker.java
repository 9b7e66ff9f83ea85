package io.runnel.broker;

import io.runnel.broker.common.Errors;
import io.runnel.broker.config.Option;
import io.runnel.discovery.ClusterState;
import io.runnel.broker.produce.ProducerLimits;
import io.runnel.broker.produce.BoundedAppender;
import io.runnel.broker.cluster.transport.ClusterFrames;
import io.runnel.broker.http.ConnectionLimiter;
import io.runnel.broker.http.HttpGuards;
import io.runnel.broker.common.InFlightBudget;
import io.runnel.broker.http.HttpSecurity;
import io.runnel.broker.security.Authenticator;
import io.runnel.broker.security.ServerTls;
import io.runnel.broker.config.SecurityConfig;
import io.netty.handler.codec.http.HttpMethod;
import com.fasterxml.jackson.core.JsonFactory;
import io.runnel.broker.admin.AdminContext;
import io.runnel.broker.admin.DiscoveryApi;
import io.runnel.broker.bridge.BridgeApi;
import io.runnel.broker.bridge.BridgeManager;
import io.runnel.broker.bridge.BridgeServices;
import io.runnel.broker.bridge.ConsumerGroupReader;
import io.runnel.broker.bridge.DeclaredBridges;
import io.runnel.broker.bridge.RoutedEventWriter;
import io.runnel.broker.bridge.StoreLag;
import io.runnel.broker.cluster.ClusterNode;
import io.runnel.broker.cluster.ClusterSettings;
import io.runnel.broker.config.BrokerConfig;
import io.runnel.broker.consume.ConsumerApi;
import io.runnel.broker.consume.ConsumerConfig;
import io.runnel.broker.consume.ConsumerContext;
import io.runnel.broker.consume.ConsumerService;
import io.runnel.broker.http.HttpLimits;
import io.runnel.broker.http.HttpServer;
import io.runnel.broker.netty.NettyTransport;
import io.runnel.broker.http.Router;
import io.runnel.broker.http.StatusRoute;
import io.runnel.broker.metrics.BrokerMetrics;
import io.runnel.broker.node.BrokerNode;
import io.runnel.broker.node.NodeServices;
import io.runnel.broker.node.SingleBrokerNode;
import io.runnel.broker.produce.EventBodyParser;
import io.runnel.broker.produce.PartitionChooser;
import io.runnel.broker.produce.ProduceService;
import io.runnel.broker.produce.ProducerApi;
import io.runnel.broker.security.ClusterSecrets;
import io.runnel.discovery.Cluster;
import io.runnel.discovery.ClusterConfig;
import io.runnel.discovery.ClusterSecret;
import io.runnel.storage.LogStore;
import io.runnel.storage.StorageConfig;
import io.runnel.storage.TopicConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running broker: its store, its node (a {@link SingleBrokerNode}, or a {@link ClusterNode} with
 * {@code --brokers}), consumer groups, the produce path, bridges and the three HTTP servers (discovery/admin,
 * producer, consumer). {@link Main} runs one per process; tests start and stop them in-process.
 *
 * <p>Start is a list of named steps ({@link StartupSteps}); close undoes them in reverse order: the servers stop
 * accepting first, then bridges, the node (a cluster broker first hands its ranges over, then leaves), the
 * consumer groups (pending polls are answered), the event loops, the workers and finally the store, so nothing
 * is acknowledged that the store did not take.
 */
public final class Broker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Broker.class);
    private static final int WORKER_QUEUE = 10_000;
    /** Longest a shutdown waits for its ranges to be handed over (each drains for at most the replica lag). */
    private static final Duration HAND_OVER_TIMEOUT = Duration.ofSeconds(5);

    private final BrokerConfig config;
    private final StartupSteps steps = new StartupSteps();
    private volatile boolean storageFailed;
    private LogStore store;
    private BrokerMetrics metrics;
    private NettyTransport transport;
    private HttpServer discovery;
    private HttpServer producer;
    private HttpServer consumer;
    private BridgeManager bridges;
    private HttpSecurity httpSecurity;
    private InFlightBudget budget;
    private HttpGuards guards;
    private volatile BrokerNode node;
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
        steps.run("store", () -> {
            StorageConfig defaults = StorageConfig.defaults(config.dataDir());
            store = storeOpener.apply(new StorageConfig(config.dataDir(), config.fsync(), config.fsyncInterval(),
                    config.blockCacheBytes(), config.writeBufferBytes(), defaults.maxBatchBytes(),
                    defaults.retentionInterval(), clock, t -> {
                        storageFailed = true;
                        log.error("FATAL: storage failed; this broker stops acknowledging writes", t);
                        onStorageFailure.accept(t);
                    }));
            return store;
        });
        steps.run("metrics", () -> {
            metrics = new BrokerMetrics();
            metrics.bindStore(store);
            return metrics;
        });
        ExecutorService workers = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 0,
                TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(WORKER_QUEUE), threads("runnel-worker"));
        steps.run("workers", () -> () -> shutdown(workers));
        steps.run("event loops", () -> transport = new NettyTransport(config.ioThreads()));
        SecurityConfig sec = config.security();
        ServerTls[] tls = new ServerTls[1];
        Authenticator[] authenticator = new Authenticator[1];
        steps.run("tls", () -> tls[0] = sec.tls() ? ServerTls.start(sec.tlsCert(), sec.tlsKey(), sec.tlsClientCa()) : null);
        steps.run("client authentication", () -> authenticator[0] = sec.clientAuth() ? Authenticator.start(sec.authFile())
                : Authenticator.disabled());
        httpSecurity = new HttpSecurity(authenticator[0], tls[0]);
        budget = new InFlightBudget(MemorySizing.check(config));
        guards = new HttpGuards(budget, new ConnectionLimiter.Counts(config.limits().maxConnections(),
                config.limits().maxConnectionsPerClient()));
        metrics.bindLimits(budget, guards.connections()::open, guards.connections()::refused);

        // A cluster broker joins the membership and metadata here (blocks until connected, not until ready:
        // /status answers 503 until every range has a generation). The node's own close runs with "serving peers".
        TopicConfig topicConfig = new TopicConfig(config.retention(), config.retentionBytes());
        steps.run("node", () -> {
            if (!config.clustered()) {
                return node = new SingleBrokerNode(config.ranges(), store, config.hostname(), config.dataDir());
            }
            ClusterSecret secret = ClusterSecrets.read(config.security().clusterSecretFile());
            return node = ClusterNode.start(clusterSettings(secret), Cluster.start(clusterConfig(secret)), store, topicConfig,
                    transport);
        });
        Cluster cluster = node.cluster();

        ConsumerService consumers = new ConsumerService(new ConsumerContext(store, cluster.ring(), cluster,
                node.offsetLog(), node::serves, node.readLimit(), new ConsumerConfig(config.consumerTimeout(),
                config.maxPollWait().toMillis(), config.maxPollBytes(), new ConsumerConfig.Limits(config.limits().maxGroups(),
                config.limits().maxConsumersPerGroup(), config.limits().maxParkedPolls())), clock));
        steps.run("consumer groups", () -> consumers);
        metrics.bindParkedPolls(consumers::parkedPolls, consumers::pollsPastParkLimit);

        EventBodyParser parser = new EventBodyParser(new JsonFactory());
        BoundedAppender appender = new BoundedAppender(node.appender(), MemorySizing.pendingBytes(config));
        metrics.bindPending(appender::pendingBytes, appender::refused);
        ProduceService produce = new ProduceService(store, new PartitionChooser(cluster.ring(), node::ledPartitions),
                topicConfig, clock, appender, name -> cluster.addTopic(name).whenComplete((v, e) -> {
                    if (e != null) {
                        log.warn("adding topic {} to the cluster metadata failed: {}", name, e.toString());
                    }
                }), name -> admitTopic(cluster, name));
        ProducerApi producerApi = new ProducerApi(produce, parser, workers, metrics, node.router(),
                new ProducerLimits(budget, config.limits().maxPartitionKeyBytes(), pendingTimeout()));

        // Kafka bridges, each on its own thread; closed before the consumer groups and the store they use.
        BridgeServices bridgeServices = new BridgeServices(
                ConsumerGroupReader.factory(consumers, cluster, node.remoteGroups()),
                new RoutedEventWriter(produce, parser, node.router()), parser,
                new StoreLag(store, cluster.ring()::partitionCount), clock);
        bridges = new BridgeManager(node.bridgeRegistry(), node.bridgePlacement(), bridgeServices, metrics.registry());
        BridgeApi bridgeApi = new BridgeApi(bridges, node.bridgeStatusRelay());

        steps.run("serving peers", () -> {
            node.bind(new NodeServices(consumers::onAppend, producerApi::produceForwarded, consumers, bridgeApi));
            return node;
        });
        steps.run("bridges", () -> {
            BridgeManager manager = bridges;
            manager.start(config.bridgesFile() == null ? List.of() : DeclaredBridges.read(config.bridgesFile()));
            cluster.addListener(state -> manager.reconcileSoon());
            return manager;
        });
        steps.run("bridge admin", () -> bridgeApi);

        HttpLimits limits = new HttpLimits(config.maxInitialLineBytes(), config.maxHeaderBytes(),
                config.maxBodyBytes(), config.readTimeout().toMillis());
        List<String> brokerNames = config.clustered() ? config.brokers() : List.of(config.hostname());
        DiscoveryApi discoveryApi = new DiscoveryApi(new AdminContext(
                () -> new DiscoveryApi.BrokerView(brokerNames, producer.port(), consumer.port()), store, cluster, consumers,
                node.remoteGroups(), metrics, workers, node::topology));
        // Producer and consumer first: /v1/brokers on the discovery port reports their bound ports.
        producer = serve("producer port", Router.builder("producer")
                .open(HttpMethod.GET, "/status", StatusRoute.of("producer", health))
                .post("/v1/topic/{topic}/messages", producerApi::produce)
                .build(), config.producerPort(), limits);
        consumer = serve("consumer port", new ConsumerApi(consumers, metrics).router(health),
                config.consumerPort(), limits);
        discovery = serve("discovery port", discoveryApi.router(health, sec.metricsOpen(), bridgeApi::addRoutes), config.discoveryPort(), limits);
    }

    private HttpServer serve(String name, Router router, int port, HttpLimits limits) {
        HttpServer[] server = new HttpServer[1];
        steps.run(name, () -> server[0] = HttpServer.start(transport, config.bindAddress(), port, router, limits,
                metrics::responded, httpSecurity, guards));
        return server[0];
    }

    /** Refuses a topic the cluster does not have yet once it has max-topics (a soft limit: racing creations pass). */
    private void admitTopic(Cluster cluster, String name) {
        ClusterState state = cluster.state();
        int limit = config.limits().maxTopics();
        if (!state.topics().contains(name) && Math.max(state.topics().size(), store.topics().size()) >= limit) {
            metrics.limitExceeded(Option.MAX_TOPICS.key());
            throw Errors.LIMIT_EXCEEDED.exception("the cluster has " + limit + " topics (max-topics); topic '" + name
                    + "' cannot be created: write to an existing topic, or raise the limit");
        }
    }

    /** A producer waits for replication at most this long before it is told 503 (outcome unknown). */
    private Duration pendingTimeout() {
        return config.replicaLag().multipliedBy(2).plusSeconds(5);
    }

    /** False once a storage write failed, and while the node is not ready (a cluster broker is forming). */
    public boolean healthy() {
        BrokerNode n = node;
        return !storageFailed && n != null && n.ready();
    }

    /** This broker's node: a {@link ClusterNode} in a cluster, a {@link SingleBrokerNode} otherwise. */
    public BrokerNode node() {
        return node;
    }

    private ClusterConfig clusterConfig(ClusterSecret secret) {
        List<String> members = clusterSettings(secret).gossipMembers();
        String bind = config.bindAddress();
        boolean wildcard;
        try {
            wildcard = InetAddress.getByName(bind).isAnyLocalAddress();
        } catch (UnknownHostException e) {
            wildcard = true;
        }
        return new ClusterConfig(config.ordinal(), members, wildcard ? null : bind, null,
                config.dataDir().resolve("raft"), config.ranges(), config.failureTimeout(), secret);
    }

    private ClusterSettings clusterSettings(ClusterSecret secret) {
        Duration pendingTimeout = pendingTimeout();
        return new ClusterSettings(config.brokers(), config.ordinal(), config.bindAddress(), config.clusterPort(),
                config.gossipPort(), config.replicaLag(), config.failureTimeout(), pendingTimeout, secret, httpSecurity.tls(),
                ClusterFrames.maxFrameBytes(config.maxBodyBytes(), config.maxPollBytes()));
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
        BrokerNode n = node;
        if (n != null) {
            // While still serving and in the view: the others take this broker's ranges over now, and writes
            // arriving meanwhile are forwarded to them rather than waiting for the failure detector.
            n.handOver(HAND_OVER_TIMEOUT);
        }
        steps.shutdown();
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
