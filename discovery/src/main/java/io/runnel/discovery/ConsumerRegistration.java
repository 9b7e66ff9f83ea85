package io.runnel.discovery;

import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * One consumer's membership of a consumer group, as held in the cluster metadata: every broker derives the
 * group's partition assignment from the same registrations.
 *
 * @param group      the group name
 * @param consumerId the consumer's id, unique in the cluster (a consumer is in at most one group)
 * @param topics     the subscribed topics, sorted and distinct
 * @param onNewGroup where the group starts in a partition without a committed offset (the wire name, e.g.
 *                   {@code startFromLatest}); opaque to the metadata
 * @param principal  the authenticated principal that registered it, or {@code null} (no authentication): only that
 *                   principal may register the same consumer id again, or poll and commit as it
 */
public record ConsumerRegistration(String group, String consumerId, List<String> topics, String onNewGroup,
                                   String principal) {

    /** A registration made without authentication. */
    public ConsumerRegistration(String group, String consumerId, List<String> topics, String onNewGroup) {
        this(group, consumerId, topics, onNewGroup, null);
    }

    public ConsumerRegistration {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(consumerId, "consumerId");
        Objects.requireNonNull(onNewGroup, "onNewGroup");
        topics = List.copyOf(new TreeSet<>(Objects.requireNonNull(topics, "topics")));
    }
}
