package io.runnel.broker.replication;

import io.runnel.broker.cluster.transport.ClusterDispatcher;
import io.runnel.broker.cluster.transport.ClusterMessage;
import io.runnel.broker.cluster.transport.ClusterMessage.AckStatus;
import io.runnel.broker.cluster.transport.ClusterMessage.Fetch;
import io.runnel.broker.cluster.transport.ClusterMessage.FetchReply;
import io.runnel.broker.cluster.transport.ClusterMessage.Follow;
import io.runnel.broker.cluster.transport.ClusterMessage.FollowReply;
import io.runnel.broker.cluster.transport.ClusterMessage.Replicate;
import io.runnel.broker.cluster.transport.ClusterMessage.ReplicateAck;
import io.runnel.broker.cluster.transport.ClusterMessage.ReplyStatus;
import io.runnel.broker.cluster.transport.PeerListener;
import io.runnel.broker.cluster.transport.RequestType;
import io.runnel.broker.common.Errors;
import io.runnel.discovery.ClusterState;
import io.runnel.discovery.Generation;
import io.runnel.storage.AppendResult;
import io.runnel.storage.TopicInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicas this broker holds: a {@link RangeReplica} for each range whose replica set contains it, the
 * replication frames peers send (registered on the {@link ClusterDispatcher}) and the connection events of the
 * peer channels. The facade of the replication package: produce calls {@link #append}, consumers ask
 * {@link #serves} and {@link #highWatermark}, the metadata drives {@link #onState}.
 *
 * <p>Threads: every method only reads volatile state or queues work on a range's thread (see
 * {@link RangeReplica}); none blocks but {@link #close}.
 */
public final class ReplicaManager implements PeerListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaManager.class);

    private final ReplicationContext ctx;
    private final Map<Integer, RangeReplica> replicas;

    public ReplicaManager(ReplicationContext ctx) {
        this.ctx = ctx;
        Map<Integer, RangeReplica> mine = new TreeMap<>();
        for (int r = 0; r < ctx.ring().brokers(); r++) {
            if (ctx.ring().replicaSet(r).contains(ctx.self())) {
                mine.put(r, new RangeReplica(ctx, r));
            }
        }
        this.replicas = Map.copyOf(mine);
    }

    /** Serves the replication frames of the peers. */
    public void register(ClusterDispatcher dispatcher) {
        dispatcher.register(RequestType.REPLICATE, Replicate.class, (peer, r, reply) -> {
            RangeReplica replica = replicas.get(r.range());
            if (replica == null) {
                reply.reply(FollowerRole.ack(r, AckStatus.NOT_FOLLOWING, 0));
            } else {
                replica.execute(() -> replica.onReplicate(peer, r, reply));
            }
        });
        dispatcher.register(RequestType.FETCH, Fetch.class, (peer, f, reply) -> {
            RangeReplica replica = replicas.get(f.range());
            if (replica == null) {
                reply.reply(new FetchReply(f.requestId(), f.range(), f.version(), ReplyStatus.NOT_LEADER, List.of(), List.of()));
            } else {
                replica.execute(() -> reply.reply(replica.onFetch(peer, f)));
            }
        });
        dispatcher.register(RequestType.FOLLOW, Follow.class, (peer, f, reply) -> {
            RangeReplica replica = replicas.get(f.range());
            if (replica == null) {
                reply.reply(new FollowReply(f.requestId(), f.range(), f.version(), ReplyStatus.NOT_LEADER));
            } else {
                replica.execute(() -> reply.reply(replica.onFollow(peer, f)));
            }
        });
    }

    /**
     * Starts the periodic work of every range: the roles' ticks every {@code tickMillis}, the log-end reports to
     * the controller every {@code reportMillis}.
     */
    public void start(long tickMillis, long reportMillis) {
        replicas.values().forEach(r -> r.scheduleTicks(tickMillis, reportMillis));
    }

    /** The ranges this broker holds a replica of. */
    public Set<Integer> ranges() {
        return replicas.keySet();
    }

    /** Applies a new cluster state: each range's generation (liveness is read where needed). */
    public void onState(ClusterState state) {
        for (RangeReplica r : replicas.values()) {
            Generation g = state.generation(r.range);
            r.execute(() -> r.onGeneration(g));
        }
    }

    // ------------------------------------------------------------------ any thread

    /** Whether this broker serves {@code partition} as the leader of its range's current generation. */
    public boolean serves(int partition) {
        RangeReplica r = replicas.get(ctx.ring().rangeOf(partition));
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

    /** The high watermark of a partition this broker holds; 0 for others (nothing may be read). */
    public long highWatermark(String topic, int partition) {
        RangeReplica r = replicas.get(ctx.ring().rangeOf(partition));
        return r == null ? 0 : r.highWatermark(topic, partition);
    }

    /**
     * Appends a producer's chunk through replication: completes once durable on the ISR (a majority), fails with
     * a 503 {@link io.runnel.broker.common.RunnelException} otherwise.
     */
    public CompletableFuture<AppendResult> append(TopicInfo topic, int partition, byte[] chunk) {
        RangeReplica r = replicas.get(ctx.ring().rangeOf(partition));
        if (r == null) {
            return CompletableFuture.failedFuture(Errors.NOT_LEADER.exception("this broker holds no replica of partition "
                    + partition + "; retry"));
        }
        return r.append(topic, partition, chunk);
    }

    /**
     * Starts handing every range this broker leads to an in-sync follower (a shutdown): see {@link HandOver}.
     *
     * @return per range, the new leader (-1 if this broker does not lead it), or a failure
     */
    public Map<Integer, CompletableFuture<Integer>> handOver(Duration drain) {
        Map<Integer, CompletableFuture<Integer>> moves = new TreeMap<>();
        replicas.forEach((range, r) -> moves.put(range, r.handOver(drain)));
        return moves;
    }

    // ------------------------------------------------------------------ peer channels (event loops)

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

    /** Stops every range; leaders' unanswered producers get 503. */
    @Override
    public void close() {
        replicas.values().forEach(RangeReplica::close);
    }
}
