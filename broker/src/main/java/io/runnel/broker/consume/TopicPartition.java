package io.runnel.broker.consume;

import java.util.Comparator;
import java.util.Objects;

/**
 * One partition of a topic by name, ordered by topic name then partition (ring order): the order in
 * which {@link PartitionAssignor} hands partitions out.
 */
public record TopicPartition(String topic, int partition) implements Comparable<TopicPartition> {
    private static final Comparator<TopicPartition> ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    public TopicPartition {
        Objects.requireNonNull(topic, "topic");
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be 0 or more, not " + partition);
        }
    }

    @Override
    public int compareTo(TopicPartition o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return topic + "/" + partition;
    }
}
