package io.runnel.storage.rocksdb;

import static io.runnel.storage.rocksdb.TestChunks.chunk;
import static io.runnel.storage.rocksdb.TestChunks.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.storage.AppendResult;
import io.runnel.storage.Chunk;
import io.runnel.storage.LogStore;
import io.runnel.storage.OffsetMismatchException;
import io.runnel.storage.PartitionState;
import io.runnel.storage.ReadResult;
import io.runnel.storage.StorageConfig;
import io.runnel.storage.StorageException;
import io.runnel.storage.TopicConfig;
import io.runnel.storage.TopicInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What replication needs from the store: pipelined appends, replica appends, generations, truncation. */
class ReplicationStorageTest {
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);
    private final AtomicInteger failures = new AtomicInteger();
    private final List<LogStore> open = new ArrayList<>();

    private StorageConfig config(String name) {
        return StorageConfig.defaults(dir.resolve(name))
                .withMemory(8L << 20, 4L << 20)
                .withClock(clock)
                .withRetentionInterval(Duration.ofHours(1))
                .withFailureHandler(t -> failures.incrementAndGet());
    }

    private LogStore open(String name) {
        LogStore store = LogStore.open(config(name));
        open.add(store);
        return store;
    }

    private LogStore reopen(LogStore store, String name) {
        store.close();
        open.remove(store);
        return open(name);
    }

    @AfterEach
    void closeStores() {
        open.forEach(LogStore::close);
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    /** A chunk as a leader would have stamped it. */
    private static byte[] stamped(String tag, int count, long baseOffset, int generation) {
        byte[] c = chunk(tag, count, T0);
        Chunk.stamp(c, baseOffset, generation);
        return c;
    }

    private static Throwable failureOf(CompletableFuture<?> f) {
        assertThatThrownBy(() -> get(f)).isInstanceOf(ExecutionException.class);
        return f.handle((v, e) -> e).join();
    }

    // ---------------------------------------------------------------- pipelined leader appends

    @Test
    void onAssignedGetsTheStampedChunkOnTheWriterBeforeTheAppendIsPublished() throws Exception {
        LogStore store = open("leader");
        int t = store.ensureTopic("events", TopicConfig.DEFAULT).id();
        get(store.append(t, 0, 4, chunk("first", 2, T0)));

        List<String> events = new CopyOnWriteArrayList<>();
        AtomicReference<byte[]> seen = new AtomicReference<>();
        AtomicReference<PartitionState> publishedAtCall = new AtomicReference<>();
        AtomicReference<String> thread = new AtomicReference<>();
        CompletableFuture<AppendResult> appended = store.append(t, 0, 4, chunk("second", 3, T0), (base, bytes) -> {
            events.add("assigned " + base);
            seen.set(bytes);
            publishedAtCall.set(store.state(t, 0));
            thread.set(Thread.currentThread().getName());
        });
        appended.thenRun(() -> events.add("completed"));
        assertThat(get(appended)).isEqualTo(new AppendResult(2, 3));

        assertThat(events).containsExactly("assigned 2", "completed");
        assertThat(thread.get()).isEqualTo("runnel-log-writer");
        // Called before the batch was written: readers could not see the chunk yet.
        assertThat(publishedAtCall.get().logEndOffset()).isEqualTo(2);
        Chunk shipped = Chunk.wrap(seen.get());
        assertThat(shipped.baseOffset()).isEqualTo(2);
        assertThat(shipped.generation()).isEqualTo(4);
        assertThat(shipped.count()).isEqualTo(3);
        Chunk stored = store.read(t, 0, 2, 1 << 20).chunks().get(0);
        assertThat(stored.bytes()).isEqualTo(seen.get());
    }

    @Test
    void onAssignedIsCalledInOffsetOrderAndItsFailureDoesNotFailTheAppend() throws Exception {
        LogStore store = open("leader");
        int t = store.ensureTopic("events", TopicConfig.DEFAULT).id();
        Map<Integer, List<Long>> calls = new ConcurrentHashMap<>();
        List<CompletableFuture<AppendResult>> all = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int p = i % 3;
            all.add(store.append(t, p, 1, chunk("c" + i, 1 + i % 4, T0),
                    (base, bytes) -> calls.computeIfAbsent(p, k -> new CopyOnWriteArrayList<>()).add(base)));
        }
        for (int p = 0; p < 3; p++) {
            List<Long> expected = new ArrayList<>();
            for (int i = p; i < 300; i += 3) {
                expected.add(get(all.get(i)).baseOffset());
            }
            assertThat(calls.get(p)).isEqualTo(expected).isSorted();
        }

        CompletableFuture<AppendResult> survived = store.append(t, 0, 1, chunk("boom", 1, T0), (base, bytes) -> {
            throw new IllegalStateException("listener bug");
        });
        assertThat(get(survived).count()).isEqualTo(1);
        assertThat(values(store.read(t, 0, get(survived).baseOffset(), 1))).containsExactly("boom-0");
        assertThat(failures).hasValue(0);
    }

    // ---------------------------------------------------------------- replica appends

    @Test
    void chunksCopiedLeaderToFollowerAreIdentical() throws Exception {
        LogStore leader = open("leader");
        LogStore follower = open("follower");
        int t = leader.ensureTopic("events", TopicConfig.DEFAULT).id();
        int ft = follower.ensureTopic("events", TopicConfig.DEFAULT).id();
        assertThat(ft).isEqualTo(t);
        get(leader.beginGeneration(t, 0, 3));

        // Pipelined as the broker does it: ship from the listener, while the leader's fsync runs.
        List<CompletableFuture<AppendResult>> replicated = new CopyOnWriteArrayList<>();
        List<CompletableFuture<AppendResult>> acked = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int generation = i < 30 ? 3 : 5;
            acked.add(leader.append(t, 0, generation, chunk("e" + i, 1 + i % 5, T0 + i),
                    (base, bytes) -> replicated.add(follower.appendReplica(t, 0, bytes))));
        }
        for (int i = 0; i < 50; i++) {
            AppendResult leaderAck = get(acked.get(i)); // the listener ran before this completed
            assertThat(get(replicated.get(i))).isEqualTo(leaderAck);
        }

        ReadResult l = leader.read(t, 0, 0, Integer.MAX_VALUE);
        ReadResult f = follower.read(t, 0, 0, Integer.MAX_VALUE);
        assertThat(f.chunks()).hasSameSizeAs(l.chunks()).hasSize(50);
        for (int i = 0; i < l.chunks().size(); i++) {
            assertThat(f.chunks().get(i).bytes()).isEqualTo(l.chunks().get(i).bytes());
            assertThat(f.chunks().get(i).crc()).isEqualTo(l.chunks().get(i).crc());
        }
        assertThat(follower.state(t, 0)).isEqualTo(leader.state(t, 0));
        // The leader recorded generation 3 at 0 through beginGeneration, the follower through the
        // first chunk: same history.
        for (int g = 0; g <= 6; g++) {
            assertThat(follower.generationStart(t, 0, g)).as("start of %d", g).isEqualTo(leader.generationStart(t, 0, g));
            assertThat(follower.endOffsetForGeneration(t, 0, g)).isEqualTo(leader.endOffsetForGeneration(t, 0, g));
        }
        assertThat(follower.lastGeneration(t, 0)).isEqualTo(5);
        assertThat(follower.writerStats().appends()).isEqualTo(50);
    }

    @Test
    void appendReplicaRefusesAChunkThatDoesNotStartAtTheLogEnd() throws Exception {
        LogStore follower = open("follower");
        int t = follower.ensureTopic("events", TopicConfig.DEFAULT).id();
        assertThat(get(follower.appendReplica(t, 0, stamped("a", 5, 0, 1)))).isEqualTo(new AppendResult(0, 5));
        PartitionState before = follower.state(t, 0);

        Throwable ahead = failureOf(follower.appendReplica(t, 0, stamped("gap", 2, 7, 1)));
        assertThat(ahead).isInstanceOf(OffsetMismatchException.class);
        assertThat(((OffsetMismatchException) ahead).expectedOffset()).isEqualTo(5);
        assertThat(((OffsetMismatchException) ahead).receivedOffset()).isEqualTo(7);

        Throwable behind = failureOf(follower.appendReplica(t, 0, stamped("old", 2, 3, 1)));
        assertThat(behind).isInstanceOf(OffsetMismatchException.class).isInstanceOf(StorageException.class);
        assertThat(((OffsetMismatchException) behind).expectedOffset()).isEqualTo(5);

        byte[] corrupt = stamped("bad", 2, 5, 1);
        corrupt[corrupt.length - 1] ^= 1;
        assertThat(failureOf(follower.appendReplica(t, 0, corrupt))).isInstanceOf(IllegalArgumentException.class);
        assertThat(failureOf(follower.appendReplica(t + 9, 0, stamped("x", 1, 0, 1))))
                .isInstanceOf(IllegalArgumentException.class);

        assertThat(follower.state(t, 0)).isEqualTo(before);
        assertThat(values(follower.read(t, 0, 0, Integer.MAX_VALUE))).hasSize(5);
        assertThat(failures).hasValue(0);
    }

    @Test
    void replicaAppendsQueuedTogetherChainOnThePendingEnd() throws Exception {
        LogStore follower = open("follower");
        int t = follower.ensureTopic("events", TopicConfig.DEFAULT).id();
        List<CompletableFuture<AppendResult>> chained = new ArrayList<>();
        long base = 0;
        for (int i = 0; i < 200; i++) {
            int count = 1 + i % 3;
            chained.add(follower.appendReplica(t, 0, stamped("r" + i, count, base, 2)));
            base += count;
        }
        CompletableFuture<AppendResult> stray = follower.appendReplica(t, 0, stamped("stray", 1, 1, 2));
        for (CompletableFuture<AppendResult> f : chained) {
            get(f);
        }
        assertThat(((OffsetMismatchException) failureOf(stray)).expectedOffset()).isEqualTo(base);
        assertThat(follower.state(t, 0).logEndOffset()).isEqualTo(base);
        assertThat(follower.writerStats().batches()).isLessThan(200);
    }

    // ---------------------------------------------------------------- generation history

    @Test
    void generationHistoryIsRecordedByAppendsAndBeginGenerationAndSurvivesReopen() throws Exception {
        LogStore store = open("s");
        int t = store.ensureTopic("events", TopicConfig.DEFAULT).id();
        assertThat(store.lastGeneration(t, 0)).isZero();
        assertThat(store.generationStart(t, 0, 1)).isEmpty();

        get(store.append(t, 0, 1, chunk("a", 2, T0)));          // 0..2, generation 1 starts at 0
        get(store.append(t, 0, 1, chunk("b", 2, T0)));          // 2..4
        get(store.beginGeneration(t, 0, 3));                     // generation 3 starts at 4
        assertThat(store.generationStart(t, 0, 3)).isEqualTo(OptionalLong.of(4));
        get(store.append(t, 0, 3, chunk("c", 2, T0)));          // 4..6, not a new generation
        get(store.append(t, 0, 5, chunk("d", 2, T0)));          // 6..8, generation 5 starts at 6
        get(store.append(t, 0, 2, chunk("stale", 1, T0)));      // 8..9, older: stored, not recorded
        get(store.beginGeneration(t, 0, 5));                     // the last one again: no-op
        assertThat(failureOf(store.beginGeneration(t, 0, 4))).isInstanceOf(IllegalArgumentException.class);

        // Another partition, never written: beginGeneration alone creates its history.
        get(store.beginGeneration(t, 7, 6));

        for (int round = 0; round < 2; round++) {
            assertThat(store.lastGeneration(t, 0)).isEqualTo(5);
            assertThat(store.generationStart(t, 0, 1)).isEqualTo(OptionalLong.of(0));
            assertThat(store.generationStart(t, 0, 2)).isEmpty();
            assertThat(store.generationStart(t, 0, 3)).isEqualTo(OptionalLong.of(4));
            assertThat(store.generationStart(t, 0, 5)).isEqualTo(OptionalLong.of(6));
            assertThat(store.lastGeneration(t, 7)).isEqualTo(6);
            assertThat(store.generationStart(t, 7, 6)).isEqualTo(OptionalLong.of(0));
            assertThat(store.state(t, 0).logEndOffset()).isEqualTo(9);
            store = reopen(store, "s");
        }
        // A generation in which nothing was written is replaced by the next one at the same start.
        get(store.beginGeneration(t, 0, 8));
        get(store.beginGeneration(t, 0, 9));
        assertThat(store.generationStart(t, 0, 8)).isEmpty();
        assertThat(store.generationStart(t, 0, 9)).isEqualTo(OptionalLong.of(9));
        get(store.append(t, 0, 9, chunk("e", 1, T0)));
        store = reopen(store, "s");
        assertThat(store.generationStart(t, 0, 8)).isEmpty();
        assertThat(store.generationStart(t, 0, 9)).isEqualTo(OptionalLong.of(9));
        assertThat(store.lastGeneration(t, 0)).isEqualTo(9);
    }

    @Test
    void endOffsetForGenerationHasKafkaSemantics() throws Exception {
        LogStore store = open("s");
        int t = store.ensureTopic("events", TopicConfig.DEFAULT).id();
        assertThat(store.endOffsetForGeneration(t, 0, 3)).as("empty partition").isZero();
        get(store.append(t, 0, 0, chunk("zero", 1, T0)));   // 0..1 generation 0 (never recorded)
        assertThat(store.endOffsetForGeneration(t, 0, 0)).isEqualTo(1);
        get(store.append(t, 0, 1, chunk("a", 3, T0)));      // generation 1 at 1
        get(store.append(t, 0, 3, chunk("b", 2, T0)));      // generation 3 at 4
        get(store.append(t, 0, 5, chunk("c", 4, T0)));      // generation 5 at 6, end 10

        // The start of the first generation greater than the one asked, or the log end.
        assertThat(store.endOffsetForGeneration(t, 0, 0)).isEqualTo(1);
        assertThat(store.endOffsetForGeneration(t, 0, 1)).isEqualTo(4);
        assertThat(store.endOffsetForGeneration(t, 0, 2)).isEqualTo(4);
        assertThat(store.endOffsetForGeneration(t, 0, 3)).isEqualTo(6);
        assertThat(store.endOffsetForGeneration(t, 0, 4)).isEqualTo(6);
        assertThat(store.endOffsetForGeneration(t, 0, 5)).isEqualTo(10);
        assertThat(store.endOffsetForGeneration(t, 0, 99)).isEqualTo(10);
        assertThat(store.floorGeneration(t, 0, 0)).isZero();
        assertThat(store.floorGeneration(t, 0, 2)).isEqualTo(1);
        assertThat(store.floorGeneration(t, 0, 3)).isEqualTo(3);
        assertThat(store.floorGeneration(t, 0, 4)).isEqualTo(3);
        assertThat(store.floorGeneration(t, 0, 99)).isEqualTo(5);

        // A leader that took over at 10 and wrote nothing yet: generation 5 ends at 10 either way.
        get(store.beginGeneration(t, 0, 7));
        assertThat(store.endOffsetForGeneration(t, 0, 5)).isEqualTo(10);
        assertThat(store.endOffsetForGeneration(t, 0, 6)).isEqualTo(10);
        assertThat(store.endOffsetForGeneration(t, 0, 7)).isEqualTo(10);
    }

    @Test
    void followerCatchUpTruncatesItsDivergentTailAndConverges() throws Exception {
        // Generation 1: the leader replicates 2 chunks, then writes 2 more that only it keeps.
        LogStore oldLeader = open("a");
        LogStore newLeader = open("b");
        int t = oldLeader.ensureTopic("events", TopicConfig.DEFAULT).id();
        newLeader.ensureTopic("events", TopicConfig.DEFAULT);
        for (int i = 0; i < 2; i++) {
            get(oldLeader.append(t, 0, 1, chunk("shared" + i, 3, T0),
                    (base, bytes) -> newLeader.appendReplica(t, 0, bytes)));
        }
        get(oldLeader.append(t, 0, 1, chunk("lost0", 3, T0)));
        get(oldLeader.append(t, 0, 1, chunk("lost1", 3, T0)));
        await(() -> newLeader.state(t, 0).logEndOffset() == 6);

        // Generation 2: b leads from its end (6) and writes new chunks.
        get(newLeader.beginGeneration(t, 0, 2));
        get(newLeader.append(t, 0, 2, chunk("new0", 2, T0)));

        // a joins as a follower: truncates to the end of its last generation in b's log.
        int last = oldLeader.lastGeneration(t, 0);
        assertThat(last).isEqualTo(1);
        long answer = newLeader.endOffsetForGeneration(t, 0, last);
        assertThat(answer).isEqualTo(6);
        long target = Math.min(oldLeader.state(t, 0).logEndOffset(), answer);
        assertThat(get(oldLeader.truncate(t, 0, target))).isEqualTo(6);
        for (Chunk c : newLeader.read(t, 0, 6, Integer.MAX_VALUE).chunks()) {
            get(oldLeader.appendReplica(t, 0, c.bytes()));
        }
        get(newLeader.append(t, 0, 2, chunk("new1", 1, T0), (base, bytes) -> oldLeader.appendReplica(t, 0, bytes)));
        await(() -> oldLeader.state(t, 0).logEndOffset() == 9);

        ReadResult a = oldLeader.read(t, 0, 0, Integer.MAX_VALUE);
        ReadResult b = newLeader.read(t, 0, 0, Integer.MAX_VALUE);
        assertThat(a.chunks()).extracting(Chunk::bytes).containsExactlyElementsOf(b.chunks().stream().map(Chunk::bytes).toList());
        assertThat(values(a)).doesNotContain("lost0-0", "lost1-0").contains("new0-0", "new1-0");
        assertThat(oldLeader.state(t, 0)).isEqualTo(newLeader.state(t, 0));
        assertThat(oldLeader.generationStart(t, 0, 2)).isEqualTo(OptionalLong.of(6));
    }

    // ---------------------------------------------------------------- truncation

    @Test
    void truncateInsideAChunkRoundsDownRemovesHistoryAndSurvivesReopen() throws Exception {
        LogStore store = open("s");
        int t = store.ensureTopic("events", TopicConfig.DEFAULT).id();
        get(store.append(t, 0, 1, chunk("a", 3, T0)));   // 0..3
        get(store.append(t, 0, 1, chunk("b", 3, T0)));   // 3..6
        get(store.append(t, 0, 2, chunk("c", 3, T0)));   // 6..9, generation 2 at 6
        get(store.append(t, 0, 4, chunk("d", 3, T0)));   // 9..12, generation 4 at 9
        get(store.append(t, 1, 4, chunk("other", 2, T0)));
        long keptSize = store.read(t, 0, 0, Integer.MAX_VALUE).chunks().stream()
                .filter(c -> c.baseOffset() < 6).mapToLong(Chunk::sizeBytes).sum();

        assertThat(get(store.truncate(t, 0, 7))).isEqualTo(6);
        for (int round = 0; round < 2; round++) {
            assertThat(store.state(t, 0)).isEqualTo(new PartitionState(0, 6, keptSize));
            assertThat(values(store.read(t, 0, 0, Integer.MAX_VALUE)))
                    .containsExactly("a-0", "a-1", "a-2", "b-0", "b-1", "b-2");
            assertThat(store.read(t, 0, 6, Integer.MAX_VALUE).isEmpty()).isTrue();
            assertThat(store.lastGeneration(t, 0)).isEqualTo(1);
            assertThat(store.generationStart(t, 0, 2)).isEmpty();
            assertThat(store.generationStart(t, 0, 4)).isEmpty();
            assertThat(store.endOffsetForGeneration(t, 0, 1)).isEqualTo(6);
            assertThat(values(store.read(t, 1, 0, Integer.MAX_VALUE))).containsExactly("other-0", "other-1");
            store = reopen(store, "s");
        }

        // A follower continues from the new end, with the new leader's generation.
        assertThat(((OffsetMismatchException) failureOf(store.appendReplica(t, 0, stamped("x", 1, 12, 5))))
                .expectedOffset()).isEqualTo(6);
        assertThat(get(store.appendReplica(t, 0, stamped("n", 2, 6, 5)))).isEqualTo(new AppendResult(6, 2));
        assertThat(store.generationStart(t, 0, 5)).isEqualTo(OptionalLong.of(6));
        assertThat(values(store.read(t, 0, 5, Integer.MAX_VALUE))).containsExactly("b-2", "n-0", "n-1");

        // At a boundary nothing is rounded; at or past the end nothing changes.
        assertThat(get(store.truncate(t, 0, 3))).isEqualTo(3);
        assertThat(get(store.truncate(t, 0, 3))).isEqualTo(3);
        assertThat(get(store.truncate(t, 0, 100))).isEqualTo(3);
        assertThat(store.state(t, 0).logEndOffset()).isEqualTo(3);
        assertThat(store.generationStart(t, 0, 5)).isEmpty();
        assertThat(failureOf(store.truncate(t, 0, -1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(get(store.truncate(t, 5, 10))).as("a partition never written").isZero();
        // The leader's own appends continue at the new end too.
        assertThat(get(store.append(t, 0, 6, chunk("z", 1, T0)))).isEqualTo(new AppendResult(3, 1));
        assertThat(failures).hasValue(0);
    }

    @Test
    void truncateAtOrBelowTheLogStartEmptiesTheLogAndRestartsThere() throws Exception {
        LogStore store = open("s");
        int t = store.ensureTopic("events", new TopicConfig(Duration.ofHours(1), -1)).id();
        get(store.append(t, 0, 1, chunk("old", 4, T0)));                       // 0..4
        clock.advance(Duration.ofHours(2));
        get(store.append(t, 0, 3, chunk("new", 4, clock.millis())));           // 4..8, generation 3 at 4
        get(store.append(t, 0, 3, chunk("newer", 2, clock.millis())));         // 8..10
        get(store.applyRetention());
        assertThat(store.state(t, 0).logStartOffset()).isEqualTo(4);
        // Generation 1 lies wholly below the log start: retention dropped it from the history.
        assertThat(store.generationStart(t, 0, 1)).isEmpty();
        assertThat(store.generationStart(t, 0, 3)).isEqualTo(OptionalLong.of(4));

        assertThat(get(store.truncate(t, 0, 2))).isEqualTo(2);
        for (int round = 0; round < 2; round++) {
            assertThat(store.state(t, 0)).isEqualTo(new PartitionState(2, 2, 0));
            assertThat(store.read(t, 0, 0, Integer.MAX_VALUE).chunks()).isEmpty();
            assertThat(store.lastGeneration(t, 0)).isZero();
            store = reopen(store, "s");
        }
        assertThat(get(store.appendReplica(t, 0, stamped("from-leader", 3, 2, 7)))).isEqualTo(new AppendResult(2, 3));
        assertThat(store.state(t, 0).logStartOffset()).isEqualTo(2);
        assertThat(values(store.read(t, 0, 0, Integer.MAX_VALUE))).containsExactly(
                "from-leader-0", "from-leader-1", "from-leader-2");

        // Exactly at the start: empty at the start.
        assertThat(get(store.truncate(t, 0, 2))).isEqualTo(2);
        assertThat(store.state(t, 0)).isEqualTo(new PartitionState(2, 2, 0));
    }

    @Test
    void restartAtMovesALogThatIsBehindForwardEmptyAndClearsItsHistory() throws Exception {
        LogStore store = open("s");
        int t = store.ensureTopic("events", TopicConfig.DEFAULT).id();
        get(store.append(t, 0, 1, chunk("old", 4, T0)));                       // 0..4, generation 1 at 0
        get(store.beginGeneration(t, 0, 2));                                    // generation 2 at 4

        assertThatThrownBy(() -> get(store.restartAt(t, 0, 3)))
                .hasCauseInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncate it instead");
        assertThat(store.state(t, 0)).isEqualTo(new PartitionState(0, 4, store.state(t, 0).sizeBytes()));

        // The leader's log starts at 50 (retention): the follower's whole log lies below it.
        assertThat(get(store.restartAt(t, 0, 50))).isEqualTo(50);
        LogStore s = store;
        for (int round = 0; round < 2; round++) {
            assertThat(s.state(t, 0)).isEqualTo(new PartitionState(50, 50, 0));
            assertThat(s.read(t, 0, 0, Integer.MAX_VALUE).chunks()).isEmpty();
            assertThat(s.lastGeneration(t, 0)).isZero();
            assertThat(s.generationStart(t, 0, 1)).isEmpty();
            assertThat(s.generationStart(t, 0, 2)).isEmpty();
            s = reopen(s, "s");
        }
        // The leader's chunks follow from there and record their generation.
        assertThat(get(s.appendReplica(t, 0, stamped("from-leader", 3, 50, 7)))).isEqualTo(new AppendResult(50, 3));
        assertThat(s.generationStart(t, 0, 7)).isEqualTo(OptionalLong.of(50));
        assertThat(values(s.read(t, 0, 0, Integer.MAX_VALUE))).containsExactly(
                "from-leader-0", "from-leader-1", "from-leader-2");

        // Exactly at the end, and a partition never written.
        assertThat(get(s.restartAt(t, 0, 53))).isEqualTo(53);
        assertThat(s.state(t, 0)).isEqualTo(new PartitionState(53, 53, 0));
        assertThat(get(s.restartAt(t, 5, 10))).isEqualTo(10);
        assertThat(s.state(t, 5)).isEqualTo(new PartitionState(10, 10, 0));
        assertThat(failures).hasValue(0);
    }

    @Test
    void writesQueuedAroundATruncationApplyInOrder() throws Exception {
        LogStore store = open("s");
        int t = store.ensureTopic("events", TopicConfig.DEFAULT).id();
        for (int round = 0; round < 20; round++) {
            long end = store.state(t, 0).logEndOffset();
            // All queued without waiting, so most rounds put them into one drain of the writer.
            CompletableFuture<AppendResult> a = store.append(t, 0, 1, chunk("a" + round, 3, T0));
            CompletableFuture<AppendResult> b = store.append(t, 0, 1, chunk("b" + round, 3, T0));
            CompletableFuture<Long> cut = store.truncate(t, 0, end + 4);
            CompletableFuture<AppendResult> c = store.appendReplica(t, 0, stamped("c" + round, 2, end + 3, 1));
            CompletableFuture<Long> cut2 = store.truncate(t, 0, end + 1);
            CompletableFuture<AppendResult> d = store.append(t, 0, 1, chunk("d" + round, 1, T0));
            assertThat(get(a).baseOffset()).isEqualTo(end);
            assertThat(get(b).baseOffset()).isEqualTo(end + 3);
            assertThat(get(cut)).isEqualTo(end + 3);
            assertThat(get(c).baseOffset()).isEqualTo(end + 3);
            assertThat(get(cut2)).isEqualTo(end);
            assertThat(get(d)).isEqualTo(new AppendResult(end, 1));
            assertThat(values(store.read(t, 0, end, Integer.MAX_VALUE))).containsExactly("d" + round + "-0");
        }
        assertThat(store.state(t, 0)).isEqualTo(new PartitionState(0, 20,
                store.read(t, 0, 0, Integer.MAX_VALUE).chunks().stream().mapToLong(Chunk::sizeBytes).sum()));
    }

    @Test
    void readsRacingTruncationsNeverSeeRemovedChunksOnceTheTruncationCompleted() throws Exception {
        LogStore store = open("s");
        int t = store.ensureTopic("events", TopicConfig.DEFAULT).id();
        AtomicInteger truncatedRounds = new AtomicInteger(-1);
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> readerFailure = new AtomicReference<>();
        AtomicInteger reads = new AtomicInteger();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            Thread reader = new Thread(() -> {
                try {
                    while (!done.get()) {
                        int safe = truncatedRounds.get(); // doomed chunks of rounds <= safe are gone
                        ReadResult result = store.read(t, 0, 0, Integer.MAX_VALUE);
                        long next = -1;
                        for (Chunk c : result.chunks()) {
                            if (next >= 0 && c.baseOffset() != next) {
                                throw new AssertionError("chunks do not chain: " + next + " then " + c.baseOffset());
                            }
                            next = c.nextOffset();
                            String v = values(new ReadResult(List.of(c), c.baseOffset(), c.nextOffset())).get(0);
                            if (v.startsWith("doomed")) {
                                int round = Integer.parseInt(v.substring(6, v.indexOf('-')));
                                if (round <= safe) {
                                    throw new AssertionError("read " + v + " after its truncation completed");
                                }
                            }
                        }
                        reads.incrementAndGet();
                    }
                } catch (Throwable e) {
                    readerFailure.compareAndSet(null, e);
                }
            });
            reader.start();
            readers.add(reader);
        }
        try {
            for (int round = 0; round < 60; round++) {
                long end = store.state(t, 0).logEndOffset();
                get(store.append(t, 0, 1, chunk("doomed" + round, 2, T0)));
                get(store.append(t, 0, 1, chunk("doomed" + round, 3, T0)));
                CompletableFuture<Long> cut = store.truncate(t, 0, end + 1);
                // Appends right behind the truncation reuse the removed offsets.
                CompletableFuture<AppendResult> kept = store.append(t, 0, 1, chunk("kept" + round, 4, T0));
                assertThat(get(cut)).isEqualTo(end);
                truncatedRounds.set(round);
                assertThat(get(kept).baseOffset()).isEqualTo(end);
            }
        } finally {
            done.set(true);
            for (Thread r : readers) {
                r.join(30_000);
            }
        }
        assertThat(readerFailure.get()).isNull();
        assertThat(reads.get()).isPositive();
        assertThat(values(store.read(t, 0, 0, Integer.MAX_VALUE))).allMatch(v -> v.startsWith("kept"));
    }

    @Test
    void aTruncationThatFailsToWriteChangesNothing() throws Exception {
        LogStore store = open("s");
        int t = store.ensureTopic("events", TopicConfig.DEFAULT).id();
        get(store.append(t, 0, 1, chunk("a", 3, T0)));
        get(store.append(t, 0, 2, chunk("b", 3, T0)));
        PartitionState before = store.state(t, 0);
        ((RocksLogStore) store).failNextWrite();

        assertThat(failureOf(store.truncate(t, 0, 1))).isInstanceOf(StorageException.class);
        assertThat(failures).hasValue(1);
        assertThat(store.state(t, 0)).isEqualTo(before);
        assertThat(store.lastGeneration(t, 0)).isEqualTo(2);

        store = reopen(store, "s");
        assertThat(store.state(t, 0)).isEqualTo(before);
        assertThat(values(store.read(t, 0, 0, Integer.MAX_VALUE))).hasSize(6);
        assertThat(store.generationStart(t, 0, 2)).isEqualTo(OptionalLong.of(3));
    }

    // ---------------------------------------------------------------- reads up to a high watermark

    @Test
    void readWithMaxOffsetNeverReturnsAChunkPastIt() throws Exception {
        LogStore store = open("s");
        int t = store.ensureTopic("events", TopicConfig.DEFAULT).id();
        for (int i = 0; i < 3; i++) {
            get(store.append(t, 0, 1, chunk("c" + i, 3, T0)));   // 0..3, 3..6, 6..9
        }
        ReadResult upTo6 = store.read(t, 0, 0, Integer.MAX_VALUE, 6);
        assertThat(upTo6.chunks()).extracting(Chunk::baseOffset).containsExactly(0L, 3L);
        assertThat(upTo6.nextOffset()).isEqualTo(6);

        ReadResult straddling = store.read(t, 0, 0, Integer.MAX_VALUE, 5);
        assertThat(straddling.chunks()).extracting(Chunk::baseOffset).containsExactly(0L);
        assertThat(straddling.nextOffset()).isEqualTo(3);

        ReadResult mid = store.read(t, 0, 4, Integer.MAX_VALUE, 6);
        assertThat(mid.fromOffset()).isEqualTo(4);
        assertThat(values(mid)).containsExactly("c1-1", "c1-2");

        assertThat(store.read(t, 0, 6, Integer.MAX_VALUE, 6).isEmpty()).isTrue();
        assertThat(store.read(t, 0, 6, Integer.MAX_VALUE, 6).nextOffset()).isEqualTo(6);
        assertThat(store.read(t, 0, 0, Integer.MAX_VALUE, 2).isEmpty()).isTrue();
        assertThat(store.read(t, 0, 0, Integer.MAX_VALUE, 0).chunks()).isEmpty();
        assertThat(store.read(t, 0, 0, 1, 9).chunks()).hasSize(1);
        ReadResult unbounded = store.read(t, 0, 1, Integer.MAX_VALUE, Long.MAX_VALUE);
        assertThat(unbounded.chunks()).extracting(Chunk::baseOffset).containsExactly(0L, 3L, 6L);
        assertThat(unbounded.fromOffset()).isEqualTo(1);
        assertThat(unbounded.nextOffset()).isEqualTo(9);
    }

    // ---------------------------------------------------------------- topics

    @Test
    void ensureTopicFromManyThreadsAtOnceCreatesEachTopicOnce() throws Exception {
        LogStore store = open("s");
        int threads = 8;
        List<String> names = List.of("t0", "t1", "t2", "t3", "t4");
        Map<String, Set<TopicInfo>> seen = new ConcurrentHashMap<>();
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            List<String> order = new ArrayList<>(names);
            Collections.shuffle(order, new java.util.Random(i));
            Thread caller = new Thread(() -> {
                try {
                    go.await();
                    for (String n : order) {
                        seen.computeIfAbsent(n, k -> ConcurrentHashMap.newKeySet())
                                .add(store.ensureTopic(n, TopicConfig.DEFAULT));
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            caller.start();
            callers.add(caller);
        }
        go.countDown();
        for (Thread c : callers) {
            c.join(30_000);
        }
        assertThat(failure.get()).isNull();
        Set<Integer> ids = new HashSet<>();
        for (String n : names) {
            assertThat(seen.get(n)).as("one topic %s for every caller", n).hasSize(1);
            TopicInfo info = seen.get(n).iterator().next();
            ids.add(info.id());
            assertThat(store.topic(info.id())).contains(info);
        }
        assertThat(ids).hasSize(names.size());
        assertThat(store.topics()).hasSize(names.size());
        assertThat(store.topic(12345)).isEmpty();
        TopicInfo t3 = store.topic("t3").orElseThrow();
        LogStore reopened = reopen(store, "s");
        assertThat(reopened.topic(t3.id())).contains(t3);
    }

    private static void await(java.util.function.BooleanSupplier condition) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(condition::getAsBoolean);
    }
}
