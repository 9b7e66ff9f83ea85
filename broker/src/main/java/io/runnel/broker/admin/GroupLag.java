package io.runnel.broker.admin;

import io.runnel.broker.consume.ConsumerService;
import io.runnel.broker.consume.GroupView;
import io.runnel.broker.consume.RemoteGroups;
import io.runnel.discovery.Cluster;
import io.runnel.discovery.ClusterState;
import io.runnel.discovery.Generation;
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
 * the lag of the partitions it leads ({@link RemoteGroups#lag}) and merges the answers into its own view;
 * leaders that do not answer in time are named in {@link View#unanswered()} instead of failing the request.
 * On a single broker there is no other leader.
 */
final class GroupLag {
    private static final Logger log = LoggerFactory.getLogger(GroupLag.class);

    private final ConsumerService consumers;
    private final Cluster cluster;
    private final RemoteGroups remote;

    /** The group with the lag of every partition whose leader answered. */
    record View(GroupView group, Set<Integer> unanswered) {
    }

    GroupLag(ConsumerService consumers, Cluster cluster, RemoteGroups remote) {
        this.consumers = consumers;
        this.cluster = cluster;
        this.remote = remote;
    }

    /** The group as this broker knows it, with the other leaders' lag merged in; empty for an unknown group. */
    CompletableFuture<Optional<View>> view(String group) {
        CompletableFuture<Optional<GroupView>> local = consumers.group(group);
        Map<Integer, CompletableFuture<List<GroupView.Lag>>> others = new TreeMap<>();
        for (int leader : otherLeaders(cluster.state())) {
            others.put(leader, remote.lag(leader, group).whenComplete((lags, e) -> {
                if (e != null) {
                    log.debug("no group lag from broker {}: {}", leader, e.getMessage());
                }
            }));
        }
        List<CompletableFuture<?>> all = new ArrayList<>(others.values());
        all.add(local);
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((v, e) -> local.join().map(g -> {
            List<GroupView.Lag> lag = new ArrayList<>(g.lag());
            Set<Integer> unanswered = new TreeSet<>();
            others.forEach((leader, f) -> {
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

    private Set<Integer> otherLeaders(ClusterState state) {
        Set<Integer> out = new TreeSet<>();
        for (Generation g : state.generations().values()) {
            if (g.leader() != cluster.ordinal() && state.live().contains(g.leader())) {
                out.add(g.leader());
            }
        }
        return out;
    }
}
