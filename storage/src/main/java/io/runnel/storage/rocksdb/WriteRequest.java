package io.runnel.storage.rocksdb;

import io.runnel.storage.AppendResult;
import io.runnel.storage.OffsetKey;
import io.runnel.storage.TopicConfig;
import io.runnel.storage.TopicInfo;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/* What callers queue for the writer thread; each completes its future after its batch is durable. */
sealed interface WriteRequest {

    /** Bytes this request adds to a WriteBatch, to bound a batch by {@code maxBatchBytes}. */
    int sizeBytes();

    CompletableFuture<?> future();

    record Append(PartitionLog log, int generation, byte[] chunk, int count,
                  CompletableFuture<AppendResult> future) implements WriteRequest {
        @Override
        public int sizeBytes() {
            return chunk.length + Keys.LOG_KEY_SIZE;
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
     * the log started at {@code plannedStart}; {@code removedBytes} is the size of those chunks.
     */
    record DeleteChunks(PartitionLog log, long plannedStart, long newStart, long removedBytes,
                        CompletableFuture<Void> future) implements WriteRequest {
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
