package io.runnel.storage.rocksdb;

import io.runnel.storage.AppendResult;
import io.runnel.storage.OffsetKey;
import io.runnel.storage.OffsetListener;
import io.runnel.storage.TopicConfig;
import io.runnel.storage.TopicInfo;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/* What callers queue for the writer thread; each completes its future after its batch is durable. */
sealed interface WriteRequest {

    /** Bytes this request adds to a WriteBatch, to bound a batch by {@code maxBatchBytes}. */
    int sizeBytes();

    CompletableFuture<?> future();

    /** A leader's append: the writer assigns the offset, stamps it and tells {@code onAssigned}. */
    record Append(PartitionLog log, int generation, byte[] chunk, int count, OffsetListener onAssigned,
                  CompletableFuture<AppendResult> future) implements WriteRequest {
        @Override
        public int sizeBytes() {
            return chunk.length + Keys.LOG_KEY_SIZE;
        }
    }

    /**
     * A follower's append of a chunk stamped by the leader (header fields read and verified on the
     * caller's thread); written only if {@code baseOffset} is the log end at its turn.
     */
    record ReplicaAppend(PartitionLog log, byte[] chunk, long baseOffset, int generation, int count,
                         CompletableFuture<AppendResult> future) implements WriteRequest {
        @Override
        public int sizeBytes() {
            return chunk.length + Keys.LOG_KEY_SIZE;
        }
    }

    /** Records {@code generation} as starting at the log end. */
    record BeginGeneration(PartitionLog log, int generation, CompletableFuture<Void> future) implements WriteRequest {
        @Override
        public int sizeBytes() {
            return 64;
        }
    }

    /**
     * Removes the partition's chunks from {@code offset} (rounded down to a chunk base) on, or, with
     * {@code restart}, removes them all and starts the log again, empty, at {@code offset} (at or past
     * its end). The writer reads chunk boundaries from RocksDB to apply it, so it always starts a batch
     * of its own: everything queued before it is written by then.
     */
    record Truncate(PartitionLog log, long offset, boolean restart, CompletableFuture<Long> future)
            implements WriteRequest {
        @Override
        public int sizeBytes() {
            return 64;
        }
    }

    record CommitOffsets(Map<OffsetKey, Long> offsets, CompletableFuture<Void> future) implements WriteRequest {
        @Override
        public int sizeBytes() {
            return offsets.size() * 64;
        }
    }

    /**
     * Deletes every chunk of the partition below {@code newStart} (a chunk boundary), planned when
     * the log started at {@code plannedStart} after {@code plannedTruncations} truncations;
     * {@code removedBytes} is the size of those chunks.
     */
    record DeleteChunks(PartitionLog log, long plannedStart, long plannedTruncations, long newStart,
                        long removedBytes, CompletableFuture<Void> future) implements WriteRequest {
        @Override
        public int sizeBytes() {
            return 64;
        }
    }

    record CreateTopic(String name, TopicConfig config, CompletableFuture<TopicInfo> future) implements WriteRequest {
        @Override
        public int sizeBytes() {
            return 64 + name.length();
        }
    }

    /** Sent by close(): everything queued before it is written, then the writer stops. */
    record Stop(CompletableFuture<Void> future) implements WriteRequest {
        @Override
        public int sizeBytes() {
            return 0;
        }
    }
}
