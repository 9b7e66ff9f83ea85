package io.runnel.broker.bridge;

import java.util.concurrent.CompletableFuture;

/**
 * How an import bridge stores events in Runnel: the produce path, so a keyed write lands on its
 * partition's leader (forwarded there in a cluster) and completes only once it is acknowledged, that is
 * durable on a majority.
 */
@FunctionalInterface
public interface EventWriter {

    /**
     * Stores the events of {@code ndjson} (one JSON event per line, already validated) in {@code topic}
     * with {@code partitionKey} ({@code null}: any partition).
     */
    CompletableFuture<Void> write(String topic, String partitionKey, byte[] ndjson);
}
