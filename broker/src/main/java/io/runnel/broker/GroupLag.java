package io.runnel.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runnel.broker.cluster.ClusterNode;
import io.runnel.broker.cluster.transport.ClusterMessage.Forward;
import io.runnel.broker.consumer.ConsumerService;
import io.runnel.broker.consumer.GroupView;
import io.runnel.broker.produce.RelayedReply;
import io.runnel.discovery.ClusterState;
import io.runnel.discovery.Generation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/groups/{group}} for the whole cluster: members, assignment and committed offsets are
 * known to every broker (registrations in the metadata, commits replicated), but a partition's high
 * watermark, and so the group's lag there, only to its leader. This broker asks every other leader for
 * the lag of the partitions it leads ({@code Forward} frames with {@link ClusterNode#GROUP_LAG_CONTENT_TYPE})
 * and merges the answers into its own view; leaders that do not answer in time are named in
 * {@link View#unanswered()} instead of failing the request.
 */
final class GroupLag {
    private static final Logger log = LoggerFactory.getLogger(GroupLag.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConsumerService consumers;
    private final ClusterNode node;

    /** The group with the lag of every partition whose leader answered. */
    record View(GroupView group, Set<Integer> unanswered) {
    }

    /** @param node this broker's cluster side, or {@code null} for a single broker (it leads everything) */
    GroupLag(ConsumerService consumers, ClusterNode node) {
        this.consumers = consumers;
        this.node = node;
    }

    /** The group as this broker knows it, with the other leaders' lag merged in; empty for an unknown group. */
    CompletableFuture<Optional<View>> view(String group) {
        CompletableFuture<Optional<GroupView>> local = consumers.group(group);
        if (node == null) {
            return local.thenApply(g -> g.map(v -> new View(v, Set.of())));
        }
        Map<Integer, CompletableFuture<List<GroupView.Lag>>> remote = new TreeMap<>();
        for (int leader : otherLeaders(node.cluster().state())) {
            remote.put(leader, ask(leader, group));
        }
        List<CompletableFuture<?>> all = new ArrayList<>(remote.values());
        all.add(local);
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((v, e) -> local.join().map(g -> {
            List<GroupView.Lag> lag = new ArrayList<>(g.lag());
            Set<Integer> unanswered = new TreeSet<>();
            remote.forEach((leader, f) -> {
                if (f.isCompletedExceptionally()) {
                    unanswered.add(leader);
                } else {
                    lag.addAll(f.join());
                }
            });
            lag.sort(Comparator.comparing(GroupView.Lag::topic).thenComparingInt(GroupView.Lag::partition));
            return new View(new GroupView(g.group(), g.members(), g.committed(), lag), unanswered);
        }));
    }

    private CompletableFuture<List<GroupView.Lag>> ask(int leader, String group) {
        byte[] body = JSON.createObjectNode().put("group", group).toString().getBytes(StandardCharsets.UTF_8);
        return node.forward(leader, group, null, ClusterNode.GROUP_LAG_CONTENT_TYPE, body).thenApply(reply -> {
            byte[] json = reply.okJson(leader);
            try {
                List<GroupView.Lag> out = new ArrayList<>();
                for (JsonNode p : JSON.readTree(json).path("partitions")) {
                    out.add(new GroupView.Lag(p.path("topic").asText(), p.path("partition").asInt(),
                            p.path("committed").asLong(), p.path("highWatermark").asLong(), p.path("lag").asLong(),
                            leader));
                }
                return out;
            } catch (IOException e) {
                throw new IllegalStateException("broker " + leader + " answered with unreadable JSON", e);
            }
        }).whenComplete((lags, e) -> {
            if (e != null) {
                log.debug("no group lag from broker {}: {}", leader, e.getMessage());
            }
        });
    }

    /** Another broker asks for the lag of the partitions this broker leads. */
    CompletableFuture<RelayedReply> onForwarded(Forward f) {
        String group;
        try {
            group = JSON.readTree(f.body()).path("group").asText();
        } catch (IOException e) {
            return CompletableFuture.completedFuture(new RelayedReply(400, 0,
                    "{\"error\":\"bad_request\",\"message\":\"unreadable group lag request\"}".getBytes(StandardCharsets.UTF_8)));
        }
        return consumers.group(group).thenApply(g -> {
            ObjectNode out = JSON.createObjectNode();
            ArrayNode ps = out.putArray("partitions");
            g.ifPresent(v -> v.lag().forEach(l -> ps.addObject().put("topic", l.topic()).put("partition", l.partition())
                    .put("committed", l.committed()).put("highWatermark", l.highWatermark()).put("lag", l.lag())));
            return new RelayedReply(200, 0, out.toString().getBytes(StandardCharsets.UTF_8));
        });
    }

    private Set<Integer> otherLeaders(ClusterState state) {
        Set<Integer> out = new TreeSet<>();
        for (Generation g : state.generations().values()) {
            if (g.leader() != node.ordinal() && state.live().contains(g.leader())) {
                out.add(g.leader());
            }
        }
        return out;
    }
}
