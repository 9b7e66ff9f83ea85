package io.runnel.storage;

import io.runnel.storage.rocksdb.RocksLogStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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
 *
 * <h2>Replication</h2>
 * A leader appends with {@link #append(int, int, int, byte[], OffsetListener)} and ships each
 * stamped chunk to its followers as soon as its offset is assigned; a follower stores those chunks
 * unchanged with {@link #appendReplica}. Each partition keeps a <em>generation history</em>
 * (generation → the first offset written in it), recorded in the same batch as the chunks: by
 * appends whose generation is greater than the last recorded one, and by {@link #beginGeneration}.
 * A follower joining a new generation asks the leader for {@link #endOffsetForGeneration} of its own
 * {@link #lastGeneration} and {@link #truncate}s to it (docs/replication.md).
 *
 * <p>History details: generation 0 (what a single broker writes, before any leader election) is
 * never recorded, it is simply the generation of everything before the first recorded one. A chunk
 * whose generation is lower than the last recorded one is stored as given but not recorded:
 * fencing a stale leader is the replication layer's job (followers compare versions). Retention
 * drops the entries of generations that lie wholly below the log start; the last entry always
 * stays.
 *
 * <p>The replication methods have default implementations that throw
 * {@link UnsupportedOperationException}, so that test doubles written before them still compile;
 * {@link RocksLogStore} implements them all.
 */
public interface LogStore extends AutoCloseable {

    /** Opens (creating if needed) the store in {@link StorageConfig#dataDir()}. */
    static LogStore open(StorageConfig config) {
        return RocksLogStore.open(config);
    }

    /**
     * Returns the topic, creating it durably with {@code config} if it does not exist yet.
     * Creating is idempotent; an existing topic keeps its config. Safe to call from any number of
     * threads at once (concurrent calls for one name all get the same topic); it blocks until the
     * topic is durable, so it must not be called from a write's completion callback (the writer
     * thread), where it throws {@link IllegalStateException}.
     */
    TopicInfo ensureTopic(String name, TopicConfig config);

    Optional<TopicInfo> topic(String name);

    /** The topic with the store's id {@code topicId}, if it exists. */
    default Optional<TopicInfo> topic(int topicId) {
        return topics().stream().filter(t -> t.id() == topicId).findFirst();
    }

    Collection<TopicInfo> topics();

    /**
     * Appends one chunk built by {@link ChunkBuilder#build()} to the end of a partition's log. The
     * store takes ownership of {@code chunk}, stamps the next offset and {@code generation} into it,
     * and completes the future once the chunk is durable (see {@link FsyncMode}).
     */
    CompletableFuture<AppendResult> append(int topicId, int partition, int generation, byte[] chunk);

    /**
     * Appends like {@link #append(int, int, int, byte[])}, and calls {@code onAssigned} on the
     * writer thread right after the chunk is stamped, before it is written and synced (see
     * {@link OffsetListener} for what the listener may do). If {@code generation} is greater than
     * the partition's {@link #lastGeneration}, the history records it as starting at the chunk's
     * base offset, in the same batch as the chunk.
     */
    default CompletableFuture<AppendResult> append(int topicId, int partition, int generation, byte[] chunk,
                                                   OffsetListener onAssigned) {
        throw new UnsupportedOperationException(getClass().getName() + " does not support replication");
    }

    /**
     * A follower's append of a chunk its leader already stamped: stored byte for byte, its base
     * offset and generation kept, so replicas hold identical chunks (same bytes, same CRC). The
     * store takes ownership of the array. Group-committed with every other write.
     *
     * <p>The chunk must start exactly at the partition's log end offset as the writer sees it when
     * the chunk's turn comes (so consecutive replica appends queued together chain up); otherwise
     * the future fails with an {@link OffsetMismatchException} whose
     * {@link OffsetMismatchException#expectedOffset()} is that log end offset, and nothing is
     * stored. A chunk that fails {@link Chunk#wrap} fails the future with an
     * {@link IllegalArgumentException}. A chunk whose generation is greater than the partition's
     * {@link #lastGeneration} records that generation as starting at the chunk's base offset.
     */
    default CompletableFuture<AppendResult> appendReplica(int topicId, int partition, byte[] stampedChunk) {
        throw new UnsupportedOperationException(getClass().getName() + " does not support replication");
    }

    /**
     * Records that {@code generation} starts at the partition's current log end offset (a new leader
     * calls it when it takes over, so the history has the start before its first write). A no-op
     * if {@code generation} is already the last one; fails with an {@link IllegalArgumentException}
     * if it is older than the last one.
     *
     * <p>Like Kafka's leader-epoch cache, the history keeps starts strictly increasing: a
     * generation that starts where the previous last generation started (no chunk was written in
     * that one) replaces it.
     */
    default CompletableFuture<Void> beginGeneration(int topicId, int partition, int generation) {
        throw new UnsupportedOperationException(getClass().getName() + " does not support replication");
    }

    /**
     * Removes the partition's tail from {@code offset} on and completes with the new log end offset.
     *
     * <ul>
     *   <li>{@code offset} at or past the log end: nothing changes; completes with the log end.</li>
     *   <li>{@code offset} inside the log: a chunk is never split, so every chunk whose base offset is
     *       at or above the base of the chunk holding {@code offset} is removed; the new end is that
     *       base ({@code offset} itself when it is a chunk boundary).</li>
     *   <li>{@code offset} at or below the log start offset: every chunk is removed and the log
     *       restarts empty with start = end = {@code offset} (Kafka's {@code truncateFullyAndStartAt}),
     *       so that a follower can take the leader's chunks from there.</li>
     * </ul>
     * Generation history entries that start at or after the new end are deleted. Everything is one
     * atomic batch with the new partition state. Once the future completes no read returns a removed
     * chunk, and appends continue at the new end.
     *
     * @throws IllegalArgumentException (through the future) if {@code offset} is negative
     */
    default CompletableFuture<Long> truncate(int topicId, int partition, long offset) {
        throw new UnsupportedOperationException(getClass().getName() + " does not support replication");
    }

    /**
     * Removes every chunk of the partition and starts its log again, empty, at {@code offset}, which lies at or past
     * its log end: for a follower whose whole log is below its leader's log start (retention removed the chunks it
     * lacks), so it can take the leader's chunks from there. The generation history is cleared (the chunks appended
     * next record theirs), as Kafka's {@code truncateFullyAndStartAt} clears the leader-epoch cache. One atomic batch
     * with the new partition state; completes with {@code offset}.
     *
     * @throws IllegalArgumentException (through the future) if {@code offset} is below the log end
     */
    default CompletableFuture<Long> restartAt(int topicId, int partition, long offset) {
        throw new UnsupportedOperationException(getClass().getName() + " does not support replication");
    }

    /** The partition's last recorded generation, or 0 if it has none. */
    default int lastGeneration(int topicId, int partition) {
        throw new UnsupportedOperationException(getClass().getName() + " does not support replication");
    }

    /** Where {@code generation} starts in the partition's history, if it is recorded. */
    default OptionalLong generationStart(int topicId, int partition, int generation) {
        throw new UnsupportedOperationException(getClass().getName() + " does not support replication");
    }

    /**
     * Kafka's OffsetsForLeaderEpoch: the end of {@code generation} in this log, that is the start
     * offset of the first recorded generation greater than {@code generation}, or the log end offset
     * if there is none. A follower whose last generation is {@code generation} truncates to
     * {@code min(its log end, this)} before taking the leader's chunks.
     */
    default long endOffsetForGeneration(int topicId, int partition, int generation) {
        throw new UnsupportedOperationException(getClass().getName() + " does not support replication");
    }

    /**
     * The greatest recorded generation that is at most {@code generation}, or 0 if none is. With it
     * the leader can also tell a follower which of the follower's generations the answer of
     * {@link #endOffsetForGeneration} belongs to (KIP-279): if the leader never had the follower's
     * last generation, the follower must truncate to its own end of the generation returned here
     * too, or the two logs could keep different chunks below that answer.
     */
    default int floorGeneration(int topicId, int partition, int generation) {
        throw new UnsupportedOperationException(getClass().getName() + " does not support replication");
    }

    /**
     * Reads durable chunks from {@code fromOffset} on, stopping after the chunk that reaches
     * {@code maxBytes} (at least one chunk is returned when any is there).
     *
     * @throws CorruptChunkException if a chunk fails its checks (also counted in {@link #corruptChunks()})
     */
    ReadResult read(int topicId, int partition, long fromOffset, int maxBytes);

    /**
     * Reads like {@link #read(int, int, long, int)} but never returns a chunk whose
     * {@link Chunk#nextOffset()} is above {@code maxOffset}: consumers read up to the high
     * watermark, which always lies on a chunk boundary. A chunk that straddles {@code maxOffset}
     * is left out entirely. {@code read(t, p, from, maxBytes)} is this with {@link Long#MAX_VALUE}.
     */
    default ReadResult read(int topicId, int partition, long fromOffset, int maxBytes, long maxOffset) {
        ReadResult all = read(topicId, partition, fromOffset, maxBytes);
        List<Chunk> kept = new ArrayList<>();
        for (Chunk c : all.chunks()) {
            if (c.nextOffset() > maxOffset) {
                break;
            }
            kept.add(c);
        }
        return kept.isEmpty() ? new ReadResult(List.of(), all.fromOffset(), all.fromOffset())
                : new ReadResult(List.copyOf(kept), all.fromOffset(), kept.getLast().nextOffset());
    }

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
