package io.runnel.broker.produce;

import io.runnel.broker.common.Errors;
import io.runnel.storage.AppendResult;
import io.runnel.storage.TopicInfo;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the chunk bytes a broker has handed to its {@link PartitionAppender} and not yet seen acknowledged: the
 * storage writer's queue of appends and, in a cluster, the leader's map of chunks waiting for their followers
 * both hold only these. An append that would pass the bound fails at once with {@link Errors#OVERLOADED} (503,
 * {@code Retry-After}) and is not stored, so a slow disk or slow followers push back on producers instead of
 * growing the heap. Replica appends and offset commits do not pass through here: replication is never refused
 * for client load. Thread-safe, lock-free.
 */
public final class BoundedAppender implements PartitionAppender {
    private final PartitionAppender delegate;
    private final long maxPendingBytes;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    /** @param maxPendingBytes the most chunk bytes waiting at once; one chunk is always let through alone */
    public BoundedAppender(PartitionAppender delegate, long maxPendingBytes) {
        if (maxPendingBytes <= 0) {
            throw new IllegalArgumentException("maxPendingBytes must be positive, not " + maxPendingBytes);
        }
        this.delegate = delegate;
        this.maxPendingBytes = maxPendingBytes;
    }

    @Override
    public CompletableFuture<AppendResult> append(TopicInfo topic, int partition, byte[] chunk) {
        long bytes = chunk.length;
        while (true) {
            long now = pending.get();
            if (now > 0 && now + bytes > maxPendingBytes) {
                refused.incrementAndGet();
                return CompletableFuture.failedFuture(Errors.OVERLOADED.exception("the broker has " + now
                        + " bytes of writes waiting for the disk or for replicas (max-pending-mb is " + maxPendingBytes
                        + " bytes); this one was not stored; retry shortly"));
            }
            if (pending.compareAndSet(now, now + bytes)) {
                break;
            }
        }
        CompletableFuture<AppendResult> appended;
        try {
            appended = delegate.append(topic, partition, chunk);
        } catch (RuntimeException e) {
            pending.addAndGet(-bytes);
            throw e;
        }
        appended.whenComplete((r, e) -> pending.addAndGet(-bytes));
        return appended;
    }

    /** Chunk bytes waiting now. */
    public long pendingBytes() {
        return pending.get();
    }

    public long maxPendingBytes() {
        return maxPendingBytes;
    }

    /** Appends refused so far. */
    public long refused() {
        return refused.get();
    }
}
