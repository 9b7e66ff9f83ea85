package io.runnel.broker.consume;

import java.util.Objects;

/**
 * One committed position of a group in a partition: the next offset the group reads.
 *
 * @param seek whether it was set by an explicit seek (the only way a committed offset moves backwards)
 */
public record OffsetCommit(String group, String topic, int partition, long offset, boolean seek) {
    public OffsetCommit {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(topic, "topic");
        if (partition < 0 || offset < 0) {
            throw new IllegalArgumentException("partition and offset must be >= 0: " + partition + ", " + offset);
        }
    }
}
