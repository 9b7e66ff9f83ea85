package io.runnel.storage.rocksdb;

import static io.runnel.storage.rocksdb.TestChunks.chunk;
import static io.runnel.storage.rocksdb.TestChunks.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.runnel.storage.AppendResult;
import io.runnel.storage.Chunk;
import io.runnel.storage.ChunkBuilder;
import io.runnel.storage.CorruptChunkException;
import io.runnel.storage.FsyncMode;
import io.runnel.storage.LogStore;
import io.runnel.storage.OffsetKey;
import io.runnel.storage.PartitionState;
import io.runnel.storage.ReadResult;
import io.runnel.storage.StorageConfig;
import io.runnel.storage.StorageException;
import io.runnel.storage.TopicConfig;
import io.runnel.storage.TopicInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksLogStoreTest {
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);
    private final AtomicInteger failures = new AtomicInteger();
    private LogStore store;

    private StorageConfig config() {
        return StorageConfig.defaults(dir.resolve("db"))
                .withMemory(8L << 20, 4L << 20)
                .withClock(clock)
                .withRetentionInterval(Duration.ofHours(1))
                .withFailureHandler(t -> failures.incrementAndGet());
    }

    private LogStore open() {
        store = LogStore.open(config());
        return store;
    }

    private LogStore reopen() {
        store.close();
        return open();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    @Test
    void appendsGetSequentialOffsetsAndReadBack() throws Exception {
        open();
        TopicInfo topic = store.ensureTopic("events", TopicConfig.DEFAULT);

        assertThat(get(store.append(topic.id(), 0, 7, chunk("a", 3, T0)))).isEqualTo(new AppendResult(0, 3));
        assertThat(get(store.append(topic.id(), 0, 7, chunk("b", 2, T0)))).isEqualTo(new AppendResult(3, 2));
        assertThat(get(store.append(topic.id(), 1, 7, chunk("c", 1, T0)))).isEqualTo(new AppendResult(0, 1));

        ReadResult r = store.read(topic.id(), 0, 0, 1 << 20);
        assertThat(values(r)).containsExactly("a-0", "a-1", "a-2", "b-0", "b-1");
        assertThat(r.fromOffset()).isZero();
        assertThat(r.nextOffset()).isEqualTo(5);
        assertThat(r.chunks()).extracting(Chunk::baseOffset).containsExactly(0L, 3L);
        assertThat(r.chunks()).extracting(Chunk::generation).containsExactly(7, 7);
        assertThat(store.state(topic.id(), 0)).isEqualTo(new PartitionState(0, 5, sizeOf(r)));
        assertThat(values(store.read(topic.id(), 1, 0, 1))).containsExactly("c-0");
        assertThat(store.state(topic.id(), 2)).isEqualTo(PartitionState.EMPTY);
    }

    @Test
    void readStartsAtTheChunkHoldingTheOffsetAndStopsAtMaxBytes() throws Exception {
        open();
        int t = store.ensureTopic("events", TopicConfig.DEFAULT).id();
        for (int i = 0; i < 5; i++) {
            get(store.append(t, 0, 0, chunk("c" + i, 4, T0)));
        }
        ReadResult mid = store.read(t, 0, 6, 1);
        assertThat(mid.chunks()).hasSize(1);
        assertThat(mid.chunks().get(0).baseOffset()).isEqualTo(4);
        assertThat(mid.fromOffset()).isEqualTo(6);
        assertThat(mid.nextOffset()).isEqualTo(8);
        assertThat(values(mid)).containsExactly("c1-2", "c1-3");

        int chunkSize = mid.chunks().get(0).sizeBytes();
        assertThat(store.read(t, 0, 0, 0).chunks()).hasSize(1);
        assertThat(store.read(t, 0, 0, chunkSize).chunks()).hasSize(1);
        assertThat(store.read(t, 0, 0, chunkSize + 1).chunks()).hasSize(2);
        assertThat(store.read(t, 0, 0, 2 * chunkSize).chunks()).hasSize(2);
        assertThat(store.read(t, 0, 3, 2 * chunkSize).nextOffset()).isEqualTo(8);

        ReadResult atEnd = store.read(t, 0, 20, 1 << 20);
        assertThat(atEnd.isEmpty()).isTrue();
        assertThat(atEnd.chunks()).isEmpty();
        assertThat(store.read(t, 0, 99, 1 << 20).isEmpty()).isTrue();
        assertThat(store.read(t, 9, 0, 1 << 20).isEmpty()).isTrue();
        assertThat(store.read(t, 0, 19, 1 << 20).nextOffset()).isEqualTo(20);
    }

    @Test
    void concurrentAppendersGetContiguousOffsetsInTheirOwnOrder() throws Exception {
        open();
        int t = store.ensureTopic("events", TopicConfig.DEFAULT).id();
        int threads = 8;
        int perThread = 300;
        List<List<CompletableFuture<AppendResult>>> results = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> appenders = new ArrayList<>();
        for (int th = 0; th < threads; th++) {
            List<CompletableFuture<AppendResult>> mine = new ArrayList<>();
            results.add(mine);
            int id = th;
            Thread a = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    mine.add(store.append(t, 0, 1, chunk("t" + id + "." + i, 1 + (i % 4), T0)));
                }
            });
            a.start();
            appenders.add(a);
        }
        go.countDown();
        for (Thread a : appenders) {
            a.join(30_000);
        }

        List<long[]> ranges = new ArrayList<>();
        for (int th = 0; th < threads; th++) {
            long previous = -1;
            for (int i = 0; i < perThread; i++) {
                AppendResult r = get(results.get(th).get(i));
                assertThat(r.count()).isEqualTo(1 + (i % 4));
                assertThat(r.baseOffset()).as("thread %d append %d comes after its previous one", th, i)
                        .isGreaterThan(previous);
                previous = r.baseOffset();
                ranges.add(new long[] {r.baseOffset(), r.nextOffset(), th, i});
            }
        }
        ranges.sort(Comparator.comparingLong(r -> r[0]));
        long expected = 0;
        for (long[] r : ranges) {
            assertThat(r[0]).as("no gap or overlap").isEqualTo(expected);
            expected = r[1];
        }
        assertThat(store.state(t, 0).logEndOffset()).isEqualTo(expected);

        // Content at each offset is the chunk that got that offset.
        ReadResult all = store.read(t, 0, 0, Integer.MAX_VALUE);
        assertThat(all.chunks()).hasSize(ranges.size());
        for (int i = 0; i < ranges.size(); i++) {
            Chunk c = all.chunks().get(i);
            long[] r = ranges.get(i);
            assertThat(c.baseOffset()).isEqualTo(r[0]);
            Chunk.RecordCursor cursor = c.cursor();
            assertThat(cursor.next()).isTrue();
            assertThat(TestChunks.value(cursor)).isEqualTo("t" + r[2] + "." + r[3] + "-0");
        }

        LogStore.WriterStats stats = store.writerStats();
        assertThat(stats.appends()).isEqualTo(threads * perThread);
        assertThat(stats.records()).isEqualTo(expected);
        assertThat(stats.batches()).as("group commit: fewer fsynced batches than appends").isLessThan(stats.appends());
    }

    @Test
    void reopenPreservesDataTopicsOffsetsAndContinuesOffsets() throws Exception {
        open();
        TopicInfo a = store.ensureTopic("a", TopicConfig.DEFAULT);
        TopicInfo b = store.ensureTopic("b", new TopicConfig(Duration.ofMinutes(5), 1 << 20));
        get(store.append(a.id(), 3, 2, chunk("x", 2, T0)));
        get(store.append(b.id(), 0, 2, chunk("y", 1, T0)));
        OffsetKey key = new OffsetKey("group", a.id(), 3);
        get(store.commitOffsets(Map.of(key, 2L)));
        PartitionState before = store.state(a.id(), 3);

        reopen();
        assertThat(store.topic("a")).contains(a);
        assertThat(store.topic("b")).contains(b);
        assertThat(store.topics()).containsExactlyInAnyOrder(a, b);
        assertThat(store.state(a.id(), 3)).isEqualTo(before);
        assertThat(values(store.read(a.id(), 3, 0, 1 << 20))).containsExactly("x-0", "x-1");
        assertThat(store.committedOffset(key)).isEqualTo(OptionalLong.of(2));
        assertThat(get(store.append(a.id(), 3, 3, chunk("z", 1, T0)))).isEqualTo(new AppendResult(2, 1));
        TopicInfo c = store.ensureTopic("c", TopicConfig.DEFAULT);
        assertThat(c.id()).isNotIn(a.id(), b.id());
    }

    @Test
    void ensureTopicIsIdempotentAndValidatesNames() {
        open();
        TopicInfo first = store.ensureTopic("orders.v1_x-y", TopicConfig.DEFAULT);
        TopicInfo again = store.ensureTopic("orders.v1_x-y", new TopicConfig(Duration.ofHours(1), 10));
        assertThat(again).isEqualTo(first);
        assertThat(store.ensureTopic("other", TopicConfig.DEFAULT).id()).isNotEqualTo(first.id());
        assertThat(store.topic("missing")).isEmpty();
        for (String bad : new String[] {"", ".", "..", "a/b", "a b", "x".repeat(250), "é"}) {
            assertThatThrownBy(() -> store.ensureTopic(bad, TopicConfig.DEFAULT))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void committedOffsetsAreScopedByGroupAndPersist() throws Exception {
        open();
        // "g" must not see "g2"'s or "g\0..."'s offsets although their bytes start alike.
        OffsetKey g0 = new OffsetKey("g", 1, 0);
        OffsetKey g1 = new OffsetKey("g", 1, 1);
        OffsetKey g2 = new OffsetKey("g2", 1, 0);
        OffsetKey odd = new OffsetKey("g\u0000\u00ff grüße", 2, 7);
        get(store.commitOffsets(Map.of(g0, 10L, g1, 11L, g2, 12L, odd, 13L)));
        get(store.commitOffsets(Map.of(g0, 20L)));
        get(store.commitOffsets(Map.of()));

        assertThat(store.committedOffsets("g")).isEqualTo(Map.of(g0, 20L, g1, 11L));
        assertThat(store.committedOffsets("g2")).isEqualTo(Map.of(g2, 12L));
        assertThat(store.committedOffsets(odd.group())).isEqualTo(Map.of(odd, 13L));
        assertThat(store.committedOffsets("nobody")).isEmpty();
        assertThat(store.committedOffset(new OffsetKey("g", 1, 2))).isEmpty();

        reopen();
        assertThat(store.committedOffsets("g")).isEqualTo(Map.of(g0, 20L, g1, 11L));
        assertThat(store.committedOffset(odd)).isEqualTo(OptionalLong.of(13));
        assertThatThrownBy(() -> get(store.commitOffsets(Map.of(g0, -1L))))
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void retentionByTimeDeletesOldWholeChunksButKeepsTheLast() throws Exception {
        open();
        int t = store.ensureTopic("events", new TopicConfig(Duration.ofHours(1), -1)).id();
        get(store.append(t, 0, 0, chunk("old0", 2, T0)));
        get(store.append(t, 0, 0, chunk("old1", 2, T0 + 1000)));
        clock.advance(Duration.ofMinutes(30));
        get(store.append(t, 0, 0, chunk("mid", 2, clock.millis())));
        clock.advance(Duration.ofMinutes(45)); // old chunks are 75 min old, "mid" 45 min
        get(store.append(t, 0, 0, chunk("new", 2, clock.millis())));
        long sizeBefore = store.state(t, 0).sizeBytes();

        get(store.applyRetention());
        PartitionState s = store.state(t, 0);
        assertThat(s.logStartOffset()).isEqualTo(4);
        assertThat(s.logEndOffset()).isEqualTo(8);
        assertThat(s.sizeBytes()).isEqualTo(sizeOf(store.read(t, 0, 0, Integer.MAX_VALUE)));
        assertThat(s.sizeBytes()).isLessThan(sizeBefore);
        ReadResult fromZero = store.read(t, 0, 0, 1 << 20);
        assertThat(fromZero.fromOffset()).isEqualTo(4);
        assertThat(values(fromZero)).containsExactly("mid-0", "mid-1", "new-0", "new-1");

        // Everything expired: the last chunk stays so the partition keeps its end offset.
        clock.advance(Duration.ofDays(1));
        get(store.applyRetention());
        assertThat(store.state(t, 0).logStartOffset()).isEqualTo(6);
        assertThat(values(store.read(t, 0, 0, 1 << 20))).containsExactly("new-0", "new-1");

        reopen();
        assertThat(store.state(t, 0)).isEqualTo(new PartitionState(6, 8, s.sizeBytes() - sizeOf(fromZero.chunks().get(0))));
        assertThat(get(store.append(t, 0, 0, chunk("after", 1, clock.millis())))).isEqualTo(new AppendResult(8, 1));
    }

    @Test
    void retentionBySizeKeepsThePartitionUnderItsLimit() throws Exception {
        open();
        byte[] probe = TestChunks.sized(10, 100, T0);
        int chunkSize = probe.length;
        int t = store.ensureTopic("events", new TopicConfig(Duration.ofDays(7), chunkSize * 5L / 2)).id();
        for (int i = 0; i < 5; i++) {
            get(store.append(t, 0, 0, TestChunks.sized(10, 100, T0)));
        }
        get(store.append(t, 1, 0, TestChunks.sized(10, 100, T0)));
        get(store.applyRetention());
        assertThat(store.state(t, 0)).isEqualTo(new PartitionState(30, 50, 2L * chunkSize));
        assertThat(store.state(t, 1)).isEqualTo(new PartitionState(0, 10, chunkSize));
        assertThat(store.read(t, 0, 0, Integer.MAX_VALUE).chunks()).extracting(Chunk::baseOffset)
                .containsExactly(30L, 40L);
        get(store.applyRetention());
        assertThat(store.state(t, 0).logStartOffset()).isEqualTo(30);
    }

    @Test
    void offsetForTimestampFindsTheFirstRecordAtOrAfterIt() throws Exception {
        open();
        int t = store.ensureTopic("events", TopicConfig.DEFAULT).id();
        assertThat(store.offsetForTimestamp(t, 0, T0)).isZero();
        ChunkBuilder b = new ChunkBuilder();
        for (long ts : new long[] {T0, T0 + 10, T0 + 5, T0 + 20}) { // offsets 0..3
            b.add(new byte[] {1}, 0, 1, ts);
        }
        get(store.append(t, 0, 0, b.build()));
        get(store.append(t, 0, 0, chunk("later", 2, T0 + 100))); // offsets 4, 5

        assertThat(store.offsetForTimestamp(t, 0, T0 - 1)).isZero();
        assertThat(store.offsetForTimestamp(t, 0, T0)).isZero();
        assertThat(store.offsetForTimestamp(t, 0, T0 + 1)).isEqualTo(1);
        assertThat(store.offsetForTimestamp(t, 0, T0 + 11)).isEqualTo(3);
        assertThat(store.offsetForTimestamp(t, 0, T0 + 21)).isEqualTo(4);
        assertThat(store.offsetForTimestamp(t, 0, T0 + 100)).isEqualTo(4);
        assertThat(store.offsetForTimestamp(t, 0, T0 + 101)).isEqualTo(6);
    }

    @Test
    void corruptChunkOnDiskIsDetectedAndCounted() throws Exception {
        open();
        int t = store.ensureTopic("events", TopicConfig.DEFAULT).id();
        get(store.append(t, 0, 0, chunk("good", 2, T0)));
        get(store.append(t, 0, 0, chunk("bad", 2, T0)));
        store.close();

        try (RocksHandles raw = RocksHandles.open(config())) {
            byte[] key = Keys.log(t, 0, 2);
            byte[] value = raw.db.get(raw.log, key);
            value[value.length - 1] ^= 0x01;
            raw.db.put(raw.log, key, value);
        }

        open();
        assertThat(values(store.read(t, 0, 0, 1))).containsExactly("good-0", "good-1");
        assertThat(store.corruptChunks()).isZero();
        assertThatThrownBy(() -> store.read(t, 0, 2, 1 << 20)).isInstanceOf(CorruptChunkException.class);
        assertThatThrownBy(() -> store.read(t, 0, 0, 1 << 20)).isInstanceOf(CorruptChunkException.class);
        assertThat(store.corruptChunks()).isEqualTo(2);
    }

    @Test
    void appendRejectsMalformedChunksAndUnknownTopics() throws Exception {
        open();
        int t = store.ensureTopic("events", TopicConfig.DEFAULT).id();
        byte[] bad = chunk("x", 2, T0);
        bad[bad.length - 1] ^= 1;
        assertThatThrownBy(() -> get(store.append(t, 0, 0, bad))).hasCauseInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> get(store.append(t, 0, 0, new byte[3]))).hasCauseInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> get(store.append(t + 100, 0, 0, chunk("x", 1, T0))))
                .hasCauseInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> get(store.append(t, -1, 0, chunk("x", 1, T0))))
                .hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat(store.state(t, 0)).isEqualTo(PartitionState.EMPTY);
        assertThat(failures).hasValue(0);
    }

    @Test
    void closedStoreRejectsWritesAndReads() throws Exception {
        open();
        int t = store.ensureTopic("events", TopicConfig.DEFAULT).id();
        get(store.append(t, 0, 0, chunk("x", 1, T0)));
        store.close();
        assertThatThrownBy(() -> get(store.append(t, 0, 0, chunk("y", 1, T0))))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(StorageException.class);
        assertThatThrownBy(() -> get(store.commitOffsets(Map.of(new OffsetKey("g", t, 0), 1L))))
                .hasCauseInstanceOf(StorageException.class);
        assertThatThrownBy(() -> store.read(t, 0, 0, 100)).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> get(store.applyRetention())).hasCauseInstanceOf(StorageException.class);
        store.close(); // idempotent
        store = null;
    }

    @Test
    void closeCompletesQueuedWrites() throws Exception {
        open();
        int t = store.ensureTopic("events", TopicConfig.DEFAULT).id();
        List<CompletableFuture<AppendResult>> pending = IntStream.range(0, 200)
                .mapToObj(i -> store.append(t, i % 3, 0, chunk("q" + i, 2, T0))).toList();
        store.close();
        for (CompletableFuture<AppendResult> f : pending) {
            assertThat(f).isCompletedWithValueMatching(r -> r.count() == 2);
        }
        open();
        assertThat(IntStream.range(0, 3).mapToLong(p -> store.state(t, p).logEndOffset()).sum()).isEqualTo(400);
    }

    @Test
    void aFailedWriteFailsTheStoreOnceAndForAll() throws Exception {
        open();
        int t = store.ensureTopic("events", TopicConfig.DEFAULT).id();
        get(store.append(t, 0, 0, chunk("kept", 1, T0)));
        ((RocksLogStore) store).failNextWrite();

        assertThatThrownBy(() -> get(store.append(t, 0, 0, chunk("lost", 1, T0))))
                .hasCauseInstanceOf(StorageException.class);
        assertThatThrownBy(() -> get(store.append(t, 0, 0, chunk("later", 1, T0))))
                .hasCauseInstanceOf(StorageException.class);
        assertThatThrownBy(() -> get(store.commitOffsets(Map.of(new OffsetKey("g", t, 0), 1L))))
                .hasCauseInstanceOf(StorageException.class);
        assertThatThrownBy(() -> store.ensureTopic("new", TopicConfig.DEFAULT)).isInstanceOf(StorageException.class);
        assertThat(failures).hasValue(1);
        assertThat(store.state(t, 0).logEndOffset()).isEqualTo(1);
        assertThat(values(store.read(t, 0, 0, 1 << 20))).containsExactly("kept-0");

        reopen();
        assertThat(values(store.read(t, 0, 0, 1 << 20))).containsExactly("kept-0");
        assertThat(get(store.append(t, 0, 0, chunk("next", 1, T0)))).isEqualTo(new AppendResult(1, 1));
    }

    @Test
    void intervalFsyncModeAppendsReadsAndPersists() throws Exception {
        store = LogStore.open(config().withFsync(FsyncMode.INTERVAL));
        int t = store.ensureTopic("events", TopicConfig.DEFAULT).id();
        for (int i = 0; i < 10; i++) {
            get(store.append(t, 0, 0, chunk("i" + i, 1, T0)));
        }
        assertThat(store.read(t, 0, 0, Integer.MAX_VALUE).nextOffset()).isEqualTo(10);
        reopen();
        assertThat(values(store.read(t, 0, 9, 1))).containsExactly("i9-0");
    }

    @Test
    void recoveryRepairsAStateRecordThatDisagreesWithTheLog() throws Exception {
        open();
        int t = store.ensureTopic("events", TopicConfig.DEFAULT).id();
        get(store.append(t, 0, 0, chunk("a", 2, T0)));
        get(store.append(t, 0, 0, chunk("b", 3, T0)));
        PartitionState good = store.state(t, 0);
        store.close();
        try (RocksHandles raw = RocksHandles.open(config())) {
            raw.db.put(raw.state, Keys.partitionState(t, 0), Keys.encodeState(0, 2, 1));
        }
        open();
        assertThat(store.state(t, 0)).isEqualTo(good);
        assertThat(get(store.append(t, 0, 0, chunk("c", 1, T0)))).isEqualTo(new AppendResult(5, 1));
    }

    @Test
    void theFailureHandlerMayCloseTheStore() throws Exception {
        AtomicReference<LogStore> self = new AtomicReference<>();
        CompletableFuture<Throwable> handled = new CompletableFuture<>();
        store = LogStore.open(config().withFailureHandler(t -> {
            self.get().close(); // on the writer thread: must not deadlock
            handled.complete(t);
        }));
        self.set(store);
        int t = store.ensureTopic("events", TopicConfig.DEFAULT).id();
        ((RocksLogStore) store).failNextWrite();
        CompletableFuture<AppendResult> lost = store.append(t, 0, 0, chunk("lost", 1, T0));
        assertThat(handled.get(10, TimeUnit.SECONDS)).hasMessageContaining("injected");
        assertThatThrownBy(() -> get(lost)).hasCauseInstanceOf(StorageException.class);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThatThrownBy(() -> store.read(t, 0, 0, 1)).hasMessageContaining("closed"));
        open(); // the DB lock was released: the closer finished
    }

    @Test
    void aCompletionCallbackMayCloseTheStore() throws Exception {
        open();
        int t = store.ensureTopic("events", TopicConfig.DEFAULT).id();
        LogStore first = store;
        CompletableFuture<AppendResult> second = new CompletableFuture<>();
        first.append(t, 0, 0, chunk("a", 1, T0)).thenRun(() -> {
            first.append(t, 0, 0, chunk("b", 1, T0)).whenComplete((r, e) -> {
                if (e != null) {
                    second.completeExceptionally(e);
                } else {
                    second.complete(r);
                }
            });
            first.close();
        });
        // "b" was queued before close() began, so close() writes it.
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(new AppendResult(1, 1));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThatThrownBy(() -> first.read(t, 0, 0, 1)).hasMessageContaining("closed"));
        open();
        assertThat(values(store.read(t, 0, 0, 1 << 20))).containsExactly("a-0", "b-0");
    }

    @Test
    void retentionCopesWithAnEndlessRetentionPeriod() throws Exception {
        open();
        int t = store.ensureTopic("forever", new TopicConfig(Duration.ofSeconds(Long.MAX_VALUE), -1)).id();
        get(store.append(t, 0, 0, chunk("a", 1, Long.MIN_VALUE / 2)));
        get(store.append(t, 0, 0, chunk("b", 1, T0)));
        clock.advance(Duration.ofDays(365_000));
        get(store.applyRetention());
        assertThat(store.state(t, 0).logStartOffset()).isZero();
        reopen();
        assertThat(store.topic("forever").orElseThrow().config().retention()).isEqualTo(Duration.ofSeconds(Long.MAX_VALUE));
    }

    private static long sizeOf(ReadResult r) {
        return r.chunks().stream().mapToLong(Chunk::sizeBytes).sum();
    }

    private static long sizeOf(Chunk c) {
        return c.sizeBytes();
    }
}
