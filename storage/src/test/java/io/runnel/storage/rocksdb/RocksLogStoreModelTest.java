package io.runnel.storage.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.storage.AppendResult;
import io.runnel.storage.Chunk;
import io.runnel.storage.ChunkBuilder;
import io.runnel.storage.LogStore;
import io.runnel.storage.OffsetKey;
import io.runnel.storage.OffsetMismatchException;
import io.runnel.storage.PartitionState;
import io.runnel.storage.ReadResult;
import io.runnel.storage.StorageConfig;
import io.runnel.storage.TopicConfig;
import io.runnel.storage.TopicInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs seeded random sequences of appends (a leader's and replica ones), reads (also bounded by a
 * high watermark), offset commits, truncations, generation changes, reopens and retention runs
 * (with time jumps) against the store and a plain in-memory model, comparing offsets and
 * generation histories after every step. A failure names its seed; rerun it with
 * {@code -Drunnel.model.seed=<seed>}.
 */
class RocksLogStoreModelTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final int STEPS = 400;
    private static final int PARTITIONS = 3;
    private static final String[] GROUPS = {"g", "g2", "grüße"};

    @TempDir
    Path dir;

    @Test
    void storeBehavesLikeTheModel() throws Exception {
        String fixed = System.getProperty("runnel.model.seed");
        long[] seeds = fixed != null ? new long[] {Long.parseLong(fixed)}
                : LongStream.concat(LongStream.of(1, 2, 3), new Random().longs(2)).toArray();
        for (long seed : seeds) {
            try {
                new Run(seed, dir.resolve("seed-" + seed)).execute();
            } catch (AssertionError | Exception e) {
                throw new AssertionError("model test failed with seed " + seed
                        + " (rerun with -Drunnel.model.seed=" + seed + "): " + e.getMessage(), e);
            }
        }
    }

    /** One stored chunk as the model remembers it. */
    record ModelChunk(long base, List<String> values, List<Long> timestamps, int size) {
        long next() {
            return base + values.size();
        }

        long lastTimestamp() {
            return timestamps.stream().mapToLong(Long::longValue).max().orElseThrow();
        }
    }

    static final class ModelPartition {
        final List<ModelChunk> chunks = new ArrayList<>();
        /** Generation history: generation -> start offset. */
        final TreeMap<Integer, Long> history = new TreeMap<>();
        long end;

        int lastGeneration() {
            return history.isEmpty() ? 0 : history.lastKey();
        }

        /** Kafka's leader-epoch cache: only newer generations, starts strictly increasing. */
        void record(int generation, long start) {
            if (generation <= lastGeneration()) {
                return;
            }
            if (!history.isEmpty() && history.lastEntry().getValue() == start) {
                history.pollLastEntry();
            }
            history.put(generation, start);
        }

        long endOffsetFor(int generation) {
            Map.Entry<Integer, Long> next = history.higherEntry(generation);
            return next == null ? end : next.getValue();
        }

        long start() {
            return chunks.isEmpty() ? end : chunks.get(0).base();
        }

        long size() {
            return chunks.stream().mapToLong(ModelChunk::size).sum();
        }

        PartitionState state() {
            return chunks.isEmpty() && end == 0 ? PartitionState.EMPTY : new PartitionState(start(), end, size());
        }
    }

    private static final class Run {
        private final long seed;
        private final Random random;
        private final Path data;
        private final MutableClock clock = new MutableClock(T0);
        private final Map<Long, ModelPartition> model = new HashMap<>();
        private final Map<OffsetKey, Long> committed = new HashMap<>();
        private final List<TopicInfo> topics = new ArrayList<>();
        private LogStore store;
        private int op;
        /** The newest generation any partition has seen. */
        private int generation = 1;

        Run(long seed, Path data) {
            this.seed = seed;
            this.random = new Random(seed);
            this.data = data;
        }

        private void open() {
            store = LogStore.open(StorageConfig.defaults(data).withMemory(4L << 20, 1L << 20)
                    .withClock(clock).withRetentionInterval(Duration.ofDays(365)));
        }

        void execute() throws Exception {
            open();
            try {
                topics.add(store.ensureTopic("timed", new TopicConfig(Duration.ofHours(2), -1)));
                topics.add(store.ensureTopic("sized", new TopicConfig(Duration.ofDays(7), 3000)));
                for (op = 0; op < STEPS; op++) {
                    int dice = random.nextInt(100);
                    if (dice < 35) {
                        append();
                    } else if (dice < 45) {
                        appendReplica();
                    } else if (dice < 63) {
                        read();
                    } else if (dice < 69) {
                        commit();
                    } else if (dice < 73) {
                        offsetForTimestamp();
                    } else if (dice < 80) {
                        clock.advance(Duration.ofMinutes(random.nextInt(90)));
                        retention();
                    } else if (dice < 87) {
                        truncate();
                    } else if (dice < 93) {
                        beginGeneration();
                    } else {
                        store.close();
                        open();
                        assertThat(store.topics()).containsExactlyInAnyOrderElementsOf(topics);
                    }
                    compareStates();
                }
            } finally {
                store.close();
            }
        }

        private TopicInfo topic() {
            return topics.get(random.nextInt(topics.size()));
        }

        private ModelPartition partition(TopicInfo t, int p) {
            return model.computeIfAbsent(Keys.partitionId(t.id(), p), k -> new ModelPartition());
        }

        private void append() throws Exception {
            TopicInfo t = topic();
            int p = random.nextInt(PARTITIONS);
            byte[] chunk = buildChunk();
            List<String> values = lastValues;
            List<Long> timestamps = lastTimestamps;
            int count = values.size();
            ModelPartition m = partition(t, p);
            // Now and then a stale leader's generation: stored, but never recorded in the history.
            int g = random.nextInt(10) == 0 ? generation - 1 : generation;
            AppendResult r = store.append(t.id(), p, g, chunk).get(30, TimeUnit.SECONDS);
            assertThat(r).isEqualTo(new AppendResult(m.end, count));
            m.chunks.add(new ModelChunk(m.end, values, timestamps, chunk.length));
            m.record(g, m.end);
            m.end += count;
        }

        private List<String> lastValues;
        private List<Long> lastTimestamps;

        /** A random chunk; its values and timestamps are left in lastValues / lastTimestamps. */
        private byte[] buildChunk() {
            int count = 1 + random.nextInt(6);
            ChunkBuilder b = new ChunkBuilder();
            List<String> values = new ArrayList<>();
            List<Long> timestamps = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String v = "op" + op + "." + i + "x".repeat(random.nextInt(120));
                long ts = clock.millis() - random.nextInt(60_000);
                byte[] bytes = v.getBytes(StandardCharsets.UTF_8);
                b.add(random.nextBoolean() ? null : new byte[] {(byte) i}, bytes, 0, bytes.length, ts);
                values.add(v);
                timestamps.add(ts);
            }
            lastValues = values;
            lastTimestamps = timestamps;
            return b.build();
        }

        /** A chunk stamped as a leader would, mostly at the log end, sometimes ahead or behind. */
        private void appendReplica() throws Exception {
            TopicInfo t = topic();
            int p = random.nextInt(PARTITIONS);
            ModelPartition m = partition(t, p);
            byte[] chunk = buildChunk();
            int dice = random.nextInt(8);
            long base = dice == 0 ? m.end + 1 + random.nextInt(5) : dice == 1 && m.end > 0 ? random.nextLong(m.end) : m.end;
            int g = switch (random.nextInt(4)) {
                case 0 -> ++generation;
                case 1 -> Math.max(0, generation - 1);
                default -> generation;
            };
            Chunk.stamp(chunk, base, g);
            if (base != m.end) {
                assertThatThrownBy(() -> store.appendReplica(t.id(), p, chunk).get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(OffsetMismatchException.class)
                        .extracting(e -> ((OffsetMismatchException) e).expectedOffset()).isEqualTo(m.end);
                return;
            }
            AppendResult r = store.appendReplica(t.id(), p, chunk).get(30, TimeUnit.SECONDS);
            assertThat(r).isEqualTo(new AppendResult(base, lastValues.size()));
            m.chunks.add(new ModelChunk(base, lastValues, lastTimestamps, chunk.length));
            m.record(g, base);
            m.end += lastValues.size();
        }

        private void truncate() throws Exception {
            TopicInfo t = topic();
            int p = random.nextInt(PARTITIONS);
            ModelPartition m = partition(t, p);
            long offset = random.nextInt((int) m.end + 4);
            if (random.nextBoolean() && !m.chunks.isEmpty()) {
                offset = m.chunks.get(random.nextInt(m.chunks.size())).base(); // exactly a boundary
            }
            long expectedEnd;
            if (offset >= m.end) {
                expectedEnd = m.end;
            } else if (offset <= m.start()) {
                expectedEnd = offset;
                m.chunks.clear();
            } else {
                long cut = offset;
                ModelChunk holding = m.chunks.stream().filter(c -> c.base() <= cut && cut < c.next()).findFirst()
                        .orElseThrow();
                expectedEnd = holding.base();
                m.chunks.removeIf(c -> c.base() >= holding.base());
            }
            if (expectedEnd < m.end) { // at or past the end a truncation changes nothing
                long end = expectedEnd;
                m.end = end;
                m.history.values().removeIf(start -> start >= end);
            }
            assertThat(store.truncate(t.id(), p, offset).get(30, TimeUnit.SECONDS))
                    .as("truncate(%d)", offset).isEqualTo(expectedEnd);
        }

        private void beginGeneration() throws Exception {
            TopicInfo t = topic();
            int p = random.nextInt(PARTITIONS);
            ModelPartition m = partition(t, p);
            int dice = random.nextInt(10);
            if (dice == 0 && m.lastGeneration() > 0) {
                int older = m.lastGeneration() - 1;
                assertThatThrownBy(() -> store.beginGeneration(t.id(), p, older).get(30, TimeUnit.SECONDS))
                        .cause().isInstanceOf(IllegalArgumentException.class);
                return;
            }
            int g = dice < 4 ? m.lastGeneration() : ++generation;
            store.beginGeneration(t.id(), p, g).get(30, TimeUnit.SECONDS);
            m.record(g, m.end);
        }

        private void read() {
            TopicInfo t = topic();
            int p = random.nextInt(PARTITIONS);
            ModelPartition m = partition(t, p);
            long from = random.nextInt((int) m.end + 4);
            long expectedFrom = Math.max(from, m.start());
            int maxBytes = random.nextInt(2000);
            // Half the reads stop at a high watermark: mostly a chunk boundary, sometimes any offset.
            long maxOffset = Long.MAX_VALUE;
            if (random.nextBoolean()) {
                maxOffset = random.nextInt(4) == 0 || m.chunks.isEmpty() ? random.nextInt((int) m.end + 3)
                        : m.chunks.get(random.nextInt(m.chunks.size())).next();
            }
            if (random.nextInt(3) == 0) {
                // Exactly the size of the next k chunks: the boundary where "stop after the chunk
                // that reaches maxBytes" matters.
                int k = 1 + random.nextInt(3);
                maxBytes = m.chunks.stream().filter(c -> c.next() > expectedFrom).limit(k)
                        .mapToInt(ModelChunk::size).sum();
            }
            ReadResult r = maxOffset == Long.MAX_VALUE && random.nextBoolean()
                    ? store.read(t.id(), p, from, maxBytes) : store.read(t.id(), p, from, maxBytes, maxOffset);

            List<ModelChunk> expected = new ArrayList<>();
            long bytes = 0;
            for (ModelChunk c : m.chunks) {
                if (c.next() <= expectedFrom) {
                    continue;
                }
                if (c.next() > maxOffset) {
                    break;
                }
                expected.add(c);
                bytes += c.size();
                if (bytes >= maxBytes) {
                    break;
                }
            }
            assertThat(r.fromOffset()).as("fromOffset of read(%d, %d, %d)", from, maxBytes, maxOffset)
                    .isEqualTo(expectedFrom);
            assertThat(r.nextOffset()).isEqualTo(expected.isEmpty() ? expectedFrom : expected.getLast().next());
            assertThat(r.chunks()).extracting(Chunk::baseOffset)
                    .containsExactlyElementsOf(expected.stream().map(ModelChunk::base).toList());
            for (int i = 0; i < expected.size(); i++) {
                Chunk.RecordCursor c = r.chunks().get(i).cursor();
                for (int j = 0; c.next(); j++) {
                    assertThat(TestChunks.value(c)).isEqualTo(expected.get(i).values().get(j));
                    assertThat(c.timestamp()).isEqualTo(expected.get(i).timestamps().get(j));
                }
            }
        }

        private void commit() throws Exception {
            Map<OffsetKey, Long> offsets = new HashMap<>();
            for (int i = random.nextInt(4); i >= 0; i--) {
                offsets.put(new OffsetKey(GROUPS[random.nextInt(GROUPS.length)], topic().id(),
                        random.nextInt(PARTITIONS)), (long) random.nextInt(1000));
            }
            store.commitOffsets(offsets).get(30, TimeUnit.SECONDS);
            committed.putAll(offsets);
            for (String g : GROUPS) {
                Map<OffsetKey, Long> expected = new HashMap<>();
                committed.forEach((k, v) -> {
                    if (k.group().equals(g)) {
                        expected.put(k, v);
                    }
                });
                assertThat(store.committedOffsets(g)).isEqualTo(expected);
            }
            OffsetKey any = new OffsetKey(GROUPS[random.nextInt(GROUPS.length)], topic().id(), random.nextInt(PARTITIONS));
            Long v = committed.get(any);
            assertThat(store.committedOffset(any)).isEqualTo(v == null ? OptionalLong.empty() : OptionalLong.of(v));
        }

        private void offsetForTimestamp() {
            TopicInfo t = topic();
            int p = random.nextInt(PARTITIONS);
            ModelPartition m = partition(t, p);
            long ts = clock.millis() - random.nextInt(3 * 3600_000);
            long expected = m.end;
            search:
            for (ModelChunk c : m.chunks) {
                for (int i = 0; i < c.timestamps().size(); i++) {
                    if (c.timestamps().get(i) >= ts) {
                        expected = c.base() + i;
                        break search;
                    }
                }
            }
            assertThat(store.offsetForTimestamp(t.id(), p, ts)).as("offsetForTimestamp(%d)", ts).isEqualTo(expected);
        }

        private void retention() throws Exception {
            store.applyRetention().get(30, TimeUnit.SECONDS);
            for (TopicInfo t : topics) {
                long cutoff = clock.millis() - t.config().retention().toMillis();
                for (int p = 0; p < PARTITIONS; p++) {
                    ModelPartition m = partition(t, p);
                    long size = m.size();
                    long startBefore = m.start();
                    while (m.chunks.size() > 1) {
                        ModelChunk oldest = m.chunks.get(0);
                        boolean expired = oldest.lastTimestamp() < cutoff;
                        boolean overSize = t.config().retentionBytes() != -1 && size > t.config().retentionBytes();
                        if (!expired && !overSize) {
                            break;
                        }
                        m.chunks.remove(0);
                        size -= oldest.size();
                    }
                    // Generations that lie wholly below the new start leave the history.
                    while (m.start() > startBefore && m.history.size() > 1
                            && m.history.higherEntry(m.history.firstKey()).getValue() <= m.start()) {
                        m.history.pollFirstEntry();
                    }
                }
            }
        }

        private void compareStates() {
            for (TopicInfo t : topics) {
                for (int p = 0; p < PARTITIONS; p++) {
                    ModelPartition m = partition(t, p);
                    assertThat(store.state(t.id(), p)).as("state of %s/%d after op %d", t.name(), p, op)
                            .isEqualTo(m.state());
                    assertThat(store.lastGeneration(t.id(), p)).as("last generation of %s/%d", t.name(), p)
                            .isEqualTo(m.lastGeneration());
                    for (int g = 0; g <= generation + 1; g++) {
                        Long start = m.history.get(g);
                        assertThat(store.generationStart(t.id(), p, g)).as("start of generation %d in %s/%d", g, t.name(), p)
                                .isEqualTo(start == null ? OptionalLong.empty() : OptionalLong.of(start));
                        assertThat(store.endOffsetForGeneration(t.id(), p, g)).as("end of generation %d", g)
                                .isEqualTo(m.endOffsetFor(g));
                        Integer floor = m.history.floorKey(g);
                        assertThat(store.floorGeneration(t.id(), p, g)).isEqualTo(floor == null ? 0 : floor);
                    }
                }
            }
        }
    }
}
