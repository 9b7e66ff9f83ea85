package io.runnel.storage.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.runnel.storage.Chunk;
import io.runnel.storage.LogStore;
import io.runnel.storage.PartitionState;
import io.runnel.storage.ReadResult;
import io.runnel.storage.StorageConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing store with SIGKILL at different moments and checks what a reopened store holds:
 * every acknowledged append with identical content, contiguous offsets from 0, every chunk intact,
 * nothing half-written; acknowledged truncations applied, an unacknowledged one either wholly or
 * not at all; and each partition's generation history exactly what its chunks imply.
 */
class StorageCrashIT {
    private static final int THREADS = 6;

    @TempDir
    Path dir;

    record Ack(int partition, long baseOffset, int count, String payloadId) {
    }

    /**
     * What partition {@link CrashWriter#TRUNCATED} must hold: its acknowledged chunks minus the
     * acknowledged truncations, and a truncation that was asked for but not acknowledged.
     */
    static final class TruncatedPartition {
        final TreeMap<Long, Ack> chunks = new TreeMap<>();
        Long pendingOffset;
        int acknowledged;
        int killedDuring;

        void truncated(long newEnd) {
            chunks.tailMap(newEnd, true).clear();
            pendingOffset = null;
        }

        /** The end a pending truncation would leave: the base of the chunk holding its offset. */
        long endIfPendingApplied() {
            return chunks.floorKey(pendingOffset);
        }
    }

    private final TruncatedPartition truncated = new TruncatedPartition();

    @Test
    void acknowledgedAppendsSurviveKillNine() throws Exception {
        Path data = dir.resolve("db");
        List<Ack> acked = new ArrayList<>();
        // Kill right after start, early, and under full load (the counts are acknowledgements seen).
        int[] killAfter = {1, 40, 400, 1500, 3000};
        for (int round = 0; round < killAfter.length; round++) {
            List<Ack> acks = runAndKill(data, round, killAfter[round]);
            acked.addAll(acks);
            int chunks = verify(data, acked);
            System.out.printf("crash round %d: killed after %d acks (%d in total), %d chunks stored; "
                    + "%d truncations acknowledged, %d kills during one so far%n",
                    round, acks.size(), acked.size(), chunks, truncated.acknowledged, truncated.killedDuring);
        }
    }

    private List<Ack> runAndKill(Path data, int round, int acksBeforeKill) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path stderr = dir.resolve("child-" + round + ".err");
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), CrashWriter.class.getName(),
                data.toString(), Integer.toString(round), Integer.toString(THREADS))
                .redirectError(stderr.toFile());
        Process child = pb.start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        int[] seen = {0};
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (Exception e) {
                lines.add("READ-ERROR " + e);
            }
        });
        reader.start();
        List<Ack> acks = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        try {
            while (seen[0] < acksBeforeKill) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null) {
                    seen[0] += parse(line, acks);
                } else if (!child.isAlive()) {
                    fail("writer exited early with %d: %s", child.exitValue(), Files.readString(stderr));
                } else if (System.nanoTime() > deadline) {
                    fail("only %d acks within 20 s: %s", seen[0], Files.readString(stderr));
                }
            }
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
            reader.join(20_000);
        }
        // Everything printed before the kill was acknowledged too.
        for (String line; (line = lines.poll()) != null; ) {
            parse(line, acks);
        }
        return acks;
    }

    /** Applies one line of the child; returns 1 if it was an acknowledged append. */
    private int parse(String line, List<Ack> acks) {
        String[] f = line.split(" ");
        if (!f[f.length - 1].equals("END")) {
            return 0; // cut by the kill: never acknowledged to anyone
        }
        if (f[0].equals("ACK") && f.length == 6) {
            Ack ack = new Ack(Integer.parseInt(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]), f[4]);
            if (ack.partition() == CrashWriter.TRUNCATED) {
                truncated.chunks.put(ack.baseOffset(), ack);
            } else {
                acks.add(ack);
            }
            return 1;
        }
        if (f[0].equals("TRUNCATING") && f.length == 4) {
            truncated.pendingOffset = Long.parseLong(f[2]);
        } else if (f[0].equals("TRUNC") && f.length == 4) {
            truncated.truncated(Long.parseLong(f[2]));
            truncated.acknowledged++;
        }
        return 0;
    }

    /** Returns how many chunks the store holds. */
    private int verify(Path data, List<Ack> acked) {
        Map<Integer, Map<Long, String>> stored = new HashMap<>();
        int chunks = 0;
        try (LogStore store = LogStore.open(StorageConfig.defaults(data).withMemory(8L << 20, 4L << 20))) {
            int topic = store.topic(CrashWriter.TOPIC).orElseThrow().id();
            Set<String> seen = new HashSet<>();
            for (int p = 0; p <= CrashWriter.TRUNCATED; p++) {
                PartitionState state = store.state(topic, p);
                assertThat(state.logStartOffset()).isZero();
                Map<Long, String> byOffset = new HashMap<>();
                stored.put(p, byOffset);
                long next = 0;
                long size = 0;
                TreeMap<Integer, Long> history = new TreeMap<>(); // what the chunks imply
                while (next < state.logEndOffset()) {
                    ReadResult r = store.read(topic, p, next, 1 << 20); // Chunk.wrap checks every CRC
                    assertThat(r.chunks()).isNotEmpty();
                    for (Chunk c : r.chunks()) {
                        assertThat(c.baseOffset()).as("contiguous offsets in partition %d", p).isEqualTo(next);
                        if (c.generation() > (history.isEmpty() ? 0 : history.lastKey())) {
                            history.put(c.generation(), c.baseOffset());
                        }
                        String payloadId = checkContent(c);
                        assertThat(seen.add(payloadId)).as("%s stored once", payloadId).isTrue();
                        byOffset.put(c.baseOffset(), payloadId);
                        next = c.nextOffset();
                        size += c.sizeBytes();
                        chunks++;
                    }
                }
                assertThat(next).isEqualTo(state.logEndOffset());
                assertThat(size).isEqualTo(state.sizeBytes());
                assertThat(store.read(topic, p, next, 1 << 20).isEmpty()).isTrue();
                assertThat(store.lastGeneration(topic, p)).as("last generation of partition %d", p)
                        .isEqualTo(history.isEmpty() ? 0 : history.lastKey());
                for (int g = 0; g <= 10; g++) {
                    Long start = history.get(g);
                    assertThat(store.generationStart(topic, p, g)).as("start of generation %d in partition %d", g, p)
                            .isEqualTo(start == null ? OptionalLong.empty() : OptionalLong.of(start));
                }
                if (p == CrashWriter.TRUNCATED && truncated.pendingOffset != null) {
                    // Killed during a truncation: it happened wholly or not at all.
                    truncated.killedDuring++;
                    long ifApplied = truncated.endIfPendingApplied();
                    if (state.logEndOffset() == ifApplied) {
                        truncated.truncated(ifApplied);
                    } else {
                        assertThat(state.logEndOffset()).as("end after an unacknowledged truncation")
                                .isGreaterThanOrEqualTo(truncated.chunks.lastEntry().getValue().baseOffset()
                                        + truncated.chunks.lastEntry().getValue().count());
                        truncated.pendingOffset = null;
                    }
                }
            }
        }
        for (Ack ack : truncated.chunks.values()) {
            assertThat(stored.get(ack.partition()).get(ack.baseOffset()))
                    .as("acknowledged and not truncated %s", ack).isEqualTo(ack.payloadId());
        }
        for (Ack ack : acked) {
            assertThat(stored.get(ack.partition()).get(ack.baseOffset()))
                    .as("acknowledged %s", ack).isEqualTo(ack.payloadId());
            assertThat(CrashWriter.countFor(ack.payloadId())).isEqualTo(ack.count());
        }
        return chunks;
    }

    /** Checks a chunk holds exactly what {@link CrashWriter#chunkFor} built; returns its payload id. */
    private static String checkContent(Chunk c) {
        Chunk.RecordCursor cursor = c.cursor();
        assertThat(cursor.next()).isTrue();
        String first = TestChunks.value(cursor);
        String payloadId = first.substring(0, first.indexOf(':'));
        assertThat(c.count()).isEqualTo(CrashWriter.countFor(payloadId));
        byte[] expected = CrashWriter.chunkFor(payloadId);
        Chunk.stamp(expected, c.baseOffset(), c.generation());
        assertThat(c.bytes()).as("chunk %s byte for byte", payloadId).isEqualTo(expected);
        return payloadId;
    }
}
