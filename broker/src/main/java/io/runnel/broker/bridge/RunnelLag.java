package io.runnel.broker.bridge;

/** How far a Runnel consumer group is behind a topic: an export bridge's lag. */
@FunctionalInterface
public interface RunnelLag {

    /** Events of {@code topic} above {@code group}'s committed offsets (0 if the topic does not exist). */
    long lag(String group, String topic);
}
