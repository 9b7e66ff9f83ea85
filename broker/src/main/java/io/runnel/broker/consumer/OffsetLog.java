package io.runnel.broker.consumer;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where a clustered broker's consumer groups make their commits durable: the replicated internal topic
 * {@code __consumer_offsets} (see {@code io.runnel.broker.cluster.OffsetTopic}). A single broker has none
 * and commits straight into its store.
 */
public interface OffsetLog {
    /**
     * Makes {@code commits} durable on a majority of each partition's replicas, then stores them
     * locally. Only for partitions this broker leads; otherwise fails with a 503
     * {@link io.runnel.broker.common.RunnelException}.
     */
    CompletableFuture<Void> commit(List<OffsetCommit> commits);
}
