package io.runnel.broker.consume;

import io.runnel.storage.LogStore;
import io.runnel.storage.OffsetKey;
import io.runnel.storage.TopicInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntPredicate;

/** Snapshots of groups for the admin API ({@link GroupView}). Runs on the group thread. */
final class GroupViews {
    private final GroupState state;
    private final LogStore store;
    private final IntPredicate leads;
    private final ReadLimit readLimit;
    private final int self;

    GroupViews(ConsumerContext ctx, GroupState state) {
        this.state = state;
        this.store = ctx.store();
        this.leads = ctx.leads();
        this.readLimit = ctx.readLimit();
        this.self = ctx.cluster().ordinal();
    }

    GroupView view(ConsumerGroup g) {
        List<GroupView.Member> ms = new ArrayList<>();
        for (GroupMember m : g.members.values()) {
            List<GroupView.Assigned> assigned = new ArrayList<>();
            for (TopicPartition tp : m.assigned) {
                assigned.add(new GroupView.Assigned(tp.topic(), tp.partition(), m.positions.getOrDefault(tp, -1L),
                        leads.test(tp.partition())));
            }
            ms.add(new GroupView.Member(m.id, m.topics, m.onNewGroup, Instant.ofEpochMilli(m.lastSeenMillis), assigned));
        }
        Map<Integer, String> names = new HashMap<>();
        for (TopicInfo t : store.topics()) {
            names.put(t.id(), t.name());
        }
        TreeMap<TopicPartition, Long> committed = new TreeMap<>();
        Map<OffsetKey, Long> all = new HashMap<>(store.committedOffsets(g.name));
        all.putAll(g.committed); // some may still be on their way to disk; a seek may have moved them back
        all.forEach((k, v) -> {
            String topic = names.get(k.topicId());
            if (topic != null) {
                committed.put(new TopicPartition(topic, k.partition()), v);
            }
        });
        List<GroupView.CommittedOffset> offsets = new ArrayList<>();
        List<GroupView.Lag> lags = new ArrayList<>();
        committed.forEach((tp, v) -> {
            offsets.add(new GroupView.CommittedOffset(tp.topic(), tp.partition(), v));
            Integer id = state.topicId(tp.topic());
            if (id != null && leads.test(tp.partition())) {
                long limit = readLimit.maxOffset(tp.topic(), tp.partition());
                long end = limit == Long.MAX_VALUE ? store.state(id, tp.partition()).logEndOffset() : limit;
                lags.add(new GroupView.Lag(tp.topic(), tp.partition(), v, end, Math.max(0, end - v), self));
            }
        });
        return new GroupView(g.name, ms, offsets, lags);
    }
}
