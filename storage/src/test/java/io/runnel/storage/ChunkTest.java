package io.runnel.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkTest {
    private static final long T0 = 1_700_000_000_000L;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] threeRecords() {
        byte[] v0 = utf8("zero");
        byte[] v1 = utf8("one");
        byte[] v2 = new byte[0];
        return new ChunkBuilder()
                .add(utf8("k0"), v0, 0, v0.length, T0)
                .add(v1, 0, v1.length, T0 + 7)
                .add(new byte[0], v2, 0, 0, T0 - 3)
                .build();
    }

    @Test
    void buildAndWrapRoundTrip() {
        byte[] bytes = threeRecords();
        Chunk chunk = Chunk.wrap(bytes);
        assertThat(chunk.count()).isEqualTo(3);
        assertThat(Chunk.recordCount(bytes)).isEqualTo(3);
        assertThat(chunk.baseOffset()).isZero();
        assertThat(chunk.generation()).isZero();
        assertThat(chunk.firstTimestamp()).isEqualTo(T0);
        assertThat(chunk.lastTimestamp()).isEqualTo(T0 + 7);
        assertThat(chunk.sizeBytes()).isEqualTo(bytes.length);
        assertThat(chunk.bytes()).isSameAs(bytes);

        Chunk.RecordCursor c = chunk.cursor();
        assertThat(c.next()).isTrue();
        assertThat(c.offset()).isZero();
        assertThat(c.timestamp()).isEqualTo(T0);
        assertThat(c.hasKey()).isTrue();
        assertThat(c.key()).isEqualTo(utf8("k0"));
        assertThat(new String(c.array(), c.valueOffset(), c.valueLength(), StandardCharsets.UTF_8)).isEqualTo("zero");

        assertThat(c.next()).isTrue();
        assertThat(c.offset()).isEqualTo(1);
        assertThat(c.timestamp()).isEqualTo(T0 + 7);
        assertThat(c.hasKey()).isFalse();
        assertThat(c.key()).isNull();
        assertThat(new String(c.array(), c.valueOffset(), c.valueLength(), StandardCharsets.UTF_8)).isEqualTo("one");

        assertThat(c.next()).isTrue();
        assertThat(c.timestamp()).isEqualTo(T0 - 3);
        assertThat(c.hasKey()).as("an empty key is a key").isTrue();
        assertThat(c.key()).isEmpty();
        assertThat(c.valueLength()).isZero();
        assertThat(c.next()).isFalse();
        assertThat(c.next()).isFalse();
    }

    @Test
    void stampSetsOffsetAndGenerationWithoutBreakingTheCrc() {
        byte[] bytes = threeRecords();
        int crc = Chunk.wrap(bytes).crc();
        Chunk.stamp(bytes, 1L << 40, 42);
        Chunk chunk = Chunk.wrap(bytes);
        assertThat(chunk.crc()).isEqualTo(crc);
        assertThat(chunk.baseOffset()).isEqualTo(1L << 40);
        assertThat(chunk.generation()).isEqualTo(42);
        assertThat(chunk.nextOffset()).isEqualTo((1L << 40) + 3);
        Chunk.RecordCursor c = chunk.cursor();
        c.next();
        c.next();
        assertThat(c.offset()).isEqualTo((1L << 40) + 1);
    }

    @Test
    void everyFlippedBitInTheCoveredBytesIsDetected() {
        byte[] good = threeRecords();
        for (int i = Chunk.CRC_START - 4; i < good.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) (1 << bit);
                int at = i;
                assertThatThrownBy(() -> Chunk.wrap(bad)).as("flip at byte %d", at)
                        .isInstanceOf(CorruptChunkException.class);
            }
        }
    }

    @Test
    void truncatedAndGarbageInputIsRejected() {
        byte[] good = threeRecords();
        for (int len = 0; len < good.length; len++) {
            byte[] cut = Arrays.copyOf(good, len);
            assertThatThrownBy(() -> Chunk.wrap(cut)).isInstanceOf(CorruptChunkException.class);
        }
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> Chunk.wrap(longer)).isInstanceOf(CorruptChunkException.class);

        byte[] wrongMagic = good.clone();
        wrongMagic[12] = 9;
        assertThatThrownBy(() -> Chunk.wrap(wrongMagic)).isInstanceOf(CorruptChunkException.class)
                .hasMessageContaining("format");

        Random random = new Random(7);
        for (int i = 0; i < 1000; i++) {
            byte[] garbage = new byte[random.nextInt(200)];
            random.nextBytes(garbage);
            if (garbage.length > 12) {
                garbage[12] = Chunk.MAGIC;
            }
            assertThatThrownBy(() -> Chunk.wrap(garbage)).isInstanceOf(CorruptChunkException.class);
        }
    }

    @Test
    void structurallyBadRecordsWithAValidCrcAreRejected() {
        byte[] bytes = threeRecords();
        // Claim one more record than there is, and fix up the CRC so only the structure is wrong.
        BigEndian.putInt(bytes, 20, 4);
        recrc(bytes);
        assertThatThrownBy(() -> Chunk.wrap(bytes)).isInstanceOf(CorruptChunkException.class)
                .hasMessageContaining("record 3");

        byte[] zero = threeRecords();
        BigEndian.putInt(zero, 20, 0);
        recrc(zero);
        assertThatThrownBy(() -> Chunk.wrap(zero)).isInstanceOf(CorruptChunkException.class);

        byte[] badKey = threeRecords();
        BigEndian.putInt(badKey, Chunk.HEADER_SIZE + 4, -2);
        recrc(badKey);
        assertThatThrownBy(() -> Chunk.wrap(badKey)).isInstanceOf(CorruptChunkException.class)
                .hasMessageContaining("key length");
    }

    @Test
    void builderIsReusableAndRejectsEmptyChunks() {
        ChunkBuilder b = new ChunkBuilder(1);
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class);
        byte[] big = new byte[10_000];
        new Random(1).nextBytes(big);
        b.add(big, 0, big.length, T0);
        assertThat(b.count()).isEqualTo(1);
        assertThat(b.sizeBytes()).isEqualTo(Chunk.HEADER_SIZE + 12 + big.length);
        byte[] first = b.build();
        assertThat(first).hasSize(Chunk.HEADER_SIZE + 12 + big.length);
        b.add(big, 100, 5, T0 + 1);
        Chunk second = Chunk.wrap(b.build());
        assertThat(second.count()).isEqualTo(1);
        assertThat(second.firstTimestamp()).isEqualTo(T0 + 1);
        assertThat(second.lastTimestamp()).isEqualTo(T0 + 1);
        Chunk.RecordCursor c = second.cursor();
        c.next();
        assertThat(Arrays.copyOfRange(c.array(), c.valueOffset(), c.valueOffset() + c.valueLength()))
                .isEqualTo(Arrays.copyOfRange(big, 100, 105));
        assertThat(Chunk.wrap(first).count()).isEqualTo(1);
        assertThatThrownBy(() -> b.add(big, 0, 1, T0).add(big, 0, 1, T0 + 25L * 24 * 3600 * 1000))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static void recrc(byte[] bytes) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, Chunk.CRC_START, bytes.length - Chunk.CRC_START);
        BigEndian.putInt(bytes, 16, (int) crc.getValue());
    }
}
