package io.runnel.broker;

import io.runnel.broker.common.Futures;
import io.runnel.broker.common.RunnelException;
import io.runnel.broker.common.Errors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runnel.broker.cluster.ClusterNode;
import io.runnel.broker.cluster.transport.ClusterMessage.Forward;
import io.runnel.broker.consumer.ConsumerService;
import io.runnel.broker.consumer.ConsumerService.SeekTarget;
import io.runnel.broker.consumer.OffsetCommit;
import io.runnel.broker.produce.RelayedReply;
import io.runnel.discovery.ClusterState;
import io.runnel.discovery.Generation;
import io.runnel.discovery.TokenRing;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A group seek ({@code POST /v1/groups/{group}/seek} on any broker): each affected partition's leader
 * resolves the target offset and writes it as the group's committed offset through the replicated
 * offsets path (backwards allowed), and resets the owning consumer's position. Partitions led elsewhere
 * go to their leader in a {@code Forward} frame with {@link ClusterNode#SEEK_CONTENT_TYPE}.
 */
final class GroupSeek {
    private static final Logger log = LoggerFactory.getLogger(GroupSeek.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConsumerService consumers;
    private final ClusterNode node;
    private final TokenRing ring;

    /**
     * A seek request.
     *
     * @param partitions the partitions to move (every partition of the topic when it named none)
     */
    record Request(String group, String topic, SeekTarget target, List<Integer> partitions) {
    }

    /** @param node this broker's cluster side, or {@code null} for a single broker */
    GroupSeek(ConsumerService consumers, ClusterNode node, TokenRing ring) {
        this.consumers = consumers;
        this.node = node;
        this.ring = ring;
    }

    int partitionCount() {
        return ring.partitionCount();
    }

    /** Seeks every partition of the request at its leader; completes with the new offsets in partition order. */
    CompletableFuture<List<OffsetCommit>> seek(Request request) {
        if (node == null) {
            return local(request);
        }
        if (!node.ready()) {
            throw Errors.NOT_READY.exception("the cluster is still forming; retry");
        }
        ClusterState state = node.cluster().state();
        Map<Integer, List<Integer>> byLeader = new TreeMap<>();
        for (int p : request.partitions()) {
            Generation g = state.generation(ring.rangeOf(p));
            if (g == null) {
                throw Errors.NO_LEADER.exception("partition " + p + " has no leader yet; retry");
            }
            byLeader.computeIfAbsent(g.leader(), k -> new ArrayList<>()).add(p);
        }
        List<CompletableFuture<List<OffsetCommit>>> parts = new ArrayList<>();
        byLeader.forEach((leader, partitions) -> {
            Request part = new Request(request.group(), request.topic(), request.target(), partitions);
            parts.add(leader == node.ordinal() ? local(part) : remote(leader, part));
        });
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<OffsetCommit> all = new ArrayList<>();
            parts.forEach(f -> all.addAll(f.join()));
            all.sort(Comparator.comparingInt(OffsetCommit::partition));
            return all;
        });
    }

    private CompletableFuture<List<OffsetCommit>> local(Request r) {
        try {
            return consumers.seek(r.group(), r.topic(), r.target(), r.partitions())
                    .exceptionallyCompose(e -> CompletableFuture.failedFuture(toError(e)));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(toError(e));
        }
    }

    private CompletableFuture<List<OffsetCommit>> remote(int leader, Request r) {
        return node.forward(leader, r.topic(), null, ClusterNode.SEEK_CONTENT_TYPE, encode(r)).thenApply(reply -> {
            JsonNode body;
            try {
                body = JSON.readTree(reply.json());
            } catch (IOException e) {
                throw Errors.INTERNAL_ERROR.exception("broker " + leader + " answered a seek with unreadable JSON");
            }
            if (reply.status() != 200) {
                throw Errors.BAD_SEEK.exception(body.path("message").asText("the seek failed at broker " + leader));
            }
            List<OffsetCommit> out = new ArrayList<>();
            for (JsonNode p : body.path("partitions")) {
                out.add(new OffsetCommit(r.group(), r.topic(), p.path("partition").asInt(), p.path("offset").asLong(), true));
            }
            return out;
        });
    }

    /** A seek another broker forwarded: the partitions this broker leads. */
    CompletableFuture<RelayedReply> onForwarded(Forward f) {
        Request r;
        try {
            r = decode(f.body());
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.completedFuture(relay(Errors.BAD_SEEK.exception("unreadable forwarded seek: " + e)));
        }
        return local(r).handle((commits, e) -> {
            if (e != null) {
                return relay(toError(e));
            }
            ObjectNode out = JSON.createObjectNode();
            ArrayNode ps = out.putArray("partitions");
            commits.forEach(c -> ps.addObject().put("partition", c.partition()).put("offset", c.offset()));
            try {
                return new RelayedReply(200, 0, JSON.writeValueAsBytes(out));
            } catch (IOException ex) {
                return relay(Errors.INTERNAL_ERROR.exception("cannot encode the seek answer"));
            }
        });
    }

    private static RelayedReply relay(RunnelException e) {
        ObjectNode out = JSON.createObjectNode().put("error", e.error().kind()).put("message", e.getMessage());
        try {
            return new RelayedReply(e.error().httpStatus(), e.retryAfterSeconds(), JSON.writeValueAsBytes(out));
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    static RunnelException toError(Throwable error) {
        Throwable cause = Futures.unwrap(error);
        return switch (cause) {
            case RunnelException e -> e;
            case NoSuchElementException e -> Errors.NOT_FOUND.exception(e.getMessage());
            case IllegalArgumentException e -> Errors.BAD_QUERY.exception(e.getMessage());
            case IllegalStateException e -> Errors.SHUTTING_DOWN.exception("the broker is shutting down; retry");
            default -> {
                log.error("seek failed", cause);
                yield Errors.INTERNAL_ERROR.exception("the seek failed; see the broker's log");
            }
        };
    }

    private static byte[] encode(Request r) {
        ObjectNode n = JSON.createObjectNode().put("group", r.group()).put("topic", r.topic());
        switch (r.target()) {
            case SeekTarget.Earliest e -> n.put("to", "earliest");
            case SeekTarget.Latest l -> n.put("to", "latest");
            case SeekTarget.Timestamp t -> n.put("to", "timestamp").put("timestamp", t.millis());
            case SeekTarget.Offset o -> n.put("to", "offset").put("offset", o.offset());
        }
        ArrayNode ps = n.putArray("partitions");
        r.partitions().forEach(ps::add);
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Request decode(byte[] body) throws IOException {
        JsonNode n = JSON.readTree(body);
        SeekTarget target = switch (n.path("to").asText()) {
            case "earliest" -> new SeekTarget.Earliest();
            case "latest" -> new SeekTarget.Latest();
            case "timestamp" -> new SeekTarget.Timestamp(n.path("timestamp").asLong());
            case "offset" -> new SeekTarget.Offset(n.path("offset").asLong());
            default -> throw new IllegalArgumentException("unknown seek target " + n.path("to"));
        };
        List<Integer> partitions = new ArrayList<>();
        n.path("partitions").forEach(p -> partitions.add(p.asInt()));
        return new Request(n.path("group").asText(), n.path("topic").asText(), target, partitions);
    }
}
