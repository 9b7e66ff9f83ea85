package io.runnel.benchmarks.micro;

import io.runnel.storage.AppendResult;
import io.runnel.storage.ChunkBuilder;
import io.runnel.storage.FsyncMode;
import io.runnel.storage.LogStore;
import io.runnel.storage.StorageConfig;
import io.runnel.storage.TopicConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link LogStore#append} with group commit: {@code @Threads} callers (8 by default, change with
 * {@code -t}) each append a chunk of {@code records} events and wait for it to be durable, so the
 * writer thread coalesces up to that many appends into one WriteBatch and one fsync. Compares
 * {@code fsync=always} (an ack means fsynced) with {@code interval} (an ack means in the memtable).
 *
 * <p>One operation is one acknowledged chunk; events/s = ops/s × {@code records}. The store lives
 * in a temporary directory that is deleted after each trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(8)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class StorageAppendBenchmark {
    @Param({"always", "interval"})
    String fsync;

    @Param("100")
    int records;

    @Param("200")
    int recordSize;

    /** Partitions the threads spread over (thread i appends to partition i mod n). */
    @Param("8")
    int partitions;

    private Path dir;
    private LogStore store;
    private int topicId;
    private byte[] chunk;
    private final AtomicInteger threads = new AtomicInteger();

    /** The partition one benchmark thread appends to. */
    @State(Scope.Thread)
    public static class Caller {
        int partition = -1;
    }

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("runnel-append-bench");
        store = LogStore.open(StorageConfig.defaults(dir).withFsync(FsyncMode.parse(fsync)));
        topicId = store.ensureTopic("bench", TopicConfig.DEFAULT).id();
        ChunkBuilder builder = new ChunkBuilder(records * (recordSize + 12));
        long now = System.currentTimeMillis();
        for (byte[] e : BenchmarkEvents.events(records, recordSize)) {
            builder.add(e, 0, e.length, now);
        }
        chunk = builder.build();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public AppendResult append(Caller caller) {
        if (caller.partition < 0) {
            caller.partition = threads.getAndIncrement() % partitions;
        }
        // The store takes ownership of the array and stamps the offset into it: give it a copy.
        return store.append(topicId, caller.partition, 1, chunk.clone()).join();
    }
}
