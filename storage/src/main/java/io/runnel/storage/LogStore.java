package io.runnel.storage;

import io.runnel.storage.rocksdb.RocksLogStore;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * One broker's store: every partition's log, the topics, and committed consumer offsets.
 *
 * <p>Writes (appends, offset commits, retention deletes, topic creation) go through one writer
 * thread that group-commits everything queued into a single RocksDB {@code WriteBatch} and one
 * fsync; that thread owns every partition's end offset. Futures complete on the writer thread, so
 * callers must not block in their callbacks. Reads may run on any thread and only ever see durable
 * data.
 *
 * <p>After a failed write the store is failed: {@link StorageConfig#failureHandler()} is called and
 * every later write completes exceptionally with a {@link StorageException}.
 */
public interface LogStore extends AutoCloseable {

    /** Opens (creating if needed) the store in {@link StorageConfig#dataDir()}. */
    static LogStore open(StorageConfig config) {
        return RocksLogStore.open(config);
    }

    /**
     * Returns the topic, creating it durably with {@code config} if it does not exist yet.
     * Creating is idempotent; an existing topic keeps its config.
     */
    TopicInfo ensureTopic(String name, TopicConfig config);

    Optional<TopicInfo> topic(String name);

    Collection<TopicInfo> topics();

    /**
     * Appends one chunk built by {@link ChunkBuilder#build()} to the end of a partition's log. The
     * store takes ownership of {@code chunk}, stamps the next offset and {@code generation} into it,
     * and completes the future once the chunk is durable (see {@link FsyncMode}).
     */
    CompletableFuture<AppendResult> append(int topicId, int partition, int generation, byte[] chunk);

    /**
     * Reads durable chunks from {@code fromOffset} on, stopping after the chunk that reaches
     * {@code maxBytes} (at least one chunk is returned when any is there).
     *
     * @throws CorruptChunkException if a chunk fails its checks (also counted in {@link #corruptChunks()})
     */
    ReadResult read(int topicId, int partition, long fromOffset, int maxBytes);

    /** The first offset whose chunk's last timestamp is at or after {@code timestamp}, or the log end offset. */
    long offsetForTimestamp(int topicId, int partition, long timestamp);

    /** Start and end offsets of a partition; {@link PartitionState#EMPTY} if never written. */
    PartitionState state(int topicId, int partition);

    /** Durably stores committed consumer positions (the next offset to read). */
    CompletableFuture<Void> commitOffsets(Map<OffsetKey, Long> offsets);

    OptionalLong committedOffset(OffsetKey key);

    /** All committed positions of a group. */
    Map<OffsetKey, Long> committedOffsets(String group);

    /** Runs retention once now (it also runs every {@link StorageConfig#retentionInterval()}). */
    CompletableFuture<Void> applyRetention();

    /** Chunks that failed their checks since the store opened. */
    long corruptChunks();

    /** Appends acknowledged and WriteBatches synced since open, for metrics. */
    WriterStats writerStats();

    /** Completes queued writes, stops the writer and retention, and closes RocksDB. */
    @Override
    void close();

    /**
     * Counters of the writer thread.
     *
     * @param appends  chunks appended
     * @param records  records appended
     * @param batches  WriteBatches written (each one fsync under {@link FsyncMode#ALWAYS})
     * @param bytes    chunk bytes appended
     */
    record WriterStats(long appends, long records, long batches, long bytes) {
    }
}
