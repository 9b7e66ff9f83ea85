package io.runnel.broker.consume;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where a broker's consumer groups make their commits durable: the store of a single broker
 * ({@link LocalOffsetLog}), or in a cluster the replicated internal topic {@code __consumer_offsets}, through
 * which a leader commits only the partitions it leads.
 */
public interface OffsetLog {
    /**
     * Makes {@code commits} durable (on a majority of each partition's replicas in a cluster, then stored locally
     * too). In a cluster only for partitions this broker leads; otherwise fails with {@code not_leader}.
     */
    CompletableFuture<Void> commit(List<OffsetCommit> commits);
}
