package io.runnel.broker.bridge;

import io.runnel.broker.consumer.ConsumerService;
import io.runnel.broker.produce.EventBodyParser;
import io.runnel.broker.produce.ProduceService;
import java.time.Clock;
import java.util.Objects;

/**
 * The parts of the broker a bridge works with, in-process: export bridges read through the consumer
 * groups, import bridges write through the produce path (so partitioning by key, group commit and
 * long-poll wake-ups work exactly as for HTTP clients).
 *
 * @param consumers the consumer groups (export reads)
 * @param produce   the write path (import writes)
 * @param parser    validates imported values as JSON events
 * @param lag       export lag
 * @param clock     time of {@code lastErrorAt}
 */
public record BridgeServices(ConsumerService consumers, ProduceService produce, EventBodyParser parser, RunnelLag lag,
        Clock clock) {
    public BridgeServices {
        Objects.requireNonNull(consumers, "consumers");
        Objects.requireNonNull(produce, "produce");
        Objects.requireNonNull(parser, "parser");
        Objects.requireNonNull(lag, "lag");
        Objects.requireNonNull(clock, "clock");
    }
}
