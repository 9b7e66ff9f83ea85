package io.runnel.storage.rocksdb;

import io.runnel.storage.AppendResult;
import io.runnel.storage.Chunk;
import io.runnel.storage.FsyncMode;
import io.runnel.storage.LogStore.WriterStats;
import io.runnel.storage.OffsetKey;
import io.runnel.storage.OffsetListener;
import io.runnel.storage.OffsetMismatchException;
import io.runnel.storage.StorageConfig;
import io.runnel.storage.StorageException;
import io.runnel.storage.TopicInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/*
 * The single writer thread and its group commit.
 *
 * Callers queue requests. The writer takes everything queued (up to maxBatchBytes) and turns it
 * into ONE WriteBatch, which it writes with sync=true under FsyncMode.ALWAYS: one WAL fsync for
 * all of them. While it waits for that fsync, new requests queue up and form the next batch, so
 * the batch size adapts to load without any timer. Only after the write returns does it publish
 * the new partition end offsets and complete the futures.
 *
 * The writer is the only thread that changes partition offsets, generation histories and the
 * topic registry, so assigning offsets needs no lock; per request it only stamps 12 header bytes
 * and copies the chunk into the batch. A leader's OffsetListener runs right after the stamp, so
 * the chunk can be on its way to followers while this batch is fsynced. A replica append is checked
 * against the pending end (the end including everything before it in this batch), so that replica
 * chunks queued back to back chain up.
 *
 * A truncation must know where chunks begin and how big they are, which it reads from RocksDB;
 * RocksDB cannot see the batch being built, so a truncation always starts a batch of its own
 * (run() stops draining before it and carries it over), and everything queued before it is
 * written by then.
 *
 * Under FsyncMode.INTERVAL, writes are not synced and a scheduler fsyncs the WAL every
 * fsyncInterval (db.flushWal(true)).
 *
 * Any write failure makes the writer failed for good: the failure handler runs once, the
 * batch's futures and every later request fail with a StorageException.
 */
final class LogWriter {
    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);

    private final RocksHandles rocks;
    private final Topics topics;
    private final StorageConfig config;
    private final BlockingQueue<WriteRequest> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final ScheduledExecutorService walSync;
    private volatile Thread walSyncThread;

    // Writer thread only; reused for every batch.
    private final WriteBatch batch = new WriteBatch();
    private final WriteOptions writeOptions;
    private final List<WriteRequest> drained = new ArrayList<>();
    private final List<PartitionLog> dirty = new ArrayList<>();
    private final List<TopicInfo> created = new ArrayList<>();
    private long[] baseOffsets = new long[256];
    /** Per request of the batch: a created topic, a truncation's new end, or a refusal to complete with. */
    private Object[] results = new Object[256];
    /** A truncation taken from the queue that must start the next batch. */
    private WriteRequest carried;
    private final byte[] header = new byte[Chunk.HEADER_SIZE];

    private final Object failureLock = new Object();
    private volatile StorageException failure;

    // Written by the writer thread only (plain increments of volatiles are safe with one writer).
    private volatile long appends;
    private volatile long records;
    private volatile long batches;
    private volatile long bytes;

    /** Test hook: the next WriteBatch fails as if RocksDB had reported an I/O error. */
    volatile boolean failNextWrite;

    LogWriter(RocksHandles rocks, Topics topics, StorageConfig config) {
        this.rocks = rocks;
        this.topics = topics;
        this.config = config;
        this.writeOptions = new WriteOptions().setSync(config.fsync() == FsyncMode.ALWAYS);
        this.thread = new Thread(this::run, "runnel-log-writer");
        this.thread.setDaemon(true);
        if (config.fsync() == FsyncMode.INTERVAL) {
            walSync = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "runnel-wal-sync");
                t.setDaemon(true);
                walSyncThread = t;
                return t;
            });
            long nanos = config.fsyncInterval().toNanos();
            walSync.scheduleWithFixedDelay(this::syncWal, nanos, nanos, TimeUnit.NANOSECONDS);
        } else {
            walSync = null;
        }
    }

    void start() {
        thread.start();
    }

    /** Queues a request; if the store already failed, fails it at once. */
    void submit(WriteRequest request) {
        StorageException f = failure;
        if (f != null) {
            request.future().completeExceptionally(f);
            return;
        }
        queue.add(request);
    }

    boolean isWriterThread() {
        return Thread.currentThread() == thread;
    }

    /** True on the writer thread and on the WAL sync thread: neither may wait for stop(). */
    boolean ownsCurrentThread() {
        return isWriterThread() || Thread.currentThread() == walSyncThread;
    }

    WriterStats stats() {
        return new WriterStats(appends, records, batches, bytes);
    }

    /**
     * Writes everything queued so far, stops the writer thread and the WAL sync, and frees the
     * writer's native objects. The caller guarantees nothing is submitted after this starts.
     */
    void stop() {
        queue.add(new WriteRequest.Stop(new CompletableFuture<>()));
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (walSync != null) {
            walSync.shutdown();
            try {
                walSync.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                interrupted = true;
            }
            syncWal();
        }
        batch.close();
        writeOptions.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void syncWal() {
        if (failure != null) {
            return;
        }
        try {
            rocks.db.flushWal(true);
        } catch (RocksDBException | RuntimeException e) {
            fail(e);
        }
    }

    private void run() {
        boolean stop = false;
        while (!stop) {
            WriteRequest first = carried;
            carried = null;
            if (first == null) {
                try {
                    first = queue.take();
                } catch (InterruptedException e) {
                    // Nobody interrupts this thread on purpose; close() stops it with a Stop request.
                    continue;
                }
            }
            drained.add(first);
            long size = first.sizeBytes();
            WriteRequest next;
            while (size < config.maxBatchBytes() && (next = queue.poll()) != null) {
                if (next instanceof WriteRequest.Truncate) {
                    carried = next; // it reads the log, which cannot see this batch: next batch
                    break;
                }
                drained.add(next);
                size += next.sizeBytes();
            }
            try {
                stop = writeBatch(drained);
            } catch (Throwable t) {
                // A bug, not an I/O error; still, never leave callers waiting or acknowledge anything.
                discardBatch();
                fail(t);
                stop = completeAll(drained, failure);
            }
            drained.clear();
        }
        // Anything that raced in behind Stop (close() prevents it, but be safe) must not hang.
        WriteRequest r = carried;
        carried = null;
        StorageException closed = new StorageException("store is closed");
        if (r != null) {
            r.future().completeExceptionally(closed);
        }
        while ((r = queue.poll()) != null) {
            r.future().completeExceptionally(closed);
        }
    }

    /** Builds, writes and completes one batch; true if it held the Stop request. */
    private boolean writeBatch(List<WriteRequest> requests) {
        StorageException failed = failure;
        if (failed != null) {
            return completeAll(requests, failed);
        }
        if (baseOffsets.length < requests.size()) {
            baseOffsets = new long[Math.max(requests.size(), baseOffsets.length * 2)];
            results = new Object[baseOffsets.length];
        }
        long batchRecords = 0;
        long batchBytes = 0;
        int batchAppends = 0;
        try {
            for (int i = 0; i < requests.size(); i++) {
                switch (requests.get(i)) {
                    case WriteRequest.Append a -> {
                        PartitionLog log = a.log();
                        long base = log.end;
                        Chunk.stamp(a.chunk(), base, a.generation());
                        batch.put(rocks.log, Keys.log(log.topicId, log.partition, base), a.chunk());
                        notifyAssigned(a, base);
                        log.end = base + a.count();
                        log.size += a.chunk().length;
                        recordGeneration(log, a.generation(), base);
                        markDirty(log);
                        baseOffsets[i] = base;
                        batchAppends++;
                        batchRecords += a.count();
                        batchBytes += a.chunk().length;
                    }
                    case WriteRequest.ReplicaAppend r -> {
                        PartitionLog log = r.log();
                        if (r.baseOffset() != log.end) {
                            results[i] = new OffsetMismatchException(log.end, r.baseOffset());
                        } else {
                            batch.put(rocks.log, Keys.log(log.topicId, log.partition, r.baseOffset()), r.chunk());
                            log.end = r.baseOffset() + r.count();
                            log.size += r.chunk().length;
                            recordGeneration(log, r.generation(), r.baseOffset());
                            markDirty(log);
                            batchAppends++;
                            batchRecords += r.count();
                            batchBytes += r.chunk().length;
                        }
                    }
                    case WriteRequest.BeginGeneration b -> {
                        PartitionLog log = b.log();
                        if (b.generation() < log.history.last()) {
                            results[i] = new IllegalArgumentException("generation " + b.generation()
                                    + " is older than generation " + log.history.last() + ", the last of partition "
                                    + log.topicId + "/" + log.partition);
                        } else if (b.generation() > log.history.last()) {
                            recordGeneration(log, b.generation(), log.end);
                            markDirty(log); // also writes the state record of a partition never written to
                        }
                    }
                    case WriteRequest.Truncate t -> {
                        if (i != 0) {
                            throw new IllegalStateException("a truncation must start its batch");
                        }
                        results[i] = t.restart() ? restartAt(t.log(), t.offset()) : truncate(t.log(), t.offset());
                    }
                    case WriteRequest.CommitOffsets c -> {
                        for (Map.Entry<OffsetKey, Long> e : c.offsets().entrySet()) {
                            batch.put(rocks.offsets, Keys.offset(e.getKey()), Keys.longBytes(e.getValue()));
                        }
                    }
                    case WriteRequest.DeleteChunks d -> {
                        PartitionLog log = d.log();
                        // Retention planned against the published state. Only retention and
                        // truncations move the start or change chunk bounds, so a plan made before
                        // either is stale: skip it (the next run plans again).
                        if (d.plannedStart() == log.start && d.plannedTruncations() == log.truncations
                                && d.newStart() > log.start && d.newStart() < log.end) {
                            batch.deleteRange(rocks.log, Keys.log(log.topicId, log.partition, 0),
                                    Keys.log(log.topicId, log.partition, d.newStart()));
                            log.start = d.newStart();
                            log.size -= d.removedBytes();
                            GenerationHistory before = log.history;
                            log.history = before.prunedBelow(log.start);
                            writeHistoryChanges(log, before);
                            markDirty(log);
                        }
                    }
                    case WriteRequest.CreateTopic c -> {
                        TopicInfo t = topics.writerLookup(c.name());
                        if (t == null) {
                            t = topics.create(c.name(), c.config());
                            batch.put(rocks.state, Keys.topic(t.name()), Keys.encodeTopic(t));
                            batch.put(rocks.state, Keys.NEXT_TOPIC_ID, Keys.intBytes(topics.nextId()));
                            created.add(t);
                        }
                        results[i] = t;
                    }
                    case WriteRequest.Stop s -> {
                    }
                }
            }
            // The state records go into the same batch as the chunks they describe: after a crash
            // both are there or neither is.
            for (PartitionLog log : dirty) {
                batch.put(rocks.state, log.stateKey, Keys.encodeState(log.start, log.end, log.size));
            }
            if (batch.count() > 0) {
                if (failNextWrite) {
                    failNextWrite = false;
                    throw new RocksDBException("injected write failure");
                }
                rocks.db.write(writeOptions, batch);
                batches++;
            }
        } catch (RocksDBException e) {
            discardBatch();
            fail(e);
            return completeAll(requests, failure);
        }
        batch.clear();
        // Durable now (or in the memtable under INTERVAL): let readers see it, then acknowledge.
        for (PartitionLog log : dirty) {
            log.publish();
        }
        dirty.clear();
        for (TopicInfo t : created) {
            topics.publish(t);
        }
        created.clear();
        appends += batchAppends;
        records += batchRecords;
        bytes += batchBytes;

        boolean stop = false;
        for (int i = 0; i < requests.size(); i++) {
            WriteRequest r = requests.get(i);
            switch (r) {
                case WriteRequest.Append a -> a.future().complete(new AppendResult(baseOffsets[i], a.count()));
                case WriteRequest.ReplicaAppend a -> {
                    if (results[i] instanceof RuntimeException refused) {
                        a.future().completeExceptionally(refused);
                    } else {
                        a.future().complete(new AppendResult(a.baseOffset(), a.count()));
                    }
                }
                case WriteRequest.BeginGeneration b -> {
                    if (results[i] instanceof RuntimeException refused) {
                        b.future().completeExceptionally(refused);
                    } else {
                        b.future().complete(null);
                    }
                }
                case WriteRequest.Truncate t -> {
                    if (results[i] instanceof RuntimeException refused) {
                        t.future().completeExceptionally(refused);
                    } else {
                        t.future().complete((Long) results[i]);
                    }
                }
                case WriteRequest.CommitOffsets c -> c.future().complete(null);
                case WriteRequest.DeleteChunks d -> d.future().complete(null);
                case WriteRequest.CreateTopic c -> c.future().complete((TopicInfo) results[i]);
                case WriteRequest.Stop s -> {
                    stop = true;
                    s.future().complete(null);
                }
            }
            results[i] = null;
        }
        return stop;
    }

    /** Tells a leader's listener where its chunk landed; its failure must not fail the batch. */
    private static void notifyAssigned(WriteRequest.Append a, long base) {
        if (a.onAssigned() == OffsetListener.NONE) {
            return;
        }
        try {
            a.onAssigned().assigned(base, a.chunk());
        } catch (RuntimeException e) {
            LOG.warn("offset listener of partition " + a.log().topicId + "/" + a.log().partition
                    + " failed at offset " + base, e);
        }
    }

    /** Records {@code generation} as starting at {@code start} if it is newer than the partition's last. */
    private void recordGeneration(PartitionLog log, int generation, long start) throws RocksDBException {
        if (generation > log.history.last()) {
            GenerationHistory before = log.history;
            log.history = before.with(generation, start);
            writeHistoryChanges(log, before);
        }
    }

    /** Puts the history's new entries into the batch and deletes the ones it no longer has. */
    private void writeHistoryChanges(PartitionLog log, GenerationHistory before) throws RocksDBException {
        GenerationHistory after = log.history;
        if (after == before) {
            return;
        }
        for (int i = 0; i < before.size(); i++) {
            if (after.startOf(before.generation(i)).isEmpty()) {
                batch.delete(rocks.state, Keys.generation(log.topicId, log.partition, before.generation(i)));
            }
        }
        for (int i = 0; i < after.size(); i++) {
            if (before.startOf(after.generation(i)).isEmpty()) {
                batch.put(rocks.state, Keys.generation(log.topicId, log.partition, after.generation(i)),
                        Keys.longBytes(after.start(i)));
            }
        }
    }

    /**
     * Applies a truncation to the pending state and the batch; returns the new end. Runs first in
     * its batch, so RocksDB already holds every chunk below the pending end. It reads the size of
     * every removed chunk (for the size record) on this thread: fine for the unacknowledged tail a
     * follower drops, slow for a huge one.
     */
    private long truncate(PartitionLog log, long offset) throws RocksDBException {
        if (offset >= log.end) {
            return log.end;
        }
        long newEnd;
        if (offset <= log.start) {
            // Nothing below `offset` is kept: start again, empty, at `offset` (Kafka's
            // truncateFullyAndStartAt), so a follower can take the leader's chunks from there.
            batch.deleteRange(rocks.log, Keys.log(log.topicId, log.partition, 0),
                    Keys.log(log.topicId, log.partition, Long.MAX_VALUE));
            newEnd = offset;
            log.start = offset;
            log.size = 0;
        } else {
            long removed = 0;
            try (RocksIterator it = rocks.db.newIterator(rocks.log, rocks.scanOptions)) {
                it.seekForPrev(Keys.log(log.topicId, log.partition, offset));
                if (!it.isValid() || !Keys.isLogKeyOf(it.key(), log.topicId, log.partition)
                        || Keys.baseOffsetOfLogKey(it.key()) < log.start) {
                    it.status();
                    throw new StorageException("partition " + log.topicId + "/" + log.partition
                            + " has no chunk at or below offset " + offset + " although it starts at " + log.start);
                }
                // A chunk is never split: the new end is the base of the chunk holding `offset`.
                newEnd = Keys.baseOffsetOfLogKey(it.key());
                for (; it.isValid() && Keys.isLogKeyOf(it.key(), log.topicId, log.partition); it.next()) {
                    removed += it.value(header);
                }
                it.status();
            }
            batch.deleteRange(rocks.log, Keys.log(log.topicId, log.partition, newEnd),
                    Keys.log(log.topicId, log.partition, Long.MAX_VALUE));
            log.size -= removed;
        }
        log.end = newEnd;
        log.truncations++;
        GenerationHistory before = log.history;
        log.history = before.truncatedTo(newEnd);
        writeHistoryChanges(log, before);
        markDirty(log);
        return newEnd;
    }

    /**
     * Removes every chunk and starts the log again, empty, at {@code offset}, with no generation history
     * (Kafka's truncateFullyAndStartAt, which also clears the leader-epoch cache): the chunks appended next
     * record their generations. Returns the new end, or the refusal when {@code offset} lies below the end.
     */
    private Object restartAt(PartitionLog log, long offset) throws RocksDBException {
        if (offset < log.end) {
            return new IllegalArgumentException("partition " + log.topicId + "/" + log.partition + " ends at "
                    + log.end + ": it cannot restart at " + offset + " (truncate it instead)");
        }
        batch.deleteRange(rocks.log, Keys.log(log.topicId, log.partition, 0),
                Keys.log(log.topicId, log.partition, Long.MAX_VALUE));
        log.start = offset;
        log.end = offset;
        log.size = 0;
        log.truncations++;
        GenerationHistory before = log.history;
        log.history = GenerationHistory.EMPTY;
        writeHistoryChanges(log, before);
        markDirty(log);
        return offset;
    }

    /** Forgets a batch that was not written. The store is failed by then: pending offsets stay unpublished. */
    private void discardBatch() {
        batch.clear();
        for (PartitionLog log : dirty) {
            log.dirty = false;
        }
        dirty.clear();
        created.clear();
    }

    private void markDirty(PartitionLog log) {
        if (!log.dirty) {
            log.dirty = true;
            dirty.add(log);
        }
    }

    /** Fails every request but Stop; true if Stop was among them. */
    private static boolean completeAll(List<WriteRequest> requests, StorageException failure) {
        boolean stop = false;
        for (WriteRequest r : requests) {
            if (r instanceof WriteRequest.Stop s) {
                stop = true;
                s.future().complete(null);
            } else {
                r.future().completeExceptionally(failure);
            }
        }
        return stop;
    }

    private void fail(Throwable cause) {
        synchronized (failureLock) {
            if (failure != null) {
                return;
            }
            failure = new StorageException("a storage write failed, the store accepts no more writes: "
                    + cause.getMessage(), cause);
        }
        try {
            config.failureHandler().accept(cause);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

}
