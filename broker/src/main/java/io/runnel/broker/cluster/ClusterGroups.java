package io.runnel.broker.cluster;

import io.netty.buffer.ByteBufUtil;
import io.runnel.broker.cluster.transport.ClusterDispatcher;
import io.runnel.broker.cluster.transport.ClusterMessage;
import io.runnel.broker.cluster.transport.ClusterMessage.ClusterRequest;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupBatch;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupCommit;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupCommitReply;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupLagReply;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupLagRequest;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupPoll;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupPollReply;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupSeekReply;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupSeekRequest;
import io.runnel.broker.cluster.transport.ClusterMessage.PartitionLag;
import io.runnel.broker.cluster.transport.ClusterMessage.PartitionOffset;
import io.runnel.broker.cluster.transport.ClusterMessage.SeekKind;
import io.runnel.broker.cluster.transport.ClusterMessageEncoder;
import io.runnel.broker.cluster.transport.PeerChannel;
import io.runnel.broker.cluster.transport.RequestType;
import io.runnel.broker.cluster.transport.Rpc;
import io.runnel.broker.common.Errors;
import io.runnel.broker.common.Futures;
import io.runnel.broker.common.RunnelException;
import io.runnel.broker.consume.ConsumerService;
import io.runnel.broker.consume.ConsumerService.SeekTarget;
import io.runnel.broker.consume.GroupView;
import io.runnel.broker.consume.OffsetCommit;
import io.runnel.broker.consume.PartitionBatch;
import io.runnel.broker.consume.PollResult;
import io.runnel.broker.consume.RemoteGroups;
import io.runnel.storage.Chunk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer groups across the cluster, both halves: as {@link RemoteGroups} it asks another leader for a
 * consumer's poll or commit, a group's lag or a seek there, over typed requests; {@link #serve} answers the
 * same requests from this broker's {@link ConsumerService}. Stored chunks travel as they are (keys, timestamps,
 * CRCs), which the HTTP poll's JSON could not carry.
 */
final class ClusterGroups implements RemoteGroups {
    private static final Logger log = LoggerFactory.getLogger(ClusterGroups.class);
    /**
     * Slack on a remote poll's own timeout: the receiver answers within its wait, plus the time to read up to
     * max-poll-bytes and to move them over the channel.
     */
    private static final Duration GROUP_POLL_SLACK = Duration.ofSeconds(5);
    /** Slack on the leader's pending timeout for a commit or seek, which wait for a replicated append. */
    private static final Duration COMMIT_SLACK = Duration.ofSeconds(2);

    private final ClusterSettings settings;
    private final Peers peers;

    ClusterGroups(ClusterSettings settings, Peers peers) {
        this.settings = settings;
        this.peers = peers;
    }

    // ------------------------------------------------------------------ client

    @Override
    public CompletableFuture<PollResult> poll(int broker, String consumerId, long timeoutMs, int maxBytes) {
        PeerChannel peer = peer(broker, consumerId);
        long waitMs = Math.max(0, timeoutMs);
        // Chunk.wrap checks each chunk's CRC: not on the event loop that completes the request.
        return call(peer, id -> new GroupPoll(id, consumerId, waitMs, maxBytes), GroupPollReply.class,
                Duration.ofMillis(waitMs).plus(GROUP_POLL_SLACK))
                .thenApplyAsync(ClusterGroups::pollResult);
    }

    @Override
    public CompletableFuture<Void> commit(int broker, String consumerId) {
        PeerChannel peer = peer(broker, consumerId);
        return call(peer, id -> new GroupCommit(id, consumerId), GroupCommitReply.class, commitTimeout())
                .thenApply(r -> null);
    }

    @Override
    public CompletableFuture<List<GroupView.Lag>> lag(int broker, String group) {
        PeerChannel peer = peer(broker);
        return call(peer, id -> new GroupLagRequest(id, group), GroupLagReply.class, commitTimeout()).thenApply(reply -> {
            List<GroupView.Lag> out = new ArrayList<>(reply.partitions().size());
            for (PartitionLag p : reply.partitions()) {
                out.add(new GroupView.Lag(p.topic(), p.partition(), p.committed(), p.highWatermark(), p.lag(), broker));
            }
            return out;
        });
    }

    @Override
    public CompletableFuture<List<OffsetCommit>> seek(int broker, String group, String topic, SeekTarget target,
                                                      List<Integer> partitions) {
        PeerChannel peer = peer(broker);
        SeekKind kind = switch (target) {
            case SeekTarget.Earliest e -> SeekKind.EARLIEST;
            case SeekTarget.Latest l -> SeekKind.LATEST;
            case SeekTarget.Timestamp t -> SeekKind.TIMESTAMP;
            case SeekTarget.Offset o -> SeekKind.OFFSET;
        };
        long value = switch (target) {
            case SeekTarget.Timestamp t -> t.millis();
            case SeekTarget.Offset o -> o.offset();
            default -> 0;
        };
        return call(peer, id -> new GroupSeekRequest(id, group, topic, kind, value, partitions), GroupSeekReply.class,
                commitTimeout()).thenApply(reply -> {
                    List<OffsetCommit> out = new ArrayList<>(reply.partitions().size());
                    for (PartitionOffset p : reply.partitions()) {
                        out.add(new OffsetCommit(group, topic, p.partition(), p.offset(), true));
                    }
                    return out;
                });
    }

    private Duration commitTimeout() {
        return settings.pendingTimeout().plus(COMMIT_SLACK);
    }

    /** A typed call whose transport failures become {@code broker_unavailable}; the peer's own errors stay its own. */
    private static <R extends ClusterMessage> CompletableFuture<R> call(PeerChannel peer,
            LongFunction<? extends ClusterRequest> build, Class<R> reply, Duration timeout) {
        return Rpc.call(peer, build, reply, timeout).handle((r, e) -> {
            if (e == null) {
                return r;
            }
            Throwable cause = Futures.unwrap(e);
            if (cause instanceof RunnelException x) {
                throw x;
            }
            throw Errors.BROKER_UNAVAILABLE.exception("broker " + peer.peer() + " is unreachable: "
                    + (cause instanceof TimeoutException ? cause.getMessage() : cause.toString()));
        });
    }

    private PeerChannel peer(int broker) {
        if (broker == settings.ordinal()) {
            throw new IllegalArgumentException("broker " + broker + " is this broker: use its ConsumerService");
        }
        PeerChannel peer = peers.get(broker);
        if (peer == null) {
            throw new IllegalArgumentException("no broker " + broker + " in a cluster of " + settings.brokers());
        }
        return peer;
    }

    private PeerChannel peer(int broker, String consumerId) {
        PeerChannel peer = peer(broker);
        if (consumerId == null || consumerId.isBlank()) {
            throw new IllegalArgumentException("consumerId must not be empty");
        }
        if (ByteBufUtil.utf8Bytes(consumerId) > ClusterMessageEncoder.MAX_STRING_BYTES) {
            throw new IllegalArgumentException("consumerId is longer than a cluster frame string (32 KiB)");
        }
        return peer;
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

    // ------------------------------------------------------------------ server

    /** Answers the other brokers' group requests from {@code consumers}. */
    void serve(ClusterDispatcher dispatcher, ConsumerService consumers) {
        dispatcher.register(RequestType.GROUP_POLL, GroupPoll.class, (peer, p, reply) ->
                consumers.poll(p.consumerId(), p.timeoutMs(), p.maxBytes()).whenComplete((result, e) ->
                        reply.reply(e == null ? pollReply(p, result) : failed(p.requestId(), p.consumerId(), e))));
        dispatcher.register(RequestType.GROUP_COMMIT, GroupCommit.class, (peer, c, reply) ->
                consumers.commit(c.consumerId()).whenComplete((v, e) ->
                        reply.reply(e == null ? new GroupCommitReply(c.requestId()) : failed(c.requestId(), c.consumerId(), e))));
        dispatcher.register(RequestType.GROUP_LAG, GroupLagRequest.class, (peer, r, reply) ->
                consumers.group(r.group()).whenComplete((g, e) -> {
                    if (e != null) {
                        reply.reply(ClusterDispatcher.error(r.requestId(), e));
                        return;
                    }
                    List<PartitionLag> lags = new ArrayList<>();
                    g.ifPresent(v -> v.lag().forEach(l -> lags.add(new PartitionLag(l.topic(), l.partition(), l.committed(),
                            l.highWatermark(), l.lag()))));
                    reply.reply(new GroupLagReply(r.requestId(), lags));
                }));
        dispatcher.register(RequestType.GROUP_SEEK, GroupSeekRequest.class, (peer, r, reply) -> {
            SeekTarget target = switch (r.kind()) {
                case EARLIEST -> new SeekTarget.Earliest();
                case LATEST -> new SeekTarget.Latest();
                case TIMESTAMP -> new SeekTarget.Timestamp(r.value());
                case OFFSET -> new SeekTarget.Offset(r.value());
            };
            consumers.seek(r.group(), r.topic(), target, r.partitions()).whenComplete((commits, e) -> {
                if (e != null) {
                    reply.reply(ClusterDispatcher.error(r.requestId(), e));
                    return;
                }
                List<PartitionOffset> out = new ArrayList<>(commits.size());
                commits.forEach(c -> out.add(new PartitionOffset(c.partition(), c.offset())));
                reply.reply(new GroupSeekReply(r.requestId(), out));
            });
        });
    }

    private static ClusterMessage failed(long requestId, String consumerId, Throwable e) {
        if (Errors.forException(e) != Errors.NOT_REGISTERED) {
            log.warn("a group request of consumer {} from another broker failed: {}", consumerId, Futures.unwrap(e).toString());
        }
        return ClusterDispatcher.error(requestId, e);
    }

    private ClusterMessage pollReply(GroupPoll p, PollResult result) {
        List<GroupBatch> batches = new ArrayList<>(result.batches().size());
        for (PartitionBatch b : result.batches()) {
            List<byte[]> chunks = new ArrayList<>(b.chunks().size());
            for (Chunk c : b.chunks()) {
                chunks.add(c.bytes()); // the stored array itself: the encoder copies it into the frame
            }
            batches.add(new GroupBatch(b.topic(), b.partition(), b.token(), b.rangeIndex(), b.version(), b.startOffset(),
                    b.nextOffset(), chunks));
        }
        GroupPollReply reply = new GroupPollReply(p.requestId(), batches);
        long bytes = ClusterMessageEncoder.bodyLength(reply);
        if (bytes > settings.maxFrameBytes()) {
            // Sending it would make the peer close the connection (and fail everything else in flight on it).
            log.warn("the poll answer for consumer {} is {} bytes, above the cluster frame limit of {}; answered with an error",
                    p.consumerId(), bytes, settings.maxFrameBytes());
            return ClusterDispatcher.error(p.requestId(), Errors.BAD_QUERY.exception("the poll answer of " + bytes
                    + " bytes is larger than the cluster frame limit of " + settings.maxFrameBytes()
                    + " bytes; poll with a smaller maxBytes"));
        }
        return reply;
    }
}
