package io.runnel.broker.cluster;

import io.runnel.broker.cluster.transport.ClusterDispatcher;
import io.runnel.broker.cluster.transport.ClusterMessage.ProduceReply;
import io.runnel.broker.cluster.transport.ClusterMessage.ProduceRequest;
import io.runnel.broker.cluster.transport.PeerChannel;
import io.runnel.broker.cluster.transport.RequestType;
import io.runnel.broker.cluster.transport.Rpc;
import io.runnel.broker.common.Errors;
import io.runnel.broker.common.Futures;
import io.runnel.broker.common.RunnelException;
import io.runnel.broker.produce.BodyFormat;
import io.runnel.broker.produce.ForwardedProducer;
import io.runnel.broker.produce.ProduceRouter;
import io.runnel.broker.produce.ProduceService.Produced;
import io.runnel.broker.replication.ReplicaManager;
import io.runnel.discovery.Cluster;
import io.runnel.discovery.ClusterState;
import io.runnel.discovery.Generation;
import io.runnel.discovery.TokenRing;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Produce routing in a cluster (docs/replication.md, "Write path"): a keyed write goes to its partition's
 * leader, a keyless one stays here while this broker leads a partition, else goes to any leader (round robin).
 * Both halves of the relay: {@link #forward} sends a {@link ProduceRequest}, and {@link #serve} answers the
 * ones other brokers send here through the local producer.
 */
final class ProduceForwarder implements ProduceRouter {
    /**
     * Slack on top of the leader's own pending timeout: a forwarded write is answered by the leader
     * within its pending timeout, so waiting longer only hides a lost answer from the producer.
     */
    private static final Duration FORWARD_SLACK = Duration.ofSeconds(2);

    private final int self;
    private final Cluster cluster;
    private final TokenRing ring;
    private final Peers peers;
    private final ReplicaManager replicas;
    private final Duration timeout;
    private final AtomicInteger nextLeader = new AtomicInteger();

    ProduceForwarder(ClusterSettings settings, Cluster cluster, Peers peers, ReplicaManager replicas) {
        this.self = settings.ordinal();
        this.cluster = cluster;
        this.ring = cluster.ring();
        this.peers = peers;
        this.replicas = replicas;
        this.timeout = settings.pendingTimeout().plus(FORWARD_SLACK);
    }

    @Override
    public Route route(String partitionKey) {
        if (!cluster.ready()) {
            return new Route.Unavailable(Errors.NOT_READY, "the cluster is still forming (no generation for every range yet); retry");
        }
        ClusterState state = cluster.state();
        if (partitionKey != null) {
            int partition = ring.partitionOf(partitionKey);
            Generation g = state.generation(ring.rangeOf(partition));
            if (g == null) {
                return new Route.Unavailable(Errors.NO_LEADER, "partition " + partition + " has no leader yet; retry");
            }
            if (g.leader() == self) {
                return Route.LOCAL;
            }
            if (!state.live().contains(g.leader()) || !peers.connected(g.leader())) {
                return new Route.Unavailable(Errors.LEADER_UNAVAILABLE, "the leader of partition " + partition + " (broker "
                        + g.leader() + ") cannot be reached; retry shortly");
            }
            return new Route.Forward(g.leader());
        }
        if (replicas.ledPartitions().length > 0) {
            return Route.LOCAL;
        }
        List<Integer> leaders = state.generations().values().stream().map(Generation::leader)
                .filter(l -> l != self && state.live().contains(l) && peers.connected(l)).distinct().sorted().toList();
        if (leaders.isEmpty()) {
            return new Route.Unavailable(Errors.NO_LEADER, "no broker leads a partition right now; retry shortly");
        }
        return new Route.Forward(leaders.get(Math.floorMod(nextLeader.getAndIncrement(), leaders.size())));
    }

    @Override
    public CompletableFuture<Produced> forward(int broker, String topic, String partitionKey, BodyFormat format,
                                               byte[] body) {
        PeerChannel peer = peers.get(broker);
        if (peer == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no broker " + broker));
        }
        boolean ndjson = format == BodyFormat.NDJSON;
        return Rpc.call(peer, id -> new ProduceRequest(id, topic, partitionKey, ndjson, body), ProduceReply.class, timeout)
                .handle((reply, e) -> {
                    if (e == null) {
                        return new Produced(topic, reply.partition(), reply.offset(), reply.count());
                    }
                    Throwable cause = Futures.unwrap(e);
                    if (cause instanceof RunnelException r) {
                        throw r; // the leader's own answer
                    }
                    String why = cause instanceof TimeoutException ? cause.getMessage() : cause.toString();
                    throw Errors.LEADER_UNREACHABLE.exception("the partition's leader (broker " + broker
                            + ") did not answer: " + why + "; the events may or may not be stored; retry");
                });
    }

    /** Answers the produce requests other brokers forward here with {@code producer}. */
    void serve(ClusterDispatcher dispatcher, ForwardedProducer producer) {
        dispatcher.register(RequestType.PRODUCE, ProduceRequest.class, (peer, request, reply) -> {
            BodyFormat format = request.ndjson() ? BodyFormat.NDJSON : BodyFormat.JSON;
            producer.produce(request.topic(), request.partitionKey(), format, request.body()).whenComplete((p, e) ->
                    reply.reply(e == null
                            ? new ProduceReply(request.requestId(), p.partition(), p.offset(), p.count())
                            : ClusterDispatcher.error(request.requestId(), e)));
        });
    }
}
