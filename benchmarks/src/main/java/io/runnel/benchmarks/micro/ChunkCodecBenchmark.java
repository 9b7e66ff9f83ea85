package io.runnel.benchmarks.micro;

import io.runnel.storage.Chunk;
import io.runnel.storage.ChunkBuilder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The chunk format's cost per produce request and per read: encoding {@code records} events into a
 * chunk (copy + CRC32C), and verifying a stored chunk then walking its records.
 *
 * <p>One operation is one chunk; events/s = ops/s × {@code records}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ChunkCodecBenchmark {
    @Param("100")
    int records;

    @Param("200")
    int recordSize;

    private byte[][] events;
    private byte[] chunk;
    private long timestamp;
    private Chunk wrapped;

    @Setup
    public void setUp() {
        events = BenchmarkEvents.events(records, recordSize);
        timestamp = System.currentTimeMillis();
        chunk = encode();
        Chunk.stamp(chunk, 42, 1);
        wrapped = Chunk.wrap(chunk);
    }

    /** ChunkBuilder: add every record, then build (copy out and CRC32C). */
    @Benchmark
    public byte[] encode() {
        ChunkBuilder builder = new ChunkBuilder(records * (recordSize + 12));
        for (byte[] e : events) {
            builder.add(e, 0, e.length, timestamp);
        }
        return builder.build();
    }

    /** Chunk.wrap (structure + CRC32C check), then a cursor over every record. */
    @Benchmark
    public long wrapAndWalk() {
        Chunk c = Chunk.wrap(chunk);
        Chunk.RecordCursor cursor = c.cursor();
        long sum = 0;
        while (cursor.next()) {
            sum += cursor.offset() + cursor.valueOffset() + cursor.valueLength();
        }
        return sum;
    }

    /** The cursor walk alone (what a reader pays per record once the chunk is verified). */
    @Benchmark
    public long walkOnly() {
        Chunk.RecordCursor cursor = wrapped.cursor();
        long sum = 0;
        while (cursor.next()) {
            sum += cursor.offset() + cursor.valueOffset() + cursor.valueLength();
        }
        return sum;
    }
}
