package io.runnel.broker.cluster;

import io.runnel.broker.bridge.BridgePlacement;
import io.runnel.broker.bridge.BridgeRegistry;
import io.runnel.broker.bridge.BridgeStatusRelay;
import io.runnel.broker.bridge.ClusterBridgeRegistry;
import io.runnel.broker.bridge.RendezvousPlacement;
import io.runnel.broker.cluster.transport.ClusterDispatcher;
import io.runnel.broker.cluster.transport.ClusterServer;
import io.runnel.broker.cluster.transport.Handshake;
import io.runnel.broker.consume.OffsetLog;
import io.runnel.broker.consume.ReadLimit;
import io.runnel.broker.consume.RemoteGroups;
import io.runnel.broker.netty.NettyTransport;
import io.runnel.broker.node.BrokerNode;
import io.runnel.broker.node.NodeServices;
import io.runnel.broker.node.Topology;
import io.runnel.broker.produce.PartitionAppender;
import io.runnel.broker.produce.ProduceRouter;
import io.runnel.broker.replication.HighWatermarkListener;
import io.runnel.broker.replication.RangeExecutor;
import io.runnel.broker.replication.ReplicaManager;
import io.runnel.broker.replication.ReplicaMetadata;
import io.runnel.broker.replication.ReplicationConfig;
import io.runnel.broker.replication.ReplicationContext;
import io.runnel.broker.replication.TopicDirectory;
import io.runnel.discovery.Cluster;
import io.runnel.discovery.ClusterState;
import io.runnel.discovery.TokenRing;
import io.runnel.storage.LogStore;
import io.runnel.storage.TopicConfig;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's side of the cluster, as a {@link BrokerNode}: its lifecycle and the collaborators that do the
 * work. The metadata ({@link Cluster}) decides who leads; the {@link ReplicaManager} makes the data follow it.
 * <ul>
 *   <li>{@link Peers}: a client connection to each peer's cluster port; {@link ClusterServer} and the
 *       {@link ClusterDispatcher}: this broker's port, each request type to its handler;</li>
 *   <li>{@link ProduceForwarder}: produce routing and the relay of writes to partition leaders;</li>
 *   <li>{@link ReplicatedOffsetLog}: committed offsets through the replicated {@link OffsetTopic};</li>
 *   <li>{@link ClusterGroups}: consumer groups' shares at other leaders (poll, commit, lag, seek);</li>
 *   <li>{@link ClusterBridgeStatus}: the status of bridges other brokers run.</li>
 * </ul>
 */
public final class ClusterNode implements BrokerNode {
    private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);
    private static final long HAND_OVER_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long TICK_MILLIS = 100;
    /** How often each range's log-end sum goes to the controller (it picks the fullest in-sync replica). */
    private static final long REPORT_MILLIS = 200;

    private final ClusterSettings settings;
    private final Cluster cluster;
    private final TokenRing ring;
    private final LogStore store;
    private final TopicDirectory topics;
    private final ClusterDispatcher dispatcher = new ClusterDispatcher();
    private final Peers peers;
    private final ReplicaManager replicas;
    private final ProduceForwarder forwarder;
    private final ReplicatedOffsetLog offsets;
    private final ClusterGroups groups;
    private final ClusterBridgeStatus bridgeStatus;
    private final BridgeRegistry bridgeRegistry;
    private final BridgePlacement bridgePlacement;
    private volatile HighWatermarkListener watermark = HighWatermarkListener.NONE;
    private ClusterServer server;
    private volatile boolean closed;
    /** Set once this broker was connected to every broker in its view (see {@link #ready}). */
    private volatile boolean peersReached;

    private ClusterNode(ClusterSettings settings, Cluster cluster, LogStore store, TopicConfig newTopicConfig,
                        NettyTransport transport) {
        this.settings = settings;
        this.cluster = cluster;
        this.ring = cluster.ring();
        this.store = store;
        this.topics = new TopicDirectory(store, newTopicConfig);
        this.peers = new Peers(settings, transport);
        this.offsets = new ReplicatedOffsetLog(cluster, store, topics);
        ReplicationContext ctx = new ReplicationContext(settings.ordinal(), ring, store, topics, ReplicaMetadata.of(cluster),
                peers.all(), new ReplicationConfig(settings.replicaLag(), settings.pendingTimeout()),
                (topic, partition, hwm) -> watermark.advanced(topic, partition, hwm), offsets, System::nanoTime,
                range -> RangeExecutor.thread("runnel-range-" + range));
        this.replicas = new ReplicaManager(ctx);
        this.offsets.attach(replicas);
        this.peers.listen(replicas);
        this.replicas.register(dispatcher);
        this.forwarder = new ProduceForwarder(settings, cluster, peers, replicas);
        this.groups = new ClusterGroups(settings, peers);
        this.bridgeStatus = new ClusterBridgeStatus(peers);
        this.bridgeRegistry = new ClusterBridgeRegistry(cluster);
        this.bridgePlacement = new RendezvousPlacement(cluster);
    }

    /**
     * Starts the cluster side of a broker: binds the cluster port, connects to the peers and follows the
     * metadata. Takes ownership of {@code cluster} (closed with this node).
     */
    public static ClusterNode start(ClusterSettings settings, Cluster cluster, LogStore store, TopicConfig newTopicConfig,
                                    NettyTransport transport) {
        ClusterNode node = new ClusterNode(settings, cluster, store, newTopicConfig, transport);
        try {
            node.server = ClusterServer.start(transport, settings.bindAddress(), settings.clusterPort(), settings.ordinal(),
                    settings.brokers(), new Handshake(settings.secret()), settings.tls(), settings.maxFrameBytes(),
                    node.dispatcher);
            node.peers.start();
            node.replicas.start(TICK_MILLIS, REPORT_MILLIS);
            cluster.addListener(node::onState);
            log.info("cluster node {} of {} started; replica of ranges {}; cluster channel on {}:{}", settings.ordinal(),
                    settings.brokers(), node.replicas.ranges(), settings.bindAddress(), node.server.port());
            return node;
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    private void onState(ClusterState state) {
        replicas.onState(state);
        peers.onView(state.live());
    }

    @Override
    public void bind(NodeServices services) {
        this.watermark = services.watermark();
        offsets.listen(services.consumers()::onReplicatedCommits);
        forwarder.serve(dispatcher, services.producer());
        groups.serve(dispatcher, services.consumers());
        bridgeStatus.serve(dispatcher, services.bridges());
    }

    // ------------------------------------------------------------------ what the services use (any thread)

    @Override
    public Cluster cluster() {
        return cluster;
    }

    /** This broker's ordinal in the ring. */
    public int ordinal() {
        return settings.ordinal();
    }

    /**
     * Whether the metadata is known (every range has a generation) and, once after start, this broker has been
     * connected to every broker in its view: until then it could not forward a write or replicate to them, although
     * it would say it is ready. Later disconnections do not make it unready (a failure is the metadata's business).
     */
    @Override
    public boolean ready() {
        if (!cluster.ready()) {
            return false;
        }
        if (!peersReached) {
            peersReached = cluster.state().live().stream().allMatch(b -> b == settings.ordinal() || peers.connected(b));
        }
        return peersReached;
    }

    @Override
    public ProduceRouter router() {
        return forwarder;
    }

    @Override
    public PartitionAppender appender() {
        return replicas::append;
    }

    @Override
    public int[] ledPartitions() {
        return replicas.ledPartitions();
    }

    @Override
    public boolean serves(int partition) {
        return replicas.serves(partition);
    }

    @Override
    public ReadLimit readLimit() {
        return replicas::highWatermark;
    }

    /** The high watermark of a partition this broker holds; 0 for others. */
    public long highWatermark(String topic, int partition) {
        return replicas.highWatermark(topic, partition);
    }

    @Override
    public OffsetLog offsetLog() {
        return offsets;
    }

    @Override
    public RemoteGroups remoteGroups() {
        return groups;
    }

    @Override
    public BridgeRegistry bridgeRegistry() {
        return bridgeRegistry;
    }

    @Override
    public BridgePlacement bridgePlacement() {
        return bridgePlacement;
    }

    @Override
    public BridgeStatusRelay bridgeStatusRelay() {
        return bridgeStatus;
    }

    @Override
    public Topology topology() {
        return Topology.of(settings.ordinal(), settings.hosts(), cluster.ready(), cluster.state(), ring, store, topics.all(),
                replicas.ranges()::contains, replicas::highWatermark);
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Before a shutdown, while this broker is still in the view: hands every range it leads to an in-sync follower
     * through the metadata, so that producers and forwarded writes move to the new leader at once instead of after
     * the failure detector noticed. Each range first stops taking writes and lets the ones it took be acknowledged
     * (up to the replica lag), and this broker then stays out of its ISR so the range is not handed back. A range
     * that cannot be handed over (no live in-sync follower, no metadata quorum, {@code timeout}) fails over as
     * before when this broker leaves. Only for a shutdown: until it restarts, this broker does not follow the ranges
     * it handed over.
     */
    @Override
    public void handOver(Duration timeout) {
        handOverLeadership(timeout);
    }

    /**
     * {@link #handOver}, telling which ranges moved.
     *
     * @return the ranges handed over, each with its new leader
     */
    public Map<Integer, Integer> handOverLeadership(Duration timeout) {
        if (closed || !cluster.ready()) {
            return Map.of();
        }
        Map<Integer, CompletableFuture<Integer>> moves = replicas.handOver(settings.replicaLag());
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Integer, Integer> moved = new TreeMap<>();
        for (Map.Entry<Integer, CompletableFuture<Integer>> m : moves.entrySet()) {
            try {
                int to = awaitHandOver(m.getValue(), deadline);
                if (to >= 0) {
                    moved.put(m.getKey(), to);
                    log.info("range {}: handed over to broker {}", m.getKey(), to);
                }
            } catch (ExecutionException | TimeoutException e) {
                log.info("range {}: not handed over ({}); it fails over when this broker leaves", m.getKey(),
                        e instanceof ExecutionException ? e.getCause().toString() : e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return moved;
    }

    /**
     * The hand-over's outcome, waiting at most until {@code deadline}, and not at all once the metadata has no
     * quorum (the other brokers are stopping too, as when a whole cluster shuts down): nothing can change then.
     */
    private int awaitHandOver(CompletableFuture<Integer> move, long deadline)
            throws ExecutionException, TimeoutException, InterruptedException {
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("timed out");
            }
            if (!cluster.ready()) {
                throw new TimeoutException("the metadata lost its quorum");
            }
            try {
                return move.get(Math.min(left, HAND_OVER_POLL_NANOS), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // check the quorum again
            }
        }
    }

    /**
     * Leaves the cluster first (so the others fail its ranges over at once), then stops the ranges (a
     * leader's unanswered producers get 503), the connections and the cluster port. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        dispatcher.close();
        try {
            cluster.close();
        } catch (RuntimeException e) {
            log.warn("leaving the cluster failed", e);
        }
        replicas.close();
        peers.close();
        if (server != null) {
            server.close();
        }
    }
}
