package io.runnel.broker.produce;

import java.util.concurrent.CompletableFuture;

/**
 * Stores a produce request another broker relayed here (this broker leads the key's partition, or takes a
 * keyless write): validated as an HTTP request would be, never forwarded again. {@link ProducerApi#produceForwarded}.
 */
@FunctionalInterface
public interface ForwardedProducer {

    /**
     * Completes once the events are durable (on a majority in a cluster), or fails with a
     * {@link io.runnel.broker.common.RunnelException} saying why (and whether they may be stored). Any thread;
     * never blocks.
     */
    CompletableFuture<ProduceService.Produced> produce(String topic, String partitionKey, BodyFormat format, byte[] body);
}
