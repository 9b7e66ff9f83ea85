package io.runnel.storage.rocksdb;

import io.runnel.storage.Chunk;
import io.runnel.storage.ChunkBuilder;
import io.runnel.storage.ReadResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds chunks whose values say where they came from, and flattens read results back into values. */
final class TestChunks {
    private TestChunks() {
    }

    /** A chunk of {@code count} records {@code "<tag>-<i>"} (no key), all at {@code timestamp}. */
    static byte[] chunk(String tag, int count, long timestamp) {
        ChunkBuilder b = new ChunkBuilder();
        for (int i = 0; i < count; i++) {
            byte[] v = (tag + "-" + i).getBytes(StandardCharsets.UTF_8);
            b.add(v, 0, v.length, timestamp);
        }
        return b.build();
    }

    /** A chunk of {@code count} records of {@code size} bytes each. */
    static byte[] sized(int count, int size, long timestamp) {
        ChunkBuilder b = new ChunkBuilder(count * (size + 12));
        byte[] v = new byte[size];
        for (int i = 0; i < count; i++) {
            v[0] = (byte) i;
            b.add(v, 0, size, timestamp);
        }
        return b.build();
    }

    static String value(Chunk.RecordCursor c) {
        return new String(c.array(), c.valueOffset(), c.valueLength(), StandardCharsets.UTF_8);
    }

    /** Values of the records at or after {@code result.fromOffset()}, in offset order. */
    static List<String> values(ReadResult result) {
        List<String> out = new ArrayList<>();
        for (Chunk chunk : result.chunks()) {
            Chunk.RecordCursor c = chunk.cursor();
            while (c.next()) {
                if (c.offset() >= result.fromOffset()) {
                    out.add(value(c));
                }
            }
        }
        return out;
    }
}
