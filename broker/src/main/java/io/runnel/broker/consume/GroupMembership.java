package io.runnel.broker.consume;

import java.util.HashSet;
import java.util.Set;
import io.runnel.broker.common.Errors;
import io.runnel.discovery.Rejection;
import io.runnel.discovery.MetadataRejectedException;
import java.util.Optional;
import io.runnel.broker.common.Futures;
import io.runnel.discovery.Cluster;
import io.runnel.discovery.ConsumerRegistration;
import io.runnel.storage.LogStore;
import io.runnel.storage.OffsetKey;
import io.runnel.storage.PartitionState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is in which group, and which partitions each member reads. Registrations live in the cluster metadata
 * (raft, or a single-node cluster), so every broker applies the same membership ({@link #reconcile}) and, with
 * {@link PartitionAssignor}, computes the same assignment. Silent members are reported to the cluster, which
 * removes the ones silent on every broker. Runs on the group thread, except {@link #register} and
 * {@link #leave}, which go through the metadata first.
 */
final class GroupMembership {
    private static final Logger log = LoggerFactory.getLogger(GroupMembership.class);

    private final GroupState state;
    private final GroupThread thread;
    private final OffsetCommitter offsets;
    private final Cluster cluster;
    private final LogStore store;
    private final int partitionCount;
    private final IntPredicate leads;
    private final ReadLimit readLimit;
    private final Clock clock;
    private final ConsumerConfig.Limits limits;
    private PollEngine polls;

    GroupMembership(ConsumerContext ctx, GroupState state, GroupThread thread, OffsetCommitter offsets) {
        this.state = state;
        this.thread = thread;
        this.offsets = offsets;
        this.cluster = ctx.cluster();
        this.store = ctx.store();
        this.partitionCount = ctx.ring().partitionCount();
        this.leads = ctx.leads();
        this.readLimit = ctx.readLimit();
        this.clock = ctx.clock();
        this.limits = ctx.config().limits();
    }

    /** The poll engine, whose parked polls a rebalance retries (set once, before use). */
    void attach(PollEngine engine) {
        this.polls = engine;
    }

    /**
     * Registers (or updates) a consumer cluster-wide; completes once this broker applied it, with its start
     * positions fixed. Any thread.
     */
    CompletableFuture<Void> register(String consumerId, String group, List<String> topics, StartPosition onNewGroup,
                                     String owner) {
        ConsumerRegistration existing = cluster.state().consumers().get(consumerId);
        if (existing != null && existing.principal() != null && !existing.principal().equals(owner)) {
            return CompletableFuture.failedFuture(notOwner(consumerId));
        }
        if (existing == null || !existing.group().equals(group)) {
            RuntimeException limit = overLimit(group);
            if (limit != null) {
                return CompletableFuture.failedFuture(limit);
            }
        }
        cluster.reportConsumerActivity(consumerId, 0);
        CompletableFuture<Void> done = new CompletableFuture<>();
        cluster.registerConsumer(new ConsumerRegistration(group, consumerId, topics, onNewGroup.wireName(), owner))
                .whenComplete((v, e) -> {
                    if (e != null) {
                        Throwable cause = Futures.unwrap(e);
                        // Two principals raced for one id: the metadata kept the first.
                        done.completeExceptionally(cause instanceof MetadataRejectedException r
                                && r.reason() == Rejection.NOT_OWNER ? notOwner(consumerId) : cause);
                        return;
                    }
                    thread.submit(done, () -> {
                        reconcile(cluster.state().consumers());
                        GroupMember m = state.members.get(consumerId);
                        if (m != null) {
                            m.lastSeenMillis = clock.millis();
                        }
                        done.complete(null);
                    });
                });
        return done;
    }

    /** The consumer's cluster-wide registration. Any thread. */
    Optional<ConsumerRegistration> registration(String consumerId) {
        return Optional.ofNullable(cluster.state().consumers().get(consumerId));
    }

    /**
     * The {@code limit_exceeded} for one more member of {@code group}, or {@code null} when it fits (soft limits:
     * registrations racing on other brokers may pass them by a few).
     */
    private RuntimeException overLimit(String group) {
        int members = 0;
        Set<String> groups = new HashSet<>();
        for (ConsumerRegistration r : cluster.state().consumers().values()) {
            groups.add(r.group());
            if (r.group().equals(group)) {
                members++;
            }
        }
        if (members >= limits.maxConsumersPerGroup()) {
            return Errors.LIMIT_EXCEEDED.exception("group '" + group + "' has " + members + " consumers"
                    + " (max-consumers-per-group); another cannot join it");
        }
        if (!groups.contains(group) && groups.size() >= limits.maxGroups()) {
            return Errors.LIMIT_EXCEEDED.exception("the cluster has " + groups.size() + " consumer groups (max-groups);"
                    + " group '" + group + "' cannot be created: join an existing group, or raise the limit");
        }
        return null;
    }

    private static RuntimeException notOwner(String consumerId) {
        return Errors.FORBIDDEN.exception("consumer '" + consumerId + "' was registered by another principal; "
                + "use a consumer id of your own");
    }

    /** Removes a consumer cluster-wide; completes once this broker applied the removal. Any thread. */
    CompletableFuture<Void> leave(String group, String id) {
        return cluster.removeConsumer(group, id).thenCompose(v -> thread.query(() -> {
            reconcile(cluster.state().consumers());
            return null;
        }));
    }

    /** The member, learning a registration made elsewhere that has not reached this broker's view yet. */
    GroupMember member(String id) {
        GroupMember m = state.members.get(id);
        if (m == null && cluster.state().consumers().containsKey(id)) {
            reconcile(cluster.state().consumers()); // registered elsewhere; its change has not reached us yet
        }
        return state.member(id);
    }

    /**
     * Makes the local members match the cluster's registrations: adds new ones, applies changed groups or
     * topics, removes those gone. A member first learnt here has no local sign of life (lastSeen 0) until it
     * contacts this broker.
     */
    void reconcile(Map<String, ConsumerRegistration> registered) {
        for (ConsumerRegistration r : registered.values()) {
            GroupMember m = state.members.get(r.consumerId());
            StartPosition start = StartPosition.parse(r.onNewGroup());
            if (m == null || !m.group.equals(r.group()) || !m.topics.equals(r.topics())) {
                long seen = m == null ? 0 : m.lastSeenMillis;
                apply(r.consumerId(), r.group(), r.topics(), start);
                state.members.get(r.consumerId()).lastSeenMillis = seen;
            } else {
                m.onNewGroup = start;
            }
        }
        for (GroupMember m : List.copyOf(state.members.values())) {
            ConsumerRegistration r = registered.get(m.id);
            if (r == null || !r.group().equals(m.group)) {
                remove(m, "left the group");
            }
        }
    }

    private void apply(String id, String groupName, List<String> topics, StartPosition onNewGroup) {
        long now = clock.millis();
        GroupMember m = state.members.get(id);
        if (m != null && m.group.equals(groupName)) {
            m.lastSeenMillis = now;
            m.onNewGroup = onNewGroup;
            if (!m.topics.equals(topics)) {
                m.topics = topics;
                rebalance(state.groups.get(groupName), "consumer " + id + " changed its topics to " + topics);
            }
            return;
        }
        if (m != null) {
            remove(m, "moved to group " + groupName);
        }
        m = new GroupMember(id, groupName, topics, onNewGroup, now);
        state.members.put(id, m);
        ConsumerGroup g = state.groups.computeIfAbsent(groupName, ConsumerGroup::new);
        g.members.put(id, m);
        rebalance(g, "consumer " + id + " joined");
    }

    private void remove(GroupMember m, String why) {
        state.members.remove(m.id);
        ConsumerGroup g = state.groups.get(m.group);
        g.members.remove(m.id);
        if (m.poll != null) {
            polls.finishNow(m.poll, PollResult.EMPTY);
        }
        m.assigned = List.of();
        m.positions = new HashMap<>();
        rebalance(g, "consumer " + m.id + " " + why);
    }

    /**
     * Reports how long each member has been silent on this broker; the cluster removes a consumer silent on
     * every broker for the consumer timeout, and its removal is applied here at once when the metadata already
     * shows it.
     */
    void sweep() {
        long now = clock.millis();
        for (GroupMember m : state.members.values()) {
            if (m.poll != null) {
                cluster.reportConsumerActivity(m.id, 0); // a consumer waiting in a long poll is alive
            } else if (m.lastSeenMillis > 0) {
                cluster.reportConsumerActivity(m.id, Math.max(0, now - m.lastSeenMillis));
            }
        }
        reconcile(cluster.state().consumers());
    }

    /**
     * Recomputes the group's assignment. Partitions a member keeps keep its position; new ones start
     * from the committed offset. Parked polls whose partitions changed are retried at once.
     */
    private void rebalance(ConsumerGroup g, String why) {
        g.generation++;
        TreeMap<String, List<String>> subscriptions = new TreeMap<>();
        g.members.forEach((id, m) -> subscriptions.put(id, m.topics));
        Map<String, List<TopicPartition>> assignment = PartitionAssignor.assign(subscriptions, partitionCount);
        Map<OffsetKey, Long> initial = new HashMap<>();
        List<PendingPoll> retry = new ArrayList<>();
        for (GroupMember m : g.members.values()) {
            List<TopicPartition> next = assignment.get(m.id);
            if (next.equals(m.assigned)) {
                continue;
            }
            Map<TopicPartition, Long> positions = new HashMap<>();
            for (TopicPartition tp : next) {
                Long kept = m.positions.get(tp);
                Long pos = kept != null ? kept : resolveStart(g, tp, m.onNewGroup, initial);
                if (pos != null) {
                    positions.put(tp, pos);
                }
            }
            m.assigned = next;
            m.positions = positions;
            if (m.poll != null && m.poll.parked()) {
                retry.add(m.poll);
            }
        }
        log.info("group {} generation {}: {}; {} members", g.name, g.generation, why, g.members.size());
        log.debug("group {} generation {} assignment {}", g.name, g.generation, assignment);
        offsets.commitInitial(initial);
        for (PendingPoll p : retry) {
            polls.retry(p);
        }
    }

    /**
     * The position a group starts at in a partition new to one of its members: the committed offset,
     * else (committing it now, into {@code initial}) the log start or end. {@code null} while the topic does
     * not exist, and in a cluster for a partition another broker leads (only the leader picks a start).
     */
    Long resolveStart(ConsumerGroup g, TopicPartition tp, StartPosition onNewGroup, Map<OffsetKey, Long> initial) {
        Integer topicId = state.topicId(tp.topic());
        if (topicId == null) {
            g.awaitingTopics.add(tp.topic());
            return null;
        }
        OffsetKey key = new OffsetKey(g.name, topicId, tp.partition());
        Long committed = offsets.committed(g, key);
        if (committed != null || !leads.test(tp.partition())) {
            return committed;
        }
        PartitionState st = store.state(topicId, tp.partition());
        boolean fromStart = onNewGroup == StartPosition.EARLIEST || g.awaitingTopics.contains(tp.topic());
        long end = Math.min(st.logEndOffset(), Math.max(st.logStartOffset(), readLimit.maxOffset(tp.topic(), tp.partition())));
        long pos = fromStart ? st.logStartOffset() : end;
        g.committed.put(key, pos);
        initial.put(key, pos);
        return pos;
    }
}
