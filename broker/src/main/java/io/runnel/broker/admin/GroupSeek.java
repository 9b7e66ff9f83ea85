package io.runnel.broker.admin;

import io.runnel.broker.common.Errors;
import io.runnel.broker.consume.ConsumerService;
import io.runnel.broker.consume.ConsumerService.SeekTarget;
import io.runnel.broker.consume.OffsetCommit;
import io.runnel.broker.consume.RemoteGroups;
import io.runnel.discovery.Cluster;
import io.runnel.discovery.ClusterState;
import io.runnel.discovery.Generation;
import io.runnel.discovery.TokenRing;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * A group seek ({@code POST /v1/groups/{group}/seek} on any broker): each affected partition's leader
 * resolves the target offset and writes it as the group's committed offset through the replicated
 * offsets path (backwards allowed), and resets the owning consumer's position. Partitions led elsewhere
 * go to their leader ({@link RemoteGroups#seek}).
 */
final class GroupSeek {
    private final ConsumerService consumers;
    private final Cluster cluster;
    private final RemoteGroups remote;
    private final TokenRing ring;

    /**
     * A seek request.
     *
     * @param partitions the partitions to move (every partition of the topic when it named none)
     */
    record Request(String group, String topic, SeekTarget target, List<Integer> partitions) {
    }

    GroupSeek(ConsumerService consumers, Cluster cluster, RemoteGroups remote) {
        this.consumers = consumers;
        this.cluster = cluster;
        this.remote = remote;
        this.ring = cluster.ring();
    }

    int partitionCount() {
        return ring.partitionCount();
    }

    /** Seeks every partition of the request at its leader; completes with the new offsets in partition order. */
    CompletableFuture<List<OffsetCommit>> seek(Request request) {
        if (!cluster.ready()) {
            throw Errors.NOT_READY.exception("the cluster is still forming; retry");
        }
        ClusterState state = cluster.state();
        Map<Integer, List<Integer>> byLeader = new TreeMap<>();
        for (int p : request.partitions()) {
            Generation g = state.generation(ring.rangeOf(p));
            if (g == null) {
                throw Errors.NO_LEADER.exception("partition " + p + " has no leader yet; retry");
            }
            byLeader.computeIfAbsent(g.leader(), k -> new ArrayList<>()).add(p);
        }
        List<CompletableFuture<List<OffsetCommit>>> parts = new ArrayList<>();
        byLeader.forEach((leader, partitions) -> parts.add(leader == cluster.ordinal()
                ? consumers.seek(request.group(), request.topic(), request.target(), partitions)
                : remote.seek(leader, request.group(), request.topic(), request.target(), partitions)));
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<OffsetCommit> all = new ArrayList<>();
            parts.forEach(f -> all.addAll(f.join()));
            all.sort(Comparator.comparingInt(OffsetCommit::partition));
            return all;
        });
    }
}
