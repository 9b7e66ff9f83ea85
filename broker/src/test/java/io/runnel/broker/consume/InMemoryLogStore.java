package io.runnel.broker.consume;

import io.runnel.storage.AppendResult;
import io.runnel.storage.Chunk;
import io.runnel.storage.LogStore;
import io.runnel.storage.OffsetKey;
import io.runnel.storage.PartitionState;
import io.runnel.storage.ReadResult;
import io.runnel.storage.TopicConfig;
import io.runnel.storage.TopicInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test fake of {@link LogStore}: logs in memory, writes completed on a single "writer" thread like
 * the real store's, reads on the caller's thread. Unit tests only; the real store is covered by
 * {@link ConsumerServiceStoreTest}.
 */
final class InMemoryLogStore implements LogStore {
    private final Map<String, TopicInfo> topics = new ConcurrentHashMap<>();
    private final AtomicInteger nextTopicId = new AtomicInteger(1);
    private final Map<Long, Log> logs = new ConcurrentHashMap<>();
    private final Map<OffsetKey, Long> offsets = new ConcurrentHashMap<>();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fake-store-writer");
        t.setDaemon(true);
        return t;
    });
    /** Every commitOffsets batch, in order. */
    final List<Map<OffsetKey, Long>> commits = new CopyOnWriteArrayList<>();
    /** Names of the threads read() ran on. */
    final List<String> readThreads = new CopyOnWriteArrayList<>();
    /** When set, read() waits for it: lets a test act while a read is in flight. */
    volatile java.util.concurrent.CountDownLatch readGate;
    /** When set, commits wait for it before they become durable. */
    volatile java.util.concurrent.CountDownLatch commitGate;
    /** Counts reads that reached the gate. */
    final java.util.concurrent.Semaphore readsAtGate = new java.util.concurrent.Semaphore(0);

    private static final class Log {
        final java.util.TreeMap<Long, byte[]> chunks = new java.util.TreeMap<>();
        long start;
        long end;
        long bytes;
    }

    private Log log(int topicId, int partition) {
        return logs.computeIfAbsent(((long) topicId << 32) | partition, k -> new Log());
    }

    @Override
    public TopicInfo ensureTopic(String name, TopicConfig config) {
        return topics.computeIfAbsent(name, n -> new TopicInfo(n, nextTopicId.getAndIncrement(), config));
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
        return CompletableFuture.supplyAsync(() -> {
            Log log = log(topicId, partition);
            synchronized (log) {
                long base = log.end;
                Chunk.stamp(chunk, base, generation);
                int count = Chunk.recordCount(chunk);
                log.chunks.put(base, chunk);
                log.end += count;
                log.bytes += chunk.length;
                return new AppendResult(base, count);
            }
        }, writer);
    }

    /** Retention by hand: drops whole chunks that end at or below {@code offset}. */
    void deleteBefore(int topicId, int partition, long offset) {
        Log log = log(topicId, partition);
        synchronized (log) {
            while (!log.chunks.isEmpty()) {
                var first = log.chunks.firstEntry();
                Chunk c = Chunk.wrap(first.getValue());
                if (c.nextOffset() > offset) {
                    break;
                }
                log.chunks.pollFirstEntry();
                log.bytes -= c.sizeBytes();
                log.start = c.nextOffset();
            }
        }
    }

    @Override
    public ReadResult read(int topicId, int partition, long fromOffset, int maxBytes) {
        readThreads.add(Thread.currentThread().getName());
        java.util.concurrent.CountDownLatch gate = readGate;
        if (gate != null) {
            readsAtGate.release();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        Log log = log(topicId, partition);
        synchronized (log) {
            long from = Math.max(fromOffset, log.start);
            List<Chunk> out = new ArrayList<>();
            long next = from;
            Long key = log.chunks.floorKey(from);
            if (key == null) {
                key = log.chunks.isEmpty() ? null : log.chunks.firstKey();
            }
            long bytes = 0;
            if (key != null) {
                for (byte[] b : log.chunks.tailMap(key, true).values()) {
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
            }
            return new ReadResult(List.copyOf(out), from, next);
        }
    }

    @Override
    public long offsetForTimestamp(int topicId, int partition, long timestamp) {
        throw new UnsupportedOperationException();
    }

    @Override
    public PartitionState state(int topicId, int partition) {
        Log log = log(topicId, partition);
        synchronized (log) {
            return new PartitionState(log.start, log.end, log.bytes);
        }
    }

    @Override
    public CompletableFuture<Void> commitOffsets(Map<OffsetKey, Long> batch) {
        Map<OffsetKey, Long> copy = Map.copyOf(batch);
        java.util.concurrent.CountDownLatch gate = commitGate;
        return CompletableFuture.runAsync(() -> {
            if (gate != null) {
                try {
                    gate.await(); // a slow disk: the commit is not durable until the test says so
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            commits.add(copy);
            offsets.putAll(copy);
        }, writer);
    }

    @Override
    public OptionalLong committedOffset(OffsetKey key) {
        Long v = offsets.get(key);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    @Override
    public Map<OffsetKey, Long> committedOffsets(String group) {
        Map<OffsetKey, Long> out = new HashMap<>();
        offsets.forEach((k, v) -> {
            if (k.group().equals(group)) {
                out.put(k, v);
            }
        });
        return out;
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
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
