package io.runnel.broker.consume;

import io.runnel.broker.common.Errors;
import io.runnel.broker.consume.ConsumerService.SeekTarget;
import io.runnel.storage.LogStore;
import io.runnel.storage.OffsetKey;
import io.runnel.storage.PartitionState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Committed offsets of the groups: what is committed (cached per group over the store), commits of members'
 * positions (never backwards), start positions, seeks (the one way back), and the commits a follower learns
 * from the replicated log. Durability is the {@link OffsetLog}'s; in a cluster a broker commits only the
 * partitions it leads. Runs on the group thread.
 */
final class OffsetCommitter {
    private static final Logger log = LoggerFactory.getLogger(OffsetCommitter.class);

    private final GroupState state;
    private final GroupThread thread;
    private final LogStore store;
    private final OffsetLog offsetLog;
    private final IntPredicate leads;
    private final ReadLimit readLimit;

    OffsetCommitter(ConsumerContext ctx, GroupState state, GroupThread thread) {
        this.state = state;
        this.thread = thread;
        this.store = ctx.store();
        this.offsetLog = ctx.offsetLog();
        this.leads = ctx.leads();
        this.readLimit = ctx.readLimit();
    }

    /** The group's committed offset in a partition (from the store the first time), or {@code null}. */
    Long committed(ConsumerGroup g, OffsetKey key) {
        Long c = g.committed.get(key);
        if (c == null) {
            var stored = store.committedOffset(key);
            if (stored.isPresent()) {
                c = stored.getAsLong();
                g.committed.put(key, c);
            }
        }
        return c;
    }

    /** Commits the member's positions above what its group committed; completes when durable. */
    CompletableFuture<Void> commitPositions(GroupMember m) {
        ConsumerGroup g = state.groups.get(m.group);
        Map<OffsetKey, Long> batch = new HashMap<>();
        m.positions.forEach((tp, pos) -> {
            if (!leads.test(tp.partition())) {
                return; // its leader commits it (this broker did not serve it since it last led it)
            }
            OffsetKey key = new OffsetKey(g.name, state.topicId(tp.topic()), tp.partition());
            Long c = committed(g, key);
            if (c == null || pos > c) { // never backwards
                batch.put(key, pos);
                g.committed.put(key, pos);
            }
        });
        return forgetOnFailure(g, batch, write(batch, false));
    }

    /** A failed commit is not the group's committed offset: read it again from the store when needed. */
    private CompletableFuture<Void> forgetOnFailure(ConsumerGroup g, Map<OffsetKey, Long> batch, CompletableFuture<Void> write) {
        write.whenComplete((v, e) -> {
            if (e != null) {
                thread.execute(() -> batch.forEach((k, pos) -> g.committed.remove(k, pos)));
            }
        });
        return write;
    }

    /**
     * Commits start positions chosen for new partitions; completes once durable. A failure is logged (the positions
     * are chosen again the next time).
     */
    CompletableFuture<Void> commitInitial(Map<OffsetKey, Long> initial) {
        CompletableFuture<Void> write = write(initial, false);
        write.whenComplete((v, e) -> {
            if (e != null) {
                log.warn("could not commit start positions {}", initial, e);
            }
        });
        return write;
    }

    private CompletableFuture<Void> write(Map<OffsetKey, Long> batch, boolean seek) {
        if (batch.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        try {
            List<OffsetCommit> commits = new ArrayList<>(batch.size());
            batch.forEach((k, v) -> commits.add(new OffsetCommit(k.group(), state.topicName(k.topicId()), k.partition(), v, seek)));
            return offsetLog.commit(commits);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Commits this broker stored as a follower of the partitions' leader: they become the group's committed
     * offsets here (a later leadership starts from them).
     */
    void applyReplicated(List<OffsetCommit> commits) {
        for (OffsetCommit c : commits) {
            Integer id = state.topicId(c.topic());
            if (id == null) {
                continue; // read from the store when needed
            }
            // Known from now on, so that a later read of the store cannot race the write queued for it.
            ConsumerGroup g = state.groups.computeIfAbsent(c.group(), ConsumerGroup::new);
            g.committed.put(new OffsetKey(c.group(), id, c.partition()), c.offset());
            TopicPartition tp = new TopicPartition(c.topic(), c.partition());
            for (GroupMember m : g.members.values()) {
                if (m.positions.containsKey(tp) && (c.seek() || !leads.test(c.partition()))) {
                    m.positions.put(tp, c.offset());
                }
            }
        }
    }

    /**
     * Sets the group's committed offset in each of {@code partitions} of {@code topic} (backwards too), and the
     * read position of the member that owns it here; completes with the new offsets once durable.
     */
    CompletableFuture<List<OffsetCommit>> seek(String group, String topic, SeekTarget target, List<Integer> partitions) {
        Integer id = state.topicId(topic);
        if (id == null) {
            throw Errors.UNKNOWN_TOPIC.exception("no topic '" + topic + "'");
        }
        List<OffsetCommit> commits = new ArrayList<>();
        for (int p : partitions) {
            commits.add(new OffsetCommit(group, topic, p, seekOffset(id, topic, p, target), true));
        }
        ConsumerGroup g = state.groups.get(group);
        Map<OffsetKey, Long> batch = new HashMap<>();
        for (OffsetCommit c : commits) {
            OffsetKey key = new OffsetKey(group, id, c.partition());
            batch.put(key, c.offset());
            if (g != null) {
                g.committed.put(key, c.offset());
                TopicPartition tp = new TopicPartition(topic, c.partition());
                for (GroupMember m : g.members.values()) {
                    if (m.assigned.contains(tp)) {
                        m.positions.put(tp, c.offset()); // a read in flight is dropped: its position changed
                    }
                }
            }
        }
        log.info("group {}: seek of {} to {}: {}", group, topic, target, commits);
        return write(batch, true).thenApply(v -> commits);
    }

    private long seekOffset(int id, String topic, int p, SeekTarget target) {
        PartitionState st = store.state(id, p);
        long limit = readLimit.maxOffset(topic, p);
        long end = Math.min(st.logEndOffset(), Math.max(st.logStartOffset(), limit));
        return switch (target) {
            case SeekTarget.Earliest e -> st.logStartOffset();
            case SeekTarget.Latest l -> end;
            case SeekTarget.Timestamp t -> Math.min(end, Math.max(st.logStartOffset(), store.offsetForTimestamp(id, p, t.millis())));
            case SeekTarget.Offset o -> {
                if (o.offset() > end) {
                    throw Errors.BAD_QUERY.exception("offset " + o.offset() + " of partition " + p + " is beyond its end " + end);
                }
                yield Math.max(o.offset(), st.logStartOffset());
            }
        };
    }
}
