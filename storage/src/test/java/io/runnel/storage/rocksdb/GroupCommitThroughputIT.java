package io.runnel.storage.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.storage.AppendResult;
import io.runnel.storage.ChunkBuilder;
import io.runnel.storage.FsyncMode;
import io.runnel.storage.LogStore;
import io.runnel.storage.StorageConfig;
import io.runnel.storage.TopicConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prints how well group commit batches under load: 8 threads appending chunks of 100 records of
 * 200 bytes for 5 s. Informational only; speed is never asserted (benchmarks measure it).
 */
class GroupCommitThroughputIT {
    private static final int THREADS = 8;
    private static final int RECORDS = 100;
    private static final int RECORD_BYTES = 200;
    private static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(5);

    @TempDir
    Path dir;

    @Test
    void printsGroupCommitThroughput() throws Exception {
        run(FsyncMode.ALWAYS, 1);
        run(FsyncMode.ALWAYS, 4);
    }

    private static String residentSet() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmRSS:")).findFirst().orElse("?").substring(6).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }

    private void run(FsyncMode mode, int inFlightPerThread) throws Exception {
        Path data = dir.resolve(mode + "-" + inFlightPerThread);
        try (LogStore store = LogStore.open(StorageConfig.defaults(data).withFsync(mode))) {
            int topic = store.ensureTopic("load", TopicConfig.DEFAULT).id();
            AtomicLong acked = new AtomicLong();
            long start = System.nanoTime();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int partition = t % 4;
                Thread thread = new Thread(() -> {
                    byte[] value = new byte[RECORD_BYTES];
                    ArrayDeque<CompletableFuture<AppendResult>> window = new ArrayDeque<>();
                    while (System.nanoTime() - start < RUN_NANOS) {
                        ChunkBuilder b = new ChunkBuilder(RECORDS * (RECORD_BYTES + 12));
                        long now = System.currentTimeMillis();
                        for (int i = 0; i < RECORDS; i++) {
                            b.add(value, 0, value.length, now);
                        }
                        window.add(store.append(topic, partition, 0, b.build()));
                        if (window.size() >= inFlightPerThread) {
                            window.poll().join();
                            acked.incrementAndGet();
                        }
                    }
                    for (CompletableFuture<AppendResult> f : window) {
                        f.join();
                        acked.incrementAndGet();
                    }
                });
                thread.start();
                threads.add(thread);
            }
            for (Thread t : threads) {
                t.join();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            LogStore.WriterStats s = store.writerStats();
            System.out.printf("group commit %s, %d threads x %d in flight: %,.0f events/s, %,.0f appends/s, "
                            + "%.1f MB/s, %d batches (%.1f appends/batch, %,.0f batches/s)%n",
                    mode, THREADS, inFlightPerThread, s.records() / seconds, s.appends() / seconds,
                    s.bytes() / seconds / 1e6, s.batches(), (double) s.appends() / s.batches(), s.batches() / seconds);
            System.out.printf("  test JVM resident set after the run: %s%n", residentSet());
            assertThat(s.appends()).isEqualTo(acked.get());
        }
    }
}
