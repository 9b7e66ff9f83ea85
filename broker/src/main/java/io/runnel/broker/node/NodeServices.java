package io.runnel.broker.node;

import io.runnel.broker.bridge.BridgeStatusSource;
import io.runnel.broker.consume.ConsumerService;
import io.runnel.broker.produce.ForwardedProducer;
import io.runnel.broker.replication.HighWatermarkListener;
import java.util.Objects;

/**
 * The services a {@link BrokerNode} calls once bound.
 *
 * @param watermark told whenever a partition this broker leads has a higher high watermark (long polls wake)
 * @param producer  stores the produce requests other brokers forward here
 * @param consumers answers other brokers' group polls, commits, lag and seek requests
 * @param bridges   answers other brokers' questions about the bridges this broker runs
 */
public record NodeServices(HighWatermarkListener watermark, ForwardedProducer producer, ConsumerService consumers,
                           BridgeStatusSource bridges) {
    public NodeServices {
        Objects.requireNonNull(watermark, "watermark");
        Objects.requireNonNull(producer, "producer");
        Objects.requireNonNull(consumers, "consumers");
        Objects.requireNonNull(bridges, "bridges");
    }
}
