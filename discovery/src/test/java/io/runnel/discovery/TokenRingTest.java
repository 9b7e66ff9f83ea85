package io.runnel.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenRingTest {

    @Test
    void murmurMatchesGuavaForEveryTailLength() {
        Random random = new Random(42);
        for (int length = 0; length < 70; length++) {
            byte[] data = new byte[length];
            random.nextBytes(data);
            long expected = Hashing.murmur3_128().hashBytes(data).asLong();
            assertThat(Murmur3.hash64(data, 0, length)).as("length %d", length).isEqualTo(expected);
        }
    }

    @Test
    void tokenOfAKeyIsItsUtf8Murmur() {
        long expected = Hashing.murmur3_128().hashString("123", StandardCharsets.UTF_8).asLong();
        assertThat(TokenRing.token("123")).isEqualTo(expected);
    }

    @Test
    void ringEndsFallInFirstAndLastPartition() {
        for (int n = 1; n <= 7; n++) {
            TokenRing ring = new TokenRing(n, 4);
            assertThat(ring.partitionOf(Long.MIN_VALUE)).isZero();
            assertThat(ring.partitionOf(Long.MAX_VALUE)).isEqualTo(ring.partitionCount() - 1);
        }
    }

    @Test
    void startTokensBoundEachPartitionExactly() {
        for (int n = 1; n <= 6; n++) {
            TokenRing ring = new TokenRing(n, 3);
            for (int p = 0; p < ring.partitionCount(); p++) {
                long start = ring.startToken(p);
                assertThat(ring.partitionOf(start)).isEqualTo(p);
                if (p > 0) {
                    assertThat(ring.partitionOf(start - 1)).isEqualTo(p - 1);
                }
            }
        }
    }

    @Test
    void rangeStartTokenIsTheStartOfItsFirstPartition() {
        TokenRing ring = new TokenRing(3, 4);
        for (int r = 0; r < 3; r++) {
            assertThat(ring.rangeStartToken(r)).isEqualTo(ring.startToken(r * 4));
            assertThat(ring.rangeOf(r * 4 + 3)).isEqualTo(r);
            assertThat(ring.indexInRange(r * 4 + 3)).isEqualTo(3);
        }
        assertThat(ring.rangeStartToken(0)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void keysSpreadOverAllPartitions() {
        TokenRing ring = new TokenRing(3, 4);
        int[] hits = new int[ring.partitionCount()];
        for (int i = 0; i < 12_000; i++) {
            hits[ring.partitionOf("key-" + i)]++;
        }
        for (int h : hits) {
            assertThat(h).isBetween(800, 1200);
        }
    }

    @Test
    void replicaSetsWrapAroundAndCapAtThree() {
        assertThat(new TokenRing(5, 1).replicaSet(4)).containsExactly(4, 0, 1);
        assertThat(new TokenRing(2, 1).replicaSet(1)).containsExactly(1, 0);
        assertThat(new TokenRing(1, 4).replicaSet(0)).containsExactly(0);
    }

    @Test
    void rejectsImpossibleShapes() {
        assertThatThrownBy(() -> new TokenRing(0, 4)).hasMessageContaining("at least one broker");
        assertThatThrownBy(() -> new TokenRing(3, 0)).hasMessageContaining("ranges per broker");
        assertThatThrownBy(() -> new TokenRing(3, 4).rangeOf(12)).hasMessageContaining("outside");
    }
}
