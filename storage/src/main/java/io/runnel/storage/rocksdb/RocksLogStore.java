package io.runnel.storage.rocksdb;

import io.runnel.storage.BigEndian;

import io.runnel.storage.AppendResult;
import io.runnel.storage.Chunk;
import io.runnel.storage.CorruptChunkException;
import io.runnel.storage.LogStore;
import io.runnel.storage.OffsetKey;
import io.runnel.storage.OffsetListener;
import io.runnel.storage.PartitionState;
import io.runnel.storage.ReadResult;
import io.runnel.storage.StorageConfig;
import io.runnel.storage.StorageException;
import io.runnel.storage.TopicConfig;
import io.runnel.storage.TopicInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * The {@link LogStore} on one RocksDB instance with column families {@code log} (chunks),
 * {@code state} (partition offsets, topics) and {@code offsets} (committed consumer positions).
 *
 * <p>All writes go through a single writer thread that group-commits them (see {@link LogWriter});
 * reads run on the caller's thread and are bounded by each partition's published durable end
 * offset. Retention runs on its own thread every {@link StorageConfig#retentionInterval()}.
 *
 * <p>The {@code state} column family also holds each partition's generation history (see
 * {@link LogStore}); it is loaded at open and changed only by the writer, in the batch of the
 * chunks or truncation it describes.
 */
public final class RocksLogStore implements LogStore {
    private static final Logger LOG = LoggerFactory.getLogger(RocksLogStore.class);

    private final RocksHandles rocks;
    private final Topics topics;
    /** Key: {@link Keys#partitionId}. Entries are created by appends (any thread) and at open. */
    private final Map<Long, PartitionLog> partitions = new ConcurrentHashMap<>();
    private final LogWriter writer;
    private final Retention retention;
    private final ScheduledExecutorService retentionThread;
    private volatile Thread retentionThreadInstance;
    private final LongAdder corruptChunks = new LongAdder();

    /*
     * Readers and submitters hold the read lock while they touch RocksDB or the queue; close()
     * takes the write lock to flip `closed`, so no native handle is used after it is freed and
     * nothing is queued behind the writer's Stop.
     */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean closed;

    private RocksLogStore(StorageConfig config, RocksHandles rocks, Recovery recovered) {
        this.rocks = rocks;
        this.topics = new Topics(recovered.topics, recovered.nextTopicId);
        recovered.partitions.forEach((id, state) -> partitions.put(id, new PartitionLog((int) (id >>> 32),
                (int) (long) id, state, recovered.histories.getOrDefault(id, GenerationHistory.EMPTY))));
        this.writer = new LogWriter(rocks, topics, config);
        this.retention = new Retention(rocks, topics, partitions, writer, config.clock());
        this.retentionThread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "runnel-log-retention");
            t.setDaemon(true);
            retentionThreadInstance = t;
            return t;
        });
    }

    /** Opens (creating if needed) the store in {@link StorageConfig#dataDir()}. */
    public static RocksLogStore open(StorageConfig config) {
        Objects.requireNonNull(config, "config");
        RocksHandles rocks = RocksHandles.open(config);
        RocksLogStore store;
        try {
            store = new RocksLogStore(config, rocks, Recovery.run(rocks));
        } catch (RuntimeException e) {
            rocks.close();
            throw e;
        }
        store.writer.start();
        long interval = config.retentionInterval().toNanos();
        store.retentionThread.scheduleWithFixedDelay(store::runRetention, interval, interval, TimeUnit.NANOSECONDS);
        return store;
    }

    // ---------------------------------------------------------------- topics

    @Override
    public TopicInfo ensureTopic(String name, TopicConfig config) {
        Topics.validateName(name);
        Objects.requireNonNull(config, "config");
        TopicInfo existing = topics.byName(name);
        if (existing != null) {
            return existing;
        }
        if (writer.isWriterThread()) {
            throw new IllegalStateException("ensureTopic must not be called from a write's completion callback");
        }
        CompletableFuture<TopicInfo> created = new CompletableFuture<>();
        submit(new WriteRequest.CreateTopic(name, config, created));
        return await(created);
    }

    @Override
    public Optional<TopicInfo> topic(String name) {
        return Optional.ofNullable(topics.byName(name));
    }

    @Override
    public Optional<TopicInfo> topic(int topicId) {
        return Optional.ofNullable(topics.byId(topicId));
    }

    @Override
    public Collection<TopicInfo> topics() {
        return topics.all();
    }

    // ---------------------------------------------------------------- writes

    @Override
    public CompletableFuture<AppendResult> append(int topicId, int partition, int generation, byte[] chunk) {
        return append(topicId, partition, generation, chunk, OffsetListener.NONE);
    }

    @Override
    public CompletableFuture<AppendResult> append(int topicId, int partition, int generation, byte[] chunk,
                                                  OffsetListener onAssigned) {
        Objects.requireNonNull(onAssigned, "onAssigned");
        Chunk checked;
        PartitionLog log;
        try {
            log = writablePartition(topicId, partition);
            checked = checkChunk(chunk);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<AppendResult> appended = new CompletableFuture<>();
        submit(new WriteRequest.Append(log, generation, chunk, checked.count(), onAssigned, appended));
        return appended;
    }

    @Override
    public CompletableFuture<AppendResult> appendReplica(int topicId, int partition, byte[] stampedChunk) {
        Chunk checked;
        PartitionLog log;
        try {
            log = writablePartition(topicId, partition);
            checked = checkChunk(stampedChunk);
            if (checked.baseOffset() < 0) {
                throw new IllegalArgumentException("chunk has a negative base offset " + checked.baseOffset());
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<AppendResult> appended = new CompletableFuture<>();
        submit(new WriteRequest.ReplicaAppend(log, stampedChunk, checked.baseOffset(), checked.generation(),
                checked.count(), appended));
        return appended;
    }

    @Override
    public CompletableFuture<Void> beginGeneration(int topicId, int partition, int generation) {
        PartitionLog log;
        try {
            log = writablePartition(topicId, partition);
            if (generation < 0) {
                throw new IllegalArgumentException("generation must be >= 0, not " + generation);
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> begun = new CompletableFuture<>();
        submit(new WriteRequest.BeginGeneration(log, generation, begun));
        return begun;
    }

    @Override
    public CompletableFuture<Long> truncate(int topicId, int partition, long offset) {
        PartitionLog log;
        try {
            log = writablePartition(topicId, partition);
            if (offset < 0) {
                throw new IllegalArgumentException("truncation offset must be >= 0, not " + offset);
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Long> truncated = new CompletableFuture<>();
        submit(new WriteRequest.Truncate(log, offset, false, truncated));
        return truncated;
    }

    @Override
    public CompletableFuture<Long> restartAt(int topicId, int partition, long offset) {
        PartitionLog log;
        try {
            log = writablePartition(topicId, partition);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Long> restarted = new CompletableFuture<>();
        submit(new WriteRequest.Truncate(log, offset, true, restarted));
        return restarted;
    }

    /** The partition's log, created if needed; IllegalArgumentException for a bad partition or topic. */
    private PartitionLog writablePartition(int topicId, int partition) {
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0, not " + partition);
        }
        if (topics.byId(topicId) == null) {
            throw new IllegalArgumentException("unknown topic id " + topicId);
        }
        return partitions.computeIfAbsent(Keys.partitionId(topicId, partition),
                id -> new PartitionLog(topicId, partition, PartitionState.EMPTY));
    }

    /**
     * Verifies a chunk on the caller's thread, so that nothing malformed is ever stored and the
     * writer never has to look inside a chunk.
     */
    private static Chunk checkChunk(byte[] chunk) {
        try {
            return Chunk.wrap(Objects.requireNonNull(chunk, "chunk"));
        } catch (CorruptChunkException e) {
            throw new IllegalArgumentException("not a valid chunk: " + e.getMessage(), e);
        }
    }

    @Override
    public CompletableFuture<Void> commitOffsets(Map<OffsetKey, Long> offsets) {
        Map<OffsetKey, Long> copy = new HashMap<>(offsets.size());
        for (Map.Entry<OffsetKey, Long> e : offsets.entrySet()) {
            OffsetKey key = Objects.requireNonNull(e.getKey(), "offset key");
            Long offset = e.getValue();
            if (offset == null || offset < 0 || key.group() == null) {
                return CompletableFuture.failedFuture(
                        new IllegalArgumentException("committed offset of " + key + " must be >= 0, not " + offset));
            }
            copy.put(key, offset);
        }
        CompletableFuture<Void> committed = new CompletableFuture<>();
        if (copy.isEmpty()) {
            committed.complete(null);
            return committed;
        }
        submit(new WriteRequest.CommitOffsets(copy, committed));
        return committed;
    }

    @Override
    public CompletableFuture<Void> applyRetention() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            retentionThread.execute(() -> {
                try {
                    retention.runOnce();
                    done.complete(null);
                } catch (Throwable t) {
                    done.completeExceptionally(t instanceof CompletionException && t.getCause() != null ? t.getCause() : t);
                }
            });
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(new StorageException("store is closed"));
        }
        return done;
    }

    private void runRetention() {
        try {
            retention.runOnce();
        } catch (Throwable t) {
            // Never let an exception cancel the schedule; a failed store reports through its handler.
            LOG.warn("retention run failed", t);
        }
    }

    private void submit(WriteRequest request) {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                request.future().completeExceptionally(new StorageException("store is closed"));
            } else {
                writer.submit(request);
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------- reads

    @Override
    public ReadResult read(int topicId, int partition, long fromOffset, int maxBytes) {
        return read(topicId, partition, fromOffset, maxBytes, Long.MAX_VALUE);
    }

    @Override
    public ReadResult read(int topicId, int partition, long fromOffset, int maxBytes, long maxOffset) {
        ensureOpen();
        PartitionLog log = partitions.get(Keys.partitionId(topicId, partition));
        if (log == null) {
            return new ReadResult(List.of(), fromOffset, fromOffset);
        }
        // Read the durable bounds before creating the iterator: everything below `end` was written
        // before it was published, so the iterator's implicit snapshot contains it.
        PartitionState s = log.published();
        long from = Math.max(fromOffset, s.logStartOffset());
        long end = s.logEndOffset();
        if (from >= Math.min(end, maxOffset)) {
            return new ReadResult(List.of(), from, from);
        }
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            try (RocksIterator it = rocks.db.newIterator(rocks.log, rocks.readOptions)) {
                end = Math.min(end, endSince(log));
                byte[] target = Keys.log(topicId, partition, from);
                it.seekForPrev(target);
                if (!it.isValid() || !Keys.isLogKeyOf(it.key(), topicId, partition)) {
                    // The chunk holding `from` is gone (retention ran since we read the start):
                    // begin with the first chunk still there.
                    it.seek(target);
                }
                List<Chunk> chunks = new ArrayList<>();
                long bytes = 0;
                long next = from;
                for (; it.isValid(); it.next()) {
                    byte[] key = it.key();
                    long base = Keys.baseOffsetOfLogKey(key);
                    if (!Keys.isLogKeyOf(key, topicId, partition) || base >= end) {
                        break;
                    }
                    Chunk chunk = verified(it.value(), base, topicId, partition);
                    if (chunk.nextOffset() <= from) {
                        continue;
                    }
                    if (chunk.nextOffset() > maxOffset || chunk.nextOffset() > end) {
                        // Above the high watermark; or (never expected: truncations land on chunk
                        // bounds) past the end, which is all this read may show.
                        break;
                    }
                    if (chunks.isEmpty() && base > from) {
                        from = base;
                    }
                    chunks.add(chunk);
                    next = chunk.nextOffset();
                    bytes += chunk.sizeBytes();
                    if (bytes >= maxBytes) {
                        break;
                    }
                }
                check(it);
                return chunks.isEmpty() ? new ReadResult(List.of(), from, from) : new ReadResult(chunks, from, next);
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    @Override
    public long offsetForTimestamp(int topicId, int partition, long timestamp) {
        ensureOpen();
        PartitionLog log = partitions.get(Keys.partitionId(topicId, partition));
        if (log == null) {
            return 0;
        }
        PartitionState s = log.published();
        long end = s.logEndOffset();
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            byte[] header = new byte[Chunk.HEADER_SIZE];
            try (RocksIterator it = rocks.db.newIterator(rocks.log, rocks.scanOptions)) {
                end = Math.min(end, endSince(log));
                // Only the 40 header bytes of each chunk are copied until one can hold the answer.
                for (it.seek(Keys.log(topicId, partition, s.logStartOffset())); it.isValid(); it.next()) {
                    byte[] key = it.key();
                    long base = Keys.baseOffsetOfLogKey(key);
                    if (!Keys.isLogKeyOf(key, topicId, partition) || base >= end) {
                        break;
                    }
                    if (it.value(header) >= Chunk.HEADER_SIZE && BigEndian.getLong(header, 32) < timestamp) {
                        continue;
                    }
                    Chunk.RecordCursor records = verified(it.value(), base, topicId, partition).cursor();
                    while (records.next()) {
                        if (records.timestamp() >= timestamp) {
                            return records.offset();
                        }
                    }
                }
                check(it);
            }
            return end;
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /*
     * The published end again, read after the caller created its iterator. A truncation lowers the
     * end: a reader that took the old end and then an iterator created after the truncation (and
     * perhaps after new appends at the same offsets, which are written before they are published)
     * must stop at the new end. Everything below the smaller of the two ends is in the snapshot
     * and belongs to one consistent log: the old one if the snapshot predates the truncation, the
     * new one otherwise.
     */
    private static long endSince(PartitionLog log) {
        return log.published().logEndOffset();
    }

    @Override
    public PartitionState state(int topicId, int partition) {
        PartitionLog log = partitions.get(Keys.partitionId(topicId, partition));
        return log == null ? PartitionState.EMPTY : log.published();
    }

    @Override
    public int lastGeneration(int topicId, int partition) {
        PartitionLog log = partitions.get(Keys.partitionId(topicId, partition));
        return log == null ? 0 : log.publishedView().history().last();
    }

    @Override
    public OptionalLong generationStart(int topicId, int partition, int generation) {
        PartitionLog log = partitions.get(Keys.partitionId(topicId, partition));
        return log == null ? OptionalLong.empty() : log.publishedView().history().startOf(generation);
    }

    @Override
    public long endOffsetForGeneration(int topicId, int partition, int generation) {
        PartitionLog log = partitions.get(Keys.partitionId(topicId, partition));
        if (log == null) {
            return 0;
        }
        PartitionLog.View view = log.publishedView();
        return view.history().endOffsetFor(generation, view.state().logEndOffset());
    }

    @Override
    public int floorGeneration(int topicId, int partition, int generation) {
        PartitionLog log = partitions.get(Keys.partitionId(topicId, partition));
        return log == null ? 0 : log.publishedView().history().floor(generation);
    }

    @Override
    public OptionalLong committedOffset(OffsetKey key) {
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            byte[] value = rocks.db.get(rocks.offsets, rocks.readOptions, Keys.offset(key));
            return value == null ? OptionalLong.empty() : OptionalLong.of(BigEndian.getLong(value, 0));
        } catch (RocksDBException e) {
            throw new StorageException("reading committed offset of " + key + " failed: " + e.getMessage(), e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    @Override
    public Map<OffsetKey, Long> committedOffsets(String group) {
        byte[] prefix = Keys.offsetGroupPrefix(group);
        Map<OffsetKey, Long> result = new HashMap<>();
        lifecycle.readLock().lock();
        try {
            ensureOpen();
            try (RocksIterator it = rocks.db.newIterator(rocks.offsets, rocks.readOptions)) {
                for (it.seek(prefix); it.isValid() && Keys.startsWith(it.key(), prefix); it.next()) {
                    byte[] key = it.key();
                    if (key.length == prefix.length + 8) {
                        result.put(Keys.decodeOffsetKey(key), BigEndian.getLong(it.value(), 0));
                    }
                }
                check(it);
            }
        } finally {
            lifecycle.readLock().unlock();
        }
        return result;
    }

    private Chunk verified(byte[] value, long keyOffset, int topicId, int partition) {
        try {
            Chunk chunk = Chunk.wrap(value);
            // The stamped header lies outside the CRC: at least make sure it matches the key.
            if (chunk.baseOffset() != keyOffset) {
                throw new CorruptChunkException("chunk stored at offset " + keyOffset + " of partition "
                        + topicId + "/" + partition + " says it starts at " + chunk.baseOffset());
            }
            return chunk;
        } catch (CorruptChunkException e) {
            corruptChunks.increment();
            throw e;
        }
    }

    private static void check(RocksIterator it) {
        try {
            it.status();
        } catch (RocksDBException e) {
            throw new StorageException("reading the log failed: " + e.getMessage(), e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new StorageException("store is closed");
        }
    }

    // ---------------------------------------------------------------- lifecycle, metrics

    @Override
    public long corruptChunks() {
        return corruptChunks.sum();
    }

    @Override
    public WriterStats writerStats() {
        return writer.stats();
    }

    /** Test hook: the next WriteBatch fails as RocksDB would on an I/O error. */
    void failNextWrite() {
        writer.failNextWrite = true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Called from one of the store's own threads (a write's completion callback or the failure
     * handler), it cannot wait for that thread to finish: it then closes on a new thread and
     * returns at once.
     */
    @Override
    public void close() {
        if (writer.ownsCurrentThread() || retentionThreadRunning()) {
            Thread closer = new Thread(this::close, "runnel-log-closer");
            closer.start();
            return;
        }
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            lifecycle.writeLock().unlock();
        }
        // Retention first (it may be waiting for the writer), then the writer drains its queue.
        retentionThread.shutdown();
        boolean interrupted = false;
        try {
            if (!retentionThread.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.warn("retention did not stop within a minute");
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        writer.stop();
        rocks.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean retentionThreadRunning() {
        return Thread.currentThread() == retentionThreadInstance;
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new StorageException(e.getCause().getMessage(), e.getCause());
        }
    }
}
