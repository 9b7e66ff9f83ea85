package io.runnel.broker.replication;

import io.runnel.broker.cluster.transport.ClusterMessage.Fetch;
import io.runnel.broker.cluster.transport.ClusterMessage.FetchPartition;
import io.runnel.broker.cluster.transport.ClusterMessage.TruncationPoint;
import io.runnel.storage.TopicInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Where each partition of a follower joining a generation must end (KIP-279), from the leader's history. */
final class TruncationPoints {
    private TruncationPoints() {
    }

    /**
     * One point per partition the follower listed, plus one for each partition it lacks whose log here no longer
     * starts at 0 (it must start where retention left this log). Reads the store; on the range's thread.
     *
     * @param rangePartitions the partitions of the range
     * @param leading         this leader's partitions (their durable end caps a point)
     */
    static List<TruncationPoint> of(ReplicationContext ctx, List<Integer> rangePartitions,
                                    Map<TopicPartition, LeaderPartition> leading, Fetch fetch) {
        List<TruncationPoint> points = new ArrayList<>(fetch.partitions().size());
        Set<TopicPartition> listed = new HashSet<>();
        for (FetchPartition fp : fetch.partitions()) {
            listed.add(new TopicPartition(fp.topic(), fp.partition()));
            Optional<TopicInfo> topic = ctx.topics().find(fp.topic());
            if (topic.isEmpty()) {
                points.add(new TruncationPoint(fp.topic(), fp.partition(), 0, 0, 0));
                continue;
            }
            int id = topic.get().id();
            int floor = ctx.store().floorGeneration(id, fp.partition(), fp.lastVersion());
            long end = ctx.store().endOffsetForGeneration(id, fp.partition(), floor);
            LeaderPartition lp = leading.get(new TopicPartition(fp.topic(), fp.partition()));
            if (lp != null) {
                end = Math.min(end, lp.localEnd);
            }
            points.add(new TruncationPoint(fp.topic(), fp.partition(), floor, end,
                    ctx.store().state(id, fp.partition()).logStartOffset()));
        }
        for (TopicInfo t : ctx.topics().all()) {
            for (int p : rangePartitions) {
                long start = ctx.store().state(t.id(), p).logStartOffset();
                if (start > 0 && !listed.contains(new TopicPartition(t.name(), p))) {
                    points.add(new TruncationPoint(t.name(), p, 0, 0, start));
                }
            }
        }
        return points;
    }
}
