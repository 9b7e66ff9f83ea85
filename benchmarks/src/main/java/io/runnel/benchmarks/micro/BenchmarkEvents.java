package io.runnel.benchmarks.micro;

import io.runnel.benchmarks.loadgen.EventGenerator;
import io.runnel.benchmarks.loadgen.WallClock;
import java.util.Arrays;

/** The events the micro-benchmarks work on: the load generator's, so both measure the same data. */
final class BenchmarkEvents {
    private BenchmarkEvents() {
    }

    /** {@code count} distinct JSON events of exactly {@code size} bytes. */
    static byte[][] events(int count, int size) {
        EventGenerator gen = new EventGenerator(size, 0);
        byte[][] events = new byte[count][];
        long ts = WallClock.nowMicros();
        for (int i = 0; i < count; i++) {
            byte[] e = new byte[size];
            gen.writeEvent(e, 0, 1_000_000L + i, ts, null);
            events[i] = e;
        }
        return events;
    }

    /** An NDJSON body of {@code count} events of {@code size} bytes, each line ending in {@code \n}. */
    static byte[] ndjson(int count, int size) {
        EventGenerator gen = new EventGenerator(size, 0);
        byte[] body = new byte[gen.bodySize(count)];
        int end = gen.writeBody(body, 0, 1_000_000L, count, WallClock.nowMicros(), null);
        return Arrays.copyOf(body, end);
    }
}
