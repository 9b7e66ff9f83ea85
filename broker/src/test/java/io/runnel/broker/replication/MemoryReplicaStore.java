package io.runnel.broker.replication;

import io.runnel.storage.AppendResult;
import io.runnel.storage.Chunk;
import io.runnel.storage.LogStore;
import io.runnel.storage.OffsetKey;
import io.runnel.storage.OffsetListener;
import io.runnel.storage.OffsetMismatchException;
import io.runnel.storage.PartitionState;
import io.runnel.storage.ReadResult;
import io.runnel.storage.TopicConfig;
import io.runnel.storage.TopicInfo;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * A deterministic in-memory {@link LogStore} with the replication methods, for driving the roles without threads:
 * everything happens on the caller's thread. Appends are stamped at once (the offset listener runs inside
 * {@code append}, as on the real store's writer thread); they become durable when the test calls {@link #sync},
 * or at once with {@link #syncImmediately}. Follows the contract documented on {@link LogStore} (generation
 * history, truncation, restart). Unit tests only; the real store is tested in the storage module.
 */
final class MemoryReplicaStore implements LogStore {
    private final Map<String, TopicInfo> topics = new LinkedHashMap<>();
    private final Map<Long, Log> logs = new HashMap<>();
    private final Deque<Runnable> unsynced = new ArrayDeque<>();
    private boolean syncImmediately = true;

    private static final class Log {
        final TreeMap<Long, byte[]> chunks = new TreeMap<>();
        final TreeMap<Integer, Long> history = new TreeMap<>();
        long start;
        long end;
        long bytes;
    }

    /** Appends stay unsynced until {@link #sync}: a slow disk. */
    MemoryReplicaStore holdSyncs() {
        syncImmediately = false;
        return this;
    }

    /** Makes every append so far durable (completes their futures, in order). */
    void sync() {
        Runnable r;
        while ((r = unsynced.poll()) != null) {
            r.run();
        }
    }

    private Log log(int topicId, int partition) {
        return logs.computeIfAbsent(((long) topicId << 32) | partition, k -> new Log());
    }

    /** The stamped chunks of a partition, by base offset (for assertions). */
    List<byte[]> chunks(String topic, int partition) {
        return List.copyOf(log(topics.get(topic).id(), partition).chunks.values());
    }

    @Override
    public TopicInfo ensureTopic(String name, TopicConfig config) {
        return topics.computeIfAbsent(name, n -> new TopicInfo(n, topics.size() + 1, config));
    }

    @Override
    public Optional<TopicInfo> topic(String name) {
        return Optional.ofNullable(topics.get(name));
    }

    @Override
    public Collection<TopicInfo> topics() {
        return List.copyOf(topics.values());
    }

    @Override
    public CompletableFuture<AppendResult> append(int topicId, int partition, int generation, byte[] chunk) {
        return append(topicId, partition, generation, chunk, OffsetListener.NONE);
    }

    @Override
    public CompletableFuture<AppendResult> append(int topicId, int partition, int generation, byte[] chunk,
                                                  OffsetListener onAssigned) {
        Log log = log(topicId, partition);
        long base = log.end;
        Chunk.stamp(chunk, base, generation);
        int count = Chunk.recordCount(chunk);
        if (generation > lastGeneration(topicId, partition)) {
            log.history.put(generation, base);
        }
        put(log, base, chunk, count);
        onAssigned.assigned(base, chunk);
        return durable(new AppendResult(base, count));
    }

    @Override
    public CompletableFuture<AppendResult> appendReplica(int topicId, int partition, byte[] stampedChunk) {
        Log log = log(topicId, partition);
        Chunk c = Chunk.wrap(stampedChunk);
        if (c.baseOffset() != log.end) {
            return CompletableFuture.failedFuture(new OffsetMismatchException(log.end, c.baseOffset()));
        }
        if (c.generation() > lastGeneration(topicId, partition)) {
            log.history.put(c.generation(), c.baseOffset());
        }
        put(log, c.baseOffset(), stampedChunk, c.count());
        return durable(new AppendResult(c.baseOffset(), c.count()));
    }

    private static void put(Log log, long base, byte[] chunk, int count) {
        log.chunks.put(base, chunk);
        log.end = base + count;
        log.bytes += chunk.length;
    }

    private <T> CompletableFuture<T> durable(T value) {
        CompletableFuture<T> f = new CompletableFuture<>();
        if (syncImmediately) {
            f.complete(value);
        } else {
            unsynced.add(() -> f.complete(value));
        }
        return f;
    }

    @Override
    public CompletableFuture<Void> beginGeneration(int topicId, int partition, int generation) {
        Log log = log(topicId, partition);
        int last = lastGeneration(topicId, partition);
        if (generation == last) {
            return CompletableFuture.completedFuture(null);
        }
        if (generation < last) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(generation + " < " + last));
        }
        if (!log.history.isEmpty() && log.history.lastEntry().getValue() == log.end) {
            log.history.pollLastEntry(); // starts strictly increase: an empty generation is replaced
        }
        log.history.put(generation, log.end);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Long> truncate(int topicId, int partition, long offset) {
        Log log = log(topicId, partition);
        if (offset >= log.end) {
            return CompletableFuture.completedFuture(log.end);
        }
        if (offset <= log.start) {
            log.chunks.clear();
            log.start = offset;
            log.end = offset;
            log.bytes = 0;
        } else {
            Long cut = log.chunks.floorKey(offset);
            long newEnd = cut == null ? log.start : cut;
            log.chunks.tailMap(newEnd, true).values().forEach(c -> log.bytes -= c.length);
            log.chunks.tailMap(newEnd, true).clear();
            log.end = newEnd;
        }
        log.history.values().removeIf(start -> start >= log.end);
        return CompletableFuture.completedFuture(log.end);
    }

    @Override
    public CompletableFuture<Long> restartAt(int topicId, int partition, long offset) {
        Log log = log(topicId, partition);
        if (offset < log.end) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(offset + " < " + log.end));
        }
        log.chunks.clear();
        log.history.clear();
        log.start = offset;
        log.end = offset;
        log.bytes = 0;
        return CompletableFuture.completedFuture(offset);
    }

    /** Retention by hand: drops whole chunks that end at or below {@code offset}. */
    void deleteBefore(String topic, int partition, long offset) {
        Log log = log(topics.get(topic).id(), partition);
        while (!log.chunks.isEmpty()) {
            Chunk c = Chunk.wrap(log.chunks.firstEntry().getValue());
            if (c.nextOffset() > offset) {
                break;
            }
            log.chunks.pollFirstEntry();
            log.bytes -= c.sizeBytes();
            log.start = c.nextOffset();
        }
    }

    @Override
    public int lastGeneration(int topicId, int partition) {
        Log log = log(topicId, partition);
        return log.history.isEmpty() ? 0 : log.history.lastKey();
    }

    @Override
    public OptionalLong generationStart(int topicId, int partition, int generation) {
        Long start = log(topicId, partition).history.get(generation);
        return start == null ? OptionalLong.empty() : OptionalLong.of(start);
    }

    @Override
    public long endOffsetForGeneration(int topicId, int partition, int generation) {
        Log log = log(topicId, partition);
        var next = log.history.higherEntry(generation);
        return next == null ? log.end : next.getValue();
    }

    @Override
    public int floorGeneration(int topicId, int partition, int generation) {
        Integer floor = log(topicId, partition).history.floorKey(generation);
        return floor == null ? 0 : floor;
    }

    @Override
    public ReadResult read(int topicId, int partition, long fromOffset, int maxBytes) {
        Log log = log(topicId, partition);
        long from = Math.max(fromOffset, log.start);
        List<Chunk> out = new ArrayList<>();
        long next = from;
        long bytes = 0;
        Long key = log.chunks.floorKey(from);
        for (byte[] b : (key == null ? log.chunks : log.chunks.tailMap(key, true)).values()) {
            Chunk c = Chunk.wrap(b);
            if (c.nextOffset() <= from) {
                continue;
            }
            out.add(c);
            next = c.nextOffset();
            bytes += c.sizeBytes();
            if (bytes >= maxBytes) {
                break;
            }
        }
        return new ReadResult(List.copyOf(out), from, next);
    }

    @Override
    public long offsetForTimestamp(int topicId, int partition, long timestamp) {
        return log(topicId, partition).end;
    }

    @Override
    public PartitionState state(int topicId, int partition) {
        Log log = log(topicId, partition);
        return new PartitionState(log.start, log.end, log.bytes);
    }

    @Override
    public CompletableFuture<Void> commitOffsets(Map<OffsetKey, Long> offsets) {
        throw new UnsupportedOperationException();
    }

    @Override
    public OptionalLong committedOffset(OffsetKey key) {
        return OptionalLong.empty();
    }

    @Override
    public Map<OffsetKey, Long> committedOffsets(String group) {
        return Map.of();
    }

    @Override
    public CompletableFuture<Void> applyRetention() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public long corruptChunks() {
        return 0;
    }

    @Override
    public WriterStats writerStats() {
        return new WriterStats(0, 0, 0, 0);
    }

    @Override
    public void close() {
    }
}
