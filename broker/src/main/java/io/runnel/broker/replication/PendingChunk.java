package io.runnel.broker.replication;

import io.runnel.storage.AppendResult;
import java.util.concurrent.CompletableFuture;

/**
 * A chunk the leader stamped in this generation whose producer has not been answered yet: it waits
 * for the partition's high watermark to pass {@link #next}. It also keeps the chunk's bytes, so a
 * follower that needs it again is served from memory while the leader's own write may still be
 * syncing. Owned by the range's thread.
 */
final class PendingChunk {
    final long base;
    final long next;
    final int count;
    final byte[] chunk;
    final long assignedNanos;
    final CompletableFuture<AppendResult> acked;

    PendingChunk(long base, int count, byte[] chunk, long assignedNanos, CompletableFuture<AppendResult> acked) {
        this.base = base;
        this.count = count;
        this.next = base + count;
        this.chunk = chunk;
        this.assignedNanos = assignedNanos;
        this.acked = acked;
    }
}
