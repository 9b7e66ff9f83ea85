package io.runnel.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * The chunk decoder against what a disk or a peer could hand it: any bytes, and valid chunks with bytes flipped,
 * cut or appended. It either reads a chunk whose every record can be walked, or throws
 * {@link CorruptChunkException}; never anything else, and never a chunk that lies about its records. Tries per
 * property: {@code jqwik.tries.default} (a short run in every build, long with {@code -Pfuzz}).
 */
class ChunkFuzzTest {

    @Property
    void anyBytesAreAChunkOrCorrupt(@ForAll @Size(max = 300) byte[] bytes) {
        check(bytes);
    }

    @Property
    void aDamagedChunkIsCorrupt(@ForAll("chunks") byte[] chunk, @ForAll("damage") int[] damage) {
        byte[] damaged = chunk.clone();
        int kind = Math.floorMod(damage[0], 3);
        if (kind == 0) {
            int at = Math.floorMod(damage[1], damaged.length);
            damaged[at] ^= (byte) (1 << Math.floorMod(damage[2], 8));
        } else if (kind == 1) {
            damaged = java.util.Arrays.copyOf(damaged, Math.floorMod(damage[1], damaged.length));
        } else {
            damaged = java.util.Arrays.copyOf(damaged, damaged.length + 1 + Math.floorMod(damage[1], 16));
        }
        try {
            Chunk.wrap(damaged);
            // Only a flip in the offset or generation stamp (outside the CRC) leaves a valid chunk.
            assertThat(kind).as("a chunk with bytes cut or added was accepted").isZero();
        } catch (CorruptChunkException expected) {
            // refused: good
        }
    }

    @Provide
    Arbitrary<byte[]> chunks() {
        return Arbitraries.strings().ofMaxLength(40).list().ofMinSize(1).ofMaxSize(20).map(values -> {
            ChunkBuilder b = new ChunkBuilder();
            byte[] key = "k".getBytes(StandardCharsets.UTF_8);
            for (String v : values) {
                byte[] bytes = v.getBytes(StandardCharsets.UTF_8);
                b.add(key, bytes, 0, bytes.length, 1_700_000_000_000L);
            }
            byte[] chunk = b.build();
            Chunk.stamp(chunk, 42, 3);
            return chunk;
        });
    }

    @Provide
    Arbitrary<int[]> damage() {
        return Arbitraries.integers().array(int[].class).ofSize(3);
    }

    private static void check(byte[] bytes) {
        Chunk c;
        try {
            c = Chunk.wrap(bytes);
        } catch (CorruptChunkException expected) {
            return;
        }
        Chunk.RecordCursor cursor = c.cursor();
        int n = 0;
        while (cursor.next()) {
            n++;
        }
        assertThat(n).isEqualTo(c.count());
    }
}
