package io.runnel.broker.cluster;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.channel.Channel;
import io.runnel.broker.cluster.transport.ClusterMessage;
import io.runnel.broker.cluster.transport.ClusterMessage.AckStatus;
import io.runnel.broker.cluster.transport.ClusterMessage.Fetch;
import io.runnel.broker.cluster.transport.ClusterMessage.FetchReply;
import io.runnel.broker.cluster.transport.ClusterMessage.Follow;
import io.runnel.broker.cluster.transport.ClusterMessage.FollowReply;
import io.runnel.broker.cluster.transport.ClusterMessage.Forward;
import io.runnel.broker.cluster.transport.ClusterMessage.ForwardReply;
import io.runnel.broker.cluster.transport.ClusterMessage.Replicate;
import io.runnel.broker.cluster.transport.ClusterMessage.ReplicateAck;
import io.runnel.broker.cluster.transport.ClusterMessage.ReplyStatus;
import io.runnel.broker.cluster.transport.ClusterRequestHandler;
import io.runnel.broker.cluster.transport.ClusterServer;
import io.runnel.broker.cluster.transport.PeerClient;
import io.runnel.broker.cluster.transport.PeerListener;
import io.runnel.broker.http.HttpError;
import io.runnel.broker.http.NettyTransport;
import io.runnel.broker.consumer.OffsetCommit;
import io.runnel.broker.consumer.OffsetLog;
import io.runnel.broker.produce.ProduceRouter;
import io.runnel.broker.produce.RelayedReply;
import io.runnel.discovery.Cluster;
import io.runnel.discovery.ClusterState;
import io.runnel.discovery.Generation;
import io.runnel.discovery.TokenRing;
import io.runnel.storage.AppendResult;
import io.runnel.storage.LogStore;
import io.runnel.storage.OffsetKey;
import io.runnel.storage.TopicConfig;
import io.runnel.storage.TopicInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's side of the cluster: the inter-broker channel (a server on the cluster port and one
 * client connection to each peer), a {@link RangeReplica} for each range whose replica set holds this
 * broker, produce routing and forwarding, and the view the HTTP APIs need (who leads what, high
 * watermarks, topology). The metadata ({@link Cluster}) decides who leads; this class makes the data
 * follow it.
 */
public final class ClusterNode implements ProduceRouter, ClusterRequestHandler, PeerListener, OffsetLog, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);
    private static final long TICK_MILLIS = 100;
    /** How often each range's log-end sum goes to the controller (it picks the fullest in-sync replica). */
    private static final long REPORT_MILLIS = 200;
    /**
     * Slack on top of the leader's own pending timeout: a forwarded write is answered by the leader
     * within its pending timeout, so waiting longer only hides a lost answer from the producer.
     */
    private static final Duration FORWARD_SLACK = Duration.ofSeconds(2);
    /**
     * A {@code Forward} frame with this content type is a group seek for the partitions the receiver
     * leads (body: JSON, see the broker's GroupSeek), not a produce request.
     */
    public static final String SEEK_CONTENT_TYPE = "application/x-runnel-seek";

    private final ClusterSettings settings;
    private final Cluster cluster;
    private final TokenRing ring;
    private final LogStore store;
    private final TopicDirectory topics;
    private final Map<Integer, PeerClient> peers;
    private final Map<Integer, RangeReplica> replicas;
    private final AtomicInteger nextLeader = new AtomicInteger();
    private ClusterServer server;
    private volatile Function<Forward, CompletableFuture<RelayedReply>> forwarded;
    private volatile Function<Forward, CompletableFuture<RelayedReply>> seeks;
    private volatile java.util.function.Consumer<List<OffsetCommit>> offsetListener = list -> { };
    private volatile boolean offsetTopicAnnounced;
    private volatile boolean closed;

    private ClusterNode(ClusterSettings settings, Cluster cluster, LogStore store, TopicConfig newTopicConfig,
                        NettyTransport transport, HighWatermarkListener watermark) {
        this.settings = settings;
        this.cluster = cluster;
        this.ring = cluster.ring();
        this.store = store;
        this.topics = new TopicDirectory(store, newTopicConfig);
        String source = sourceAddress(settings.bindAddress());
        Map<Integer, PeerClient> clients = new HashMap<>();
        for (int b = 0; b < settings.brokers(); b++) {
            if (b != settings.ordinal()) {
                clients.put(b, new PeerClient(transport, settings.ordinal(), b,
                        new InetSocketAddress(settings.hosts().get(b), settings.clusterPort()), source, this));
            }
        }
        this.peers = Map.copyOf(clients);
        ReplicationContext ctx = new ReplicationContext(settings.ordinal(), ring, store, topics, cluster, peers, settings,
                watermark, this::applyReplicatedOffsets);
        Map<Integer, RangeReplica> mine = new TreeMap<>();
        for (int r = 0; r < ring.brokers(); r++) {
            if (ring.replicaSet(r).contains(settings.ordinal())) {
                mine.put(r, new RangeReplica(ctx, r));
            }
        }
        this.replicas = Map.copyOf(mine);
    }

    /**
     * Starts the cluster side of a broker: binds the cluster port, connects to the peers and follows the
     * metadata. Takes ownership of {@code cluster} (closed with this node).
     *
     * @param watermark told whenever a partition this broker leads has a higher high watermark
     */
    public static ClusterNode start(ClusterSettings settings, Cluster cluster, LogStore store, TopicConfig newTopicConfig,
                                    NettyTransport transport, HighWatermarkListener watermark) {
        ClusterNode node = new ClusterNode(settings, cluster, store, newTopicConfig, transport, watermark);
        try {
            node.server = ClusterServer.start(transport, settings.bindAddress(), settings.clusterPort(), settings.brokers(), node);
            node.peers.values().forEach(PeerClient::start);
            node.replicas.values().forEach(r -> r.scheduleTicks(TICK_MILLIS, REPORT_MILLIS));
            cluster.addListener(node::onState);
            log.info("cluster node {} of {} started; replica of ranges {}; cluster channel on {}:{}", settings.ordinal(),
                    settings.brokers(), node.replicas.keySet(), settings.bindAddress(), node.server.port());
            return node;
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    /** Handles produce requests other brokers forward here. */
    public void onForwarded(Function<Forward, CompletableFuture<RelayedReply>> handler) {
        this.forwarded = handler;
    }

    /** Handles group seeks other brokers forward here ({@link #SEEK_CONTENT_TYPE}). */
    public void onSeekForwarded(Function<Forward, CompletableFuture<RelayedReply>> handler) {
        this.seeks = handler;
    }

    /**
     * Told the commits this broker applied as a follower of {@link OffsetTopic} (on a range's thread,
     * after they were queued for the store): the consumer groups update their view of them.
     */
    public void onReplicatedOffsets(java.util.function.Consumer<List<OffsetCommit>> listener) {
        this.offsetListener = listener;
    }

    private void onState(ClusterState state) {
        for (RangeReplica r : replicas.values()) {
            r.execute(() -> r.onState(state));
        }
        peers.forEach((broker, peer) -> {
            if (!state.live().contains(broker)) {
                peer.failPending("broker " + broker + " left the cluster view");
            }
        });
    }

    // ------------------------------------------------------------------ views (any thread)

    public Cluster cluster() {
        return cluster;
    }

    public TokenRing ring() {
        return ring;
    }

    /** This broker's ordinal in the ring. */
    public int ordinal() {
        return settings.ordinal();
    }

    /** Whether the metadata is known: every range has a generation. */
    public boolean ready() {
        return cluster.ready();
    }

    /** Whether this broker serves {@code partition} as the leader of its range's current generation. */
    public boolean serves(int partition) {
        RangeReplica r = replicas.get(ring.rangeOf(partition));
        return r != null && r.serving();
    }

    /** The partitions this broker serves now, for keyless writes. */
    public int[] ledPartitions() {
        List<Integer> out = new ArrayList<>();
        for (RangeReplica r : replicas.values()) {
            if (r.serving()) {
                out.addAll(r.partitions());
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The high watermark of a partition this broker serves; 0 for others (nothing may be read). */
    public long highWatermark(String topic, int partition) {
        RangeReplica r = replicas.get(ring.rangeOf(partition));
        return r == null ? 0 : r.highWatermark(topic, partition);
    }

    /** Appends a producer's chunk through replication (see {@link RangeReplica#append}). */
    public CompletableFuture<AppendResult> append(TopicInfo topic, int partition, byte[] chunk) {
        RangeReplica r = replicas.get(ring.rangeOf(partition));
        if (r == null) {
            return CompletableFuture.failedFuture(HttpError.unavailable("not_leader",
                    "this broker holds no replica of partition " + partition + "; retry", 1));
        }
        return r.append(topic, partition, chunk);
    }

    /** Adds a topic to the cluster metadata (asynchronously; failures are only logged). */
    public void addTopic(String name) {
        cluster.addTopic(name).whenComplete((v, e) -> {
            if (e != null) {
                log.warn("adding topic {} to the cluster metadata failed: {}", name, e.toString());
            }
        });
    }

    // ------------------------------------------------------------------ committed offsets

    /**
     * Appends the commits to {@link OffsetTopic} through replication (one chunk per partition), then
     * stores them locally. Completes once every partition's chunk is acknowledged (durable on a
     * majority); fails with 503 for a partition this broker does not lead.
     */
    @Override
    public CompletableFuture<Void> commit(List<OffsetCommit> commits) {
        if (commits.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        TopicInfo offsets;
        try {
            offsets = topics.ensure(OffsetTopic.NAME);
            if (!offsetTopicAnnounced) {
                offsetTopicAnnounced = true;
                addTopic(OffsetTopic.NAME);
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        Map<Integer, List<OffsetCommit>> byPartition = new TreeMap<>();
        commits.forEach(c -> byPartition.computeIfAbsent(c.partition(), k -> new ArrayList<>()).add(c));
        List<CompletableFuture<Void>> done = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (Map.Entry<Integer, List<OffsetCommit>> e : byPartition.entrySet()) {
            int p = e.getKey();
            List<OffsetCommit> batch = e.getValue();
            if (!serves(p)) {
                done.add(CompletableFuture.failedFuture(HttpError.unavailable("not_leader",
                        "this broker no longer leads partition " + p + "; the commit was not stored; retry", 1)));
                continue;
            }
            done.add(append(offsets, p, OffsetTopic.encode(batch, now)).thenCompose(r -> storeLocally(batch)));
        }
        return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> storeLocally(List<OffsetCommit> commits) {
        Map<OffsetKey, Long> local = new HashMap<>();
        for (OffsetCommit c : commits) { // later records of a batch win, as in the log
            local.put(new OffsetKey(c.group(), topics.ensure(c.topic()).id(), c.partition()), c.offset());
        }
        return store.commitOffsets(local);
    }

    /** A follower appended a chunk of {@link OffsetTopic}: its commits become this broker's too. */
    private void applyReplicatedOffsets(byte[] chunk) {
        List<OffsetCommit> commits = OffsetTopic.decode(chunk);
        if (commits.isEmpty()) {
            return;
        }
        storeLocally(commits).whenComplete((v, e) -> {
            if (e != null) {
                log.warn("storing {} replicated commits failed: {}", commits.size(), e.toString());
            }
        });
        try {
            offsetListener.accept(commits);
        } catch (RuntimeException e) {
            log.warn("offset listener failed", e);
        }
    }

    // ------------------------------------------------------------------ routing

    @Override
    public Route route(String partitionKey) {
        if (!cluster.ready()) {
            return new Route.Unavailable("not_ready", "the cluster is still forming (no generation for every range yet); retry");
        }
        ClusterState state = cluster.state();
        int self = settings.ordinal();
        if (partitionKey != null) {
            int partition = ring.partitionOf(partitionKey);
            Generation g = state.generation(ring.rangeOf(partition));
            if (g == null) {
                return new Route.Unavailable("no_leader", "partition " + partition + " has no leader yet; retry");
            }
            if (g.leader() == self) {
                return Route.LOCAL;
            }
            if (!state.live().contains(g.leader()) || !connected(g.leader())) {
                return new Route.Unavailable("leader_unavailable", "the leader of partition " + partition + " (broker "
                        + g.leader() + ") cannot be reached; retry shortly");
            }
            return new Route.Forward(g.leader());
        }
        if (ledPartitions().length > 0) {
            return Route.LOCAL;
        }
        List<Integer> leaders = state.generations().values().stream().map(Generation::leader)
                .filter(l -> l != self && state.live().contains(l) && connected(l)).distinct().sorted().toList();
        if (leaders.isEmpty()) {
            return new Route.Unavailable("no_leader", "no broker leads a partition right now; retry shortly");
        }
        return new Route.Forward(leaders.get(Math.floorMod(nextLeader.getAndIncrement(), leaders.size())));
    }

    private boolean connected(int broker) {
        PeerClient p = peers.get(broker);
        return p != null && p.connected();
    }

    @Override
    public CompletableFuture<RelayedReply> forward(int broker, String topic, String partitionKey, String contentType,
                                                   byte[] body) {
        PeerClient peer = peers.get(broker);
        if (peer == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no broker " + broker));
        }
        return peer.request(id -> new Forward(id, topic, partitionKey, contentType, body),
                        settings.pendingTimeout().plus(FORWARD_SLACK))
                .handle((m, e) -> {
                    if (e != null) {
                        throw HttpError.unavailable("leader_unreachable", "the partition's leader (broker " + broker
                                + ") did not answer: " + e.getMessage() + "; the events may or may not be stored; retry", 1);
                    }
                    if (!(m instanceof ForwardReply reply)) {
                        throw HttpError.internal("broker " + broker + " answered a forwarded write with " + m);
                    }
                    return new RelayedReply(reply.httpStatus(), reply.retryAfterSeconds(), reply.jsonBody());
                });
    }

    // ------------------------------------------------------------------ inter-broker channel (event loops)

    @Override
    public void onRequest(int peer, ClusterMessage request, Channel channel) {
        switch (request) {
            case Forward f -> handleForward(f, channel);
            case Replicate r -> {
                RangeReplica replica = replicas.get(r.range());
                if (replica == null) {
                    channel.writeAndFlush(new ReplicateAck(r.requestId(), r.range(), r.version(), r.topic(), r.partition(),
                            AckStatus.NOT_FOLLOWING, 0), channel.voidPromise());
                } else {
                    replica.execute(() -> replica.onReplicate(peer, r, channel));
                }
            }
            case Fetch f -> {
                RangeReplica replica = replicas.get(f.range());
                if (replica == null) {
                    channel.writeAndFlush(new FetchReply(f.requestId(), f.range(), f.version(), ReplyStatus.NOT_LEADER,
                            List.of(), List.of()));
                } else {
                    replica.execute(() -> channel.writeAndFlush(replica.onFetch(peer, f)));
                }
            }
            case Follow f -> {
                RangeReplica replica = replicas.get(f.range());
                if (replica == null) {
                    channel.writeAndFlush(new FollowReply(f.requestId(), f.range(), f.version(), ReplyStatus.NOT_LEADER));
                } else {
                    replica.execute(() -> channel.writeAndFlush(replica.onFollow(peer, f)));
                }
            }
            default -> log.warn("broker {} sent an unexpected {}; ignored", peer, request.getClass().getSimpleName());
        }
    }

    private void handleForward(Forward f, Channel channel) {
        Function<Forward, CompletableFuture<RelayedReply>> handler =
                SEEK_CONTENT_TYPE.equals(f.contentType()) ? seeks : forwarded;
        CompletableFuture<RelayedReply> reply;
        if (handler == null || closed) {
            reply = CompletableFuture.completedFuture(new RelayedReply(503, 1,
                    "{\"error\":\"not_ready\",\"message\":\"the broker is starting or stopping; retry\"}".getBytes(StandardCharsets.UTF_8)));
        } else {
            try {
                reply = handler.apply(f);
            } catch (RuntimeException e) {
                reply = CompletableFuture.failedFuture(e);
            }
        }
        reply.whenComplete((r, e) -> {
            RelayedReply answer = e == null ? r : new RelayedReply(500, 0,
                    "{\"error\":\"internal_error\",\"message\":\"the forwarded write failed; see the leader's log\"}".getBytes(StandardCharsets.UTF_8));
            if (e != null) {
                log.error("forwarded write to {} failed", f.topic(), e);
            }
            channel.writeAndFlush(new ForwardReply(f.requestId(), answer.status(), answer.retryAfterSeconds(), answer.json()),
                    channel.voidPromise());
        });
    }

    @Override
    public void onConnected(int peer) {
        replicas.values().forEach(r -> r.execute(() -> r.onPeerConnected(peer)));
    }

    @Override
    public void onDisconnected(int peer) {
        replicas.values().forEach(r -> r.execute(() -> r.onPeerDisconnected(peer)));
    }

    @Override
    public void onMessage(int peer, ClusterMessage message) {
        if (message instanceof ReplicateAck ack) {
            RangeReplica r = replicas.get(ack.range());
            if (r != null) {
                r.execute(() -> r.onAck(peer, ack));
            }
        } else {
            log.debug("unexpected {} from broker {}", message, peer);
        }
    }

    // ------------------------------------------------------------------ topology

    /**
     * Writes {@code GET /v1/topology} (see {@link TopologyWriter}). Reads the store: call on a worker
     * thread.
     */
    public void writeTopology(JsonGenerator json) throws IOException {
        TopologyWriter.write(json, settings.ordinal(), settings.hosts(), cluster.ready(), cluster.state(), ring, store,
                topics.all(), replicas::containsKey, (topic, partition) -> highWatermark(topic, partition));
    }

    // ------------------------------------------------------------------ lifecycle

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
        try {
            cluster.close();
        } catch (RuntimeException e) {
            log.warn("leaving the cluster failed", e);
        }
        replicas.values().forEach(RangeReplica::close);
        peers.values().forEach(PeerClient::close);
        if (server != null) {
            server.close();
        }
    }

    /** The address peer connections come from: the bind address, unless that is a wildcard. */
    private static String sourceAddress(String bindAddress) {
        try {
            return InetAddress.getByName(bindAddress).isAnyLocalAddress() ? null : bindAddress;
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
