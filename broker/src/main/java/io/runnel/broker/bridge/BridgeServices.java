package io.runnel.broker.bridge;

import io.runnel.broker.produce.EventBodyParser;
import java.time.Clock;
import java.util.Objects;

/**
 * The parts of the broker a bridge works with, in-process: export bridges read through the consumer
 * groups, import bridges write through the produce path (so partitioning by key, group commit,
 * forwarding to leaders and long-poll wake-ups work exactly as for HTTP clients).
 *
 * @param readers   how exports read their consumer group (this broker's groups, or the cluster's)
 * @param writer    the write path (import writes)
 * @param parser    validates imported values as JSON events
 * @param lag       export lag
 * @param clock     time of {@code lastErrorAt}
 */
public record BridgeServices(GroupReader.Factory readers, EventWriter writer, EventBodyParser parser, RunnelLag lag,
        Clock clock) {
    public BridgeServices {
        Objects.requireNonNull(readers, "readers");
        Objects.requireNonNull(writer, "writer");
        Objects.requireNonNull(parser, "parser");
        Objects.requireNonNull(lag, "lag");
        Objects.requireNonNull(clock, "clock");
    }
}
