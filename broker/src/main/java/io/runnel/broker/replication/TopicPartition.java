package io.runnel.broker.replication;

import java.util.Objects;

/** A partition of a topic, by the topic's name (topic ids are local to each broker's store). */
record TopicPartition(String topic, int partition) {
    TopicPartition {
        Objects.requireNonNull(topic, "topic");
    }

    @Override
    public String toString() {
        return topic + "/" + partition;
    }
}
