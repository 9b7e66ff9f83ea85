package io.runnel.broker.bridge;

import io.runnel.broker.consume.ConsumerService;
import io.runnel.broker.consume.PartitionBatch;
import io.runnel.broker.consume.PollResult;
import io.runnel.broker.consume.RemoteGroups;
import io.runnel.broker.consume.StartPosition;
import io.runnel.discovery.Cluster;
import io.runnel.discovery.ClusterState;
import io.runnel.discovery.ConsumerRegistration;
import io.runnel.discovery.Generation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/*
 * Reads a bridge's group the way a seeds/003 consumer does: every broker serves the group's partitions it
 * leads, so the reader polls every current leader, this broker through its own ConsumerService and the
 * others through RemoteGroups (GroupPoll frames on the cluster channel: binary chunks, so partition keys
 * survive). On a single broker the only leader is this one.
 *
 * Polls to the leaders run concurrently; poll() returns as soon as one of them answered and keeps the
 * others outstanding for the next call, so an idle broker's long poll never delays another's data. A
 * broker's poll may commit what its previous poll returned, which is why commit() must follow every
 * batch, and why any failed poll ends the session: the reader cannot know what the failed broker
 * advanced, and only leaving the group (which drops every broker's uncommitted positions) is safe.
 *
 * Each session registers a new member id and first removes every other member of the group: the group
 * belongs to the bridge, and a member left behind by a session on a dead broker would otherwise hold
 * half the partitions until the consumer timeout. Its positions are dropped uncommitted, so nothing is
 * skipped; a session still running elsewhere (placement moving) gets "not registered" and ends.
 */

/** A {@link GroupReader} over the whole cluster: polls every partition leader (on a single broker, itself). */
public final class ConsumerGroupReader implements GroupReader {
    private static final AtomicLong SESSIONS = new AtomicLong();

    private final ConsumerService local;
    private final Cluster cluster;
    private final RemoteGroups remote;
    private final BridgeDefinition definition;
    private final String group;
    private final String consumerId;
    /** Broker → its poll not collected yet. Touched by the session's thread only (futures are awaited). */
    private final Map<Integer, CompletableFuture<PollResult>> outstanding = new TreeMap<>();
    /** Brokers whose collected data is not committed yet. */
    private final Set<Integer> uncommitted = new TreeSet<>();

    ConsumerGroupReader(ConsumerService local, Cluster cluster, RemoteGroups remote, BridgeDefinition definition) {
        this.local = local;
        this.cluster = cluster;
        this.remote = remote;
        this.definition = definition;
        this.group = definition.runnelGroup();
        // Unique across sessions and restarts: a new session never inherits positions of an old one.
        this.consumerId = group + "@" + cluster.ordinal() + "-" + Long.toString(System.currentTimeMillis(), 36) + "-"
                + SESSIONS.incrementAndGet();
    }

    /** Sessions that read {@code cluster}'s leaders: {@code local} serves this broker's share, {@code remote} the others'. */
    public static GroupReader.Factory factory(ConsumerService local, Cluster cluster, RemoteGroups remote) {
        return d -> new ConsumerGroupReader(local, cluster, remote, d);
    }

    /** This session's member id in the group. */
    String consumerId() {
        return consumerId;
    }

    @Override
    public CompletableFuture<Void> join() {
        List<CompletableFuture<Void>> removals = new ArrayList<>();
        for (ConsumerRegistration r : cluster.state().consumers().values()) {
            if (r.group().equals(group) && !r.consumerId().equals(consumerId)) {
                removals.add(cluster.removeConsumer(group, r.consumerId()));
            }
        }
        return CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new))
                .thenCompose(v -> local.register(consumerId, group, List.of(definition.topic()), StartPosition.EARLIEST));
    }

    @Override
    public CompletableFuture<PollResult> poll(long timeoutMillis) {
        for (int leader : leaders(cluster.state())) {
            if (!outstanding.containsKey(leader)) {
                outstanding.put(leader, leader == cluster.ordinal()
                        ? local.poll(consumerId, timeoutMillis, 0)
                        : remote.poll(leader, consumerId, timeoutMillis, 0));
            }
        }
        if (outstanding.isEmpty()) {
            return CompletableFuture.completedFuture(PollResult.EMPTY); // no leader known right now
        }
        return CompletableFuture.anyOf(outstanding.values().toArray(CompletableFuture[]::new))
                .thenApply(any -> collect());
    }

    /** Takes every answered poll out of {@link #outstanding}; throws the first failure. */
    private PollResult collect() {
        List<PartitionBatch> batches = new ArrayList<>();
        RuntimeException failure = null;
        var it = outstanding.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            CompletableFuture<PollResult> f = e.getValue();
            if (!f.isDone()) {
                continue;
            }
            it.remove();
            try {
                PollResult r = f.join();
                if (!r.isEmpty()) {
                    batches.addAll(r.batches());
                    uncommitted.add(e.getKey());
                }
            } catch (RuntimeException ex) {
                if (failure == null) {
                    failure = ex;
                }
            }
        }
        if (failure != null) {
            throw failure; // the session ends and leaves the group: see the header
        }
        return batches.isEmpty() ? PollResult.EMPTY : new PollResult(batches);
    }

    @Override
    public CompletableFuture<Void> commit() {
        List<CompletableFuture<Void>> commits = new ArrayList<>();
        for (int b : uncommitted) {
            commits.add(b == cluster.ordinal() ? local.commit(consumerId) : remote.commit(b, consumerId));
        }
        uncommitted.clear();
        return CompletableFuture.allOf(commits.toArray(CompletableFuture[]::new));
    }

    @Override
    public CompletableFuture<Void> leave() {
        outstanding.clear();
        uncommitted.clear();
        // Through the metadata, not the local service: every broker drops this member's positions uncommitted.
        return cluster.removeConsumer(group, consumerId);
    }

    /** The live brokers that lead a range now. */
    private static Set<Integer> leaders(ClusterState state) {
        Set<Integer> out = new TreeSet<>();
        for (Generation g : state.generations().values()) {
            if (state.live().contains(g.leader())) {
                out.add(g.leader());
            }
        }
        return out;
    }
}
