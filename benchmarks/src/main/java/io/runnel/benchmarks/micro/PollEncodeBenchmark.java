package io.runnel.benchmarks.micro;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.runnel.broker.consume.PartitionBatch;
import io.runnel.broker.consume.PollResponseEncoder;
import io.runnel.broker.consume.PollResult;
import io.runnel.storage.Chunk;
import io.runnel.storage.ChunkBuilder;
import java.util.ArrayList;
import java.util.List;
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
 * Encoding a poll answer with the broker's {@link PollResponseEncoder}: {@code partitions} batches
 * of {@code chunksPerPartition} stored chunks of 100 events of 200 bytes (≈1 MiB with the
 * defaults, a full {@code maxBytes} poll), into a pooled direct buffer that is then released.
 *
 * <p>One operation is one poll answer; events/s = ops/s × partitions × chunks × 100.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PollEncodeBenchmark {
    private static final int RECORDS = 100;
    private static final int RECORD_SIZE = 200;

    @Param("4")
    int partitions;

    @Param("12")
    int chunksPerPartition;

    private PollResult result;

    @Setup
    public void setUp() {
        byte[][] events = BenchmarkEvents.events(RECORDS, RECORD_SIZE);
        long now = System.currentTimeMillis();
        List<PartitionBatch> batches = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            List<Chunk> chunks = new ArrayList<>();
            for (int c = 0; c < chunksPerPartition; c++) {
                ChunkBuilder builder = new ChunkBuilder(RECORDS * (RECORD_SIZE + 12));
                for (byte[] e : events) {
                    builder.add(e, 0, e.length, now);
                }
                byte[] bytes = builder.build();
                Chunk.stamp(bytes, (long) c * RECORDS, 1);
                chunks.add(Chunk.wrap(bytes));
            }
            batches.add(new PartitionBatch("bench", p, Long.MIN_VALUE + p * 1000L, p, 1, 0,
                    (long) chunksPerPartition * RECORDS, chunks));
        }
        result = new PollResult(batches);
    }

    @Benchmark
    public int encode() {
        ByteBuf out = PollResponseEncoder.encode(result, PooledByteBufAllocator.DEFAULT);
        try {
            return out.readableBytes();
        } finally {
            out.release();
        }
    }
}
