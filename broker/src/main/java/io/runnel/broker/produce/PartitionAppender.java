package io.runnel.broker.produce;

import io.runnel.storage.AppendResult;
import io.runnel.storage.TopicInfo;
import java.util.concurrent.CompletableFuture;

/**
 * Stores a chunk in a partition: straight into the store on a single broker, through replication in a
 * cluster (the future then completes once the chunk is durable on a majority).
 */
@FunctionalInterface
public interface PartitionAppender {
    CompletableFuture<AppendResult> append(TopicInfo topic, int partition, byte[] chunk);
}
