package io.runnel.broker.cluster;

import io.runnel.broker.common.Futures;
import io.runnel.broker.common.Errors;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.runnel.broker.cluster.transport.ClusterMessage;
import io.runnel.broker.cluster.transport.ClusterMessage.AckStatus;
import io.runnel.broker.cluster.transport.ClusterMessage.Fetch;
import io.runnel.broker.cluster.transport.ClusterMessage.FetchReply;
import io.runnel.broker.cluster.transport.ClusterMessage.Follow;
import io.runnel.broker.cluster.transport.ClusterMessage.FollowReply;
import io.runnel.broker.cluster.transport.ClusterMessage.Forward;
import io.runnel.broker.cluster.transport.ClusterMessage.ForwardReply;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupBatch;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupCommit;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupCommitReply;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupPoll;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupPollReply;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupStatus;
import io.runnel.broker.cluster.transport.ClusterMessage.Replicate;
import io.runnel.broker.cluster.transport.ClusterMessage.ReplicateAck;
import io.runnel.broker.cluster.transport.ClusterMessage.ReplyStatus;
import io.runnel.broker.cluster.transport.ClusterFrames;
import io.runnel.broker.cluster.transport.ClusterMessageEncoder;
import io.runnel.broker.cluster.transport.ClusterRequestHandler;
import io.runnel.broker.cluster.transport.ClusterServer;
import io.runnel.broker.cluster.transport.PeerClient;
import io.runnel.broker.cluster.transport.PeerListener;
import io.runnel.broker.cluster.transport.PeerUnavailableException;
import io.runnel.broker.http.NettyTransport;
import io.runnel.broker.consumer.NotRegisteredException;
import io.runnel.broker.consumer.OffsetCommit;
import io.runnel.broker.consumer.OffsetLog;
import io.runnel.broker.consumer.PartitionBatch;
import io.runnel.broker.consumer.PollResult;
import io.runnel.broker.produce.ProduceRouter;
import io.runnel.broker.produce.RelayedReply;
import io.runnel.discovery.Cluster;
import io.runnel.discovery.ClusterState;
import io.runnel.discovery.Generation;
import io.runnel.discovery.TokenRing;
import io.runnel.storage.AppendResult;
import io.runnel.storage.Chunk;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
    private static final long HAND_OVER_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
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
    /**
     * A {@code Forward} frame with this content type asks for a consumer group's lag in the partitions the
     * receiver leads (body: {@code {"group":...}}), not a produce request.
     */
    public static final String GROUP_LAG_CONTENT_TYPE = "application/x-runnel-group-lag";
    /**
     * A {@code Forward} frame with this content type asks the broker running a Kafka bridge for its status
     * (body: the bridge name, UTF-8), not a produce request.
     */
    public static final String BRIDGE_STATUS_CONTENT_TYPE = "application/x-runnel-bridge-status";
    /**
     * Slack on a remote group poll's own timeout: the receiver answers within its wait, plus the time to
     * read up to max-poll-bytes and to move them over the channel.
     */
    private static final Duration GROUP_POLL_SLACK = Duration.ofSeconds(5);
    /** Error messages in group replies are clipped to this (frame strings hold at most 32 KiB). */
    private static final int MAX_MESSAGE_CHARS = 2000;
    private static final String STARTING_OR_STOPPING = "the broker is starting or stopping; retry";

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
    /** Handlers of {@code Forward} frames that are not produce requests, by content type. */
    private final Map<String, Function<Forward, CompletableFuture<RelayedReply>>> requestsByType =
            new ConcurrentHashMap<>();
    private volatile GroupRequests groups;
    private volatile java.util.function.Consumer<List<OffsetCommit>> offsetListener = list -> { };
    private volatile boolean offsetTopicAnnounced;
    private volatile boolean closed;
    /** Set once this broker was connected to every broker in its view (see {@link #ready}). */
    private volatile boolean peersReached;

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

    /**
     * Handles the {@code Forward} frames with content type {@code contentType} ({@link #SEEK_CONTENT_TYPE},
     * {@link #GROUP_LAG_CONTENT_TYPE}, {@link #BRIDGE_STATUS_CONTENT_TYPE}): requests between brokers that
     * ride the produce relay because they too are answered with an HTTP status and a JSON body.
     */
    public void onForwarded(String contentType, Function<Forward, CompletableFuture<RelayedReply>> handler) {
        requestsByType.put(contentType, handler);
    }

    /**
     * Serves the group polls and commits other brokers send here ({@link #pollGroup}, {@link #commitGroup}
     * on their side): the broker's consumer groups.
     */
    public void onGroupRequests(GroupRequests handler) {
        this.groups = handler;
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

    /**
     * Whether the metadata is known (every range has a generation) and, once after start, this broker has been
     * connected to every broker in its view: until then it could not forward a write or replicate to them, although
     * it would say it is ready. Later disconnections do not make it unready (a failure is the metadata's business).
     */
    public boolean ready() {
        if (!cluster.ready()) {
            return false;
        }
        if (!peersReached) {
            peersReached = cluster.state().live().stream().allMatch(b -> b == settings.ordinal() || connected(b));
        }
        return peersReached;
    }

    /** Whether this broker serves {@code partition} as the leader of its range's current generation. */
    public boolean serves(int partition) {
        RangeReplica r = replicas.get(ring.rangeOf(partition));
        return r != null && r.serving();
    }

    /** The partitions this broker serves now and takes writes for, for keyless writes. */
    public int[] ledPartitions() {
        List<Integer> out = new ArrayList<>();
        for (RangeReplica r : replicas.values()) {
            if (r.takesWrites()) {
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
            return CompletableFuture.failedFuture(Errors.NOT_LEADER.exception("this broker holds no replica of partition " + partition + "; retry"));
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
                done.add(CompletableFuture.failedFuture(Errors.NOT_LEADER.exception("this broker no longer leads partition " + p + "; the commit was not stored; retry")));
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
            return new Route.Unavailable(Errors.NOT_READY, "the cluster is still forming (no generation for every range yet); retry");
        }
        ClusterState state = cluster.state();
        int self = settings.ordinal();
        if (partitionKey != null) {
            int partition = ring.partitionOf(partitionKey);
            Generation g = state.generation(ring.rangeOf(partition));
            if (g == null) {
                return new Route.Unavailable(Errors.NO_LEADER, "partition " + partition + " has no leader yet; retry");
            }
            if (g.leader() == self) {
                return Route.LOCAL;
            }
            if (!state.live().contains(g.leader()) || !connected(g.leader())) {
                return new Route.Unavailable(Errors.LEADER_UNAVAILABLE, "the leader of partition " + partition + " (broker "
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
            return new Route.Unavailable(Errors.NO_LEADER, "no broker leads a partition right now; retry shortly");
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
                        throw Errors.LEADER_UNREACHABLE.exception("the partition's leader (broker " + broker
                                + ") did not answer: " + e.getMessage() + "; the events may or may not be stored; retry");
                    }
                    if (!(m instanceof ForwardReply reply)) {
                        throw Errors.INTERNAL_ERROR.exception("broker " + broker + " answered a forwarded write with " + m);
                    }
                    return new RelayedReply(reply.httpStatus(), reply.retryAfterSeconds(), reply.jsonBody());
                });
    }

    // ------------------------------------------------------------------ consumer groups on other brokers

    /**
     * Polls consumer {@code consumerId} on broker {@code broker}: that broker's consumer groups answer, as
     * a local {@code ConsumerService.poll} does, with the consumer's assigned partitions it leads, after
     * committing what the consumer's previous poll <em>on that broker</em> returned. The chunks come back
     * as stored (keys, timestamps, CRCs; verified again here). Completes off the event loops.
     *
     * <p>Fails with {@link NotRegisteredException} when that broker does not know the consumer (it must
     * register again); with {@link PeerUnavailableException} when the broker cannot be reached, the
     * connection drops or the broker leaves the view before it answers, it does not answer within
     * {@code timeoutMs} plus 5 s, or it is starting or stopping; with {@link IllegalStateException}, carrying
     * that broker's message, for any other failure there. After either of the last two, an answer may
     * have been read there and lost on the way, and the consumer's next poll on that broker would commit
     * it: a consumer that must not skip events leaves its group without committing and registers again.
     *
     * @param timeoutMs how long that broker may wait for data (capped by its max-poll-wait-ms)
     * @param maxBytes  most chunk bytes to return; {@code <= 0} or above that broker's max-poll-bytes
     *                  means that cap
     * @throws IllegalArgumentException for this broker's own ordinal (poll the local ConsumerService), an
     *                                  ordinal outside the cluster, or an empty or over-long consumer id
     */
    public CompletableFuture<PollResult> pollGroup(int broker, String consumerId, long timeoutMs, int maxBytes) {
        PeerClient peer = groupPeer(broker, consumerId);
        long waitMs = Math.max(0, timeoutMs);
        // Chunk.wrap checks each chunk's CRC: not on the event loop that completes the request.
        return peer.request(id -> new GroupPoll(id, consumerId, waitMs, maxBytes),
                        Duration.ofMillis(waitMs).plus(GROUP_POLL_SLACK))
                .handleAsync((m, e) -> {
                    if (e != null) {
                        throw unreachable(broker, e);
                    }
                    if (!(m instanceof GroupPollReply reply)) {
                        throw new IllegalStateException("broker " + broker + " answered a group poll with "
                                + m.getClass().getSimpleName());
                    }
                    if (reply.status() != GroupStatus.OK) {
                        throw groupFailure(broker, consumerId, reply.status(), reply.message());
                    }
                    return pollResult(reply);
                });
    }

    /**
     * Commits now, on broker {@code broker}, the positions the consumer's last poll there reached, as a
     * local {@code ConsumerService.commit} does; completes once the commit is durable there. Fails as
     * {@link #pollGroup} does (the request times out after the replication pending timeout plus 2 s).
     *
     * @throws IllegalArgumentException as {@link #pollGroup}
     */
    public CompletableFuture<Void> commitGroup(int broker, String consumerId) {
        PeerClient peer = groupPeer(broker, consumerId);
        return peer.request(id -> new GroupCommit(id, consumerId), settings.pendingTimeout().plus(FORWARD_SLACK))
                .handle((m, e) -> {
                    if (e != null) {
                        throw unreachable(broker, e);
                    }
                    if (!(m instanceof GroupCommitReply reply)) {
                        throw new IllegalStateException("broker " + broker + " answered a group commit with "
                                + m.getClass().getSimpleName());
                    }
                    if (reply.status() != GroupStatus.OK) {
                        throw groupFailure(broker, consumerId, reply.status(), reply.message());
                    }
                    return null;
                });
    }

    private PeerClient groupPeer(int broker, String consumerId) {
        if (broker == settings.ordinal()) {
            throw new IllegalArgumentException("broker " + broker + " is this broker: use its ConsumerService");
        }
        PeerClient peer = peers.get(broker);
        if (peer == null) {
            throw new IllegalArgumentException("no broker " + broker + " in a cluster of " + settings.brokers());
        }
        if (consumerId == null || consumerId.isBlank()) {
            throw new IllegalArgumentException("consumerId must not be empty");
        }
        if (ByteBufUtil.utf8Bytes(consumerId) > Short.MAX_VALUE) {
            throw new IllegalArgumentException("consumerId is longer than a cluster frame string (32 KiB)");
        }
        return peer;
    }

    private static PeerUnavailableException unreachable(int broker, Throwable e) {
        Throwable cause = Futures.unwrap(e);
        if (cause instanceof PeerUnavailableException p) {
            return p;
        }
        return new PeerUnavailableException(broker, cause instanceof TimeoutException ? cause.getMessage() : cause.toString());
    }

    private static RuntimeException groupFailure(int broker, String consumerId, GroupStatus status, String message) {
        return switch (status) {
            case NOT_REGISTERED -> new NotRegisteredException(consumerId);
            case UNAVAILABLE -> new PeerUnavailableException(broker, message);
            default -> new IllegalStateException("broker " + broker + " failed the request of consumer '" + consumerId
                    + "': " + message);
        };
    }

    private static PollResult pollResult(GroupPollReply reply) {
        if (reply.batches().isEmpty()) {
            return PollResult.EMPTY;
        }
        List<PartitionBatch> batches = new ArrayList<>(reply.batches().size());
        for (GroupBatch b : reply.batches()) {
            List<Chunk> chunks = new ArrayList<>(b.chunks().size());
            for (byte[] c : b.chunks()) {
                chunks.add(Chunk.wrap(c));
            }
            batches.add(new PartitionBatch(b.topic(), b.partition(), b.token(), b.rangeIndex(), b.version(),
                    b.startOffset(), b.nextOffset(), chunks));
        }
        return new PollResult(batches);
    }

    // ------------------------------------------------------------------ inter-broker channel (event loops)

    @Override
    public void onRequest(int peer, ClusterMessage request, Channel channel) {
        switch (request) {
            case Forward f -> handleForward(f, channel);
            case GroupPoll p -> handleGroupPoll(p, channel);
            case GroupCommit c -> handleGroupCommit(c, channel);
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
                f.contentType() == null ? forwarded : requestsByType.getOrDefault(f.contentType(), forwarded);
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

    private void handleGroupPoll(GroupPoll p, Channel channel) {
        GroupRequests handler = groups;
        if (handler == null || closed) {
            channel.writeAndFlush(new GroupPollReply(p.requestId(), GroupStatus.UNAVAILABLE, STARTING_OR_STOPPING, List.of()),
                    channel.voidPromise());
            return;
        }
        CompletableFuture<PollResult> polled;
        try {
            polled = handler.poll(p.consumerId(), p.timeoutMs(), p.maxBytes());
        } catch (RuntimeException e) {
            polled = CompletableFuture.failedFuture(e);
        }
        polled.whenComplete((result, e) -> channel.writeAndFlush(
                e == null ? pollReply(p, result) : new GroupPollReply(p.requestId(), groupStatus(e), groupMessage(p.consumerId(), e),
                        List.of()),
                channel.voidPromise()));
    }

    private static GroupPollReply pollReply(GroupPoll p, PollResult result) {
        List<GroupBatch> batches = new ArrayList<>(result.batches().size());
        for (PartitionBatch b : result.batches()) {
            List<byte[]> chunks = new ArrayList<>(b.chunks().size());
            for (Chunk c : b.chunks()) {
                chunks.add(c.bytes()); // the stored array itself: the encoder copies it into the frame
            }
            batches.add(new GroupBatch(b.topic(), b.partition(), b.token(), b.rangeIndex(), b.version(), b.startOffset(),
                    b.nextOffset(), chunks));
        }
        GroupPollReply reply = new GroupPollReply(p.requestId(), GroupStatus.OK, null, batches);
        long bytes = ClusterMessageEncoder.bodyLength(reply);
        if (bytes > ClusterFrames.MAX_FRAME_BYTES) {
            // Sending it would make the peer close the connection (and fail everything else in flight on it).
            log.warn("the poll answer for consumer {} is {} bytes, above the cluster frame limit of {}; answered FAILED",
                    p.consumerId(), bytes, ClusterFrames.MAX_FRAME_BYTES);
            return new GroupPollReply(p.requestId(), GroupStatus.FAILED, "the poll answer of " + bytes
                    + " bytes is larger than the cluster frame limit of " + ClusterFrames.MAX_FRAME_BYTES
                    + " bytes; poll with a smaller maxBytes", List.of());
        }
        return reply;
    }

    private void handleGroupCommit(GroupCommit c, Channel channel) {
        GroupRequests handler = groups;
        if (handler == null || closed) {
            channel.writeAndFlush(new GroupCommitReply(c.requestId(), GroupStatus.UNAVAILABLE, STARTING_OR_STOPPING),
                    channel.voidPromise());
            return;
        }
        CompletableFuture<Void> committed;
        try {
            committed = handler.commit(c.consumerId());
        } catch (RuntimeException e) {
            committed = CompletableFuture.failedFuture(e);
        }
        committed.whenComplete((v, e) -> channel.writeAndFlush(e == null
                        ? new GroupCommitReply(c.requestId(), GroupStatus.OK, null)
                        : new GroupCommitReply(c.requestId(), groupStatus(e), groupMessage(c.consumerId(), e)),
                channel.voidPromise()));
    }

    private static GroupStatus groupStatus(Throwable e) {
        return Futures.unwrap(e) instanceof NotRegisteredException ? GroupStatus.NOT_REGISTERED : GroupStatus.FAILED;
    }

    private static String groupMessage(String consumerId, Throwable e) {
        Throwable cause = Futures.unwrap(e);
        if (!(cause instanceof NotRegisteredException)) {
            log.warn("a group request of consumer {} from another broker failed: {}", consumerId, cause.toString());
        }
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        return message.length() <= MAX_MESSAGE_CHARS ? message : message.substring(0, MAX_MESSAGE_CHARS) + "…";
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
     * Before a shutdown, while this broker is still in the view: hands every range it leads to an in-sync follower
     * through the metadata, so that producers and forwarded writes move to the new leader at once instead of after
     * the failure detector noticed. Each range first stops taking writes and lets the ones it took be acknowledged
     * (up to the replica lag), and this broker then stays out of its ISR so the range is not handed back. A range
     * that cannot be handed over (no live in-sync follower, no metadata quorum, {@code timeout}) fails over as
     * before when this broker leaves. Only for a shutdown: until it restarts, this broker does not follow the ranges
     * it handed over.
     *
     * @return the ranges handed over, each with its new leader
     */
    public Map<Integer, Integer> handOverLeadership(Duration timeout) {
        if (closed || !cluster.ready()) {
            return Map.of();
        }
        Map<Integer, CompletableFuture<Integer>> moves = new TreeMap<>();
        replicas.forEach((range, r) -> moves.put(range, r.handOver(settings.replicaLag())));
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
