package io.runnel.broker.consume;

import java.time.Instant;
import java.util.List;

/**
 * A read-only snapshot of one consumer group, for the admin API.
 *
 * @param group     the group's name
 * @param members   consumers in id order (empty when every member left)
 * @param committed committed positions in (topic, partition) order
 * @param lag       committed offset, high watermark and lag per partition: of the partitions this broker leads
 *                  in a broker's own view, of every partition once the admin API merged the other leaders'
 */
public record GroupView(String group, List<Member> members, List<CommittedOffset> committed, List<Lag> lag) {

    public GroupView {
        members = List.copyOf(members);
        committed = List.copyOf(committed);
        lag = List.copyOf(lag);
    }

    public GroupView(String group, List<Member> members, List<CommittedOffset> committed) {
        this(group, members, committed, List.of());
    }

    /**
     * How far the group is behind in a partition this broker leads (each broker answers for its own).
     *
     * @param highWatermark the end of what consumers may read
     * @param lag           {@code highWatermark - committed}, at least 0
     * @param leader        the broker that reported it (the partition's leader then)
     */
    public record Lag(String topic, int partition, long committed, long highWatermark, long lag, int leader) {
    }

    /**
     * One consumer of the group.
     *
     * @param consumerId  the id the client chose
     * @param topics      subscribed topics, sorted
     * @param onNewGroup  where it starts in partitions the group has no position for
     * @param lastSeen    last register, poll or commit, by the service's clock
     * @param assignment  its partitions with its read positions
     */
    public record Member(String consumerId, List<String> topics, StartPosition onNewGroup, Instant lastSeen,
                         List<Assigned> assignment) {
        public Member {
            topics = List.copyOf(topics);
            assignment = List.copyOf(assignment);
        }
    }

    /**
     * An assigned partition.
     *
     * @param position the next offset the consumer reads, or {@code -1} while the topic does not exist
     * @param served   whether this broker serves it (leads the partition)
     */
    public record Assigned(String topic, int partition, long position, boolean served) {
    }

    /** A committed position: the next offset the group reads in a partition. */
    public record CommittedOffset(String topic, int partition, long offset) {
    }
}
