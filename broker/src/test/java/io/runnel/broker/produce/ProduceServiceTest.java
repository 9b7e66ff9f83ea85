package io.runnel.broker.produce;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import io.runnel.discovery.TokenRing;
import io.runnel.storage.Chunk;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProduceServiceTest {

    @Test
    void aBatchBecomesOneChunkWithTheKeyOnEveryRecord() {
        EventBatch batch = new EventBodyParser(new JsonFactory())
                .parse(BodyFormat.NDJSON, "{\"a\":1}\n[2]\n".getBytes(StandardCharsets.UTF_8));
        Chunk chunk = Chunk.wrap(ProduceService.encode("key-é", batch, 1234L));
        assertThat(chunk.count()).isEqualTo(2);
        assertThat(chunk.firstTimestamp()).isEqualTo(1234L);
        Chunk.RecordCursor c = chunk.cursor();
        assertThat(c.next()).isTrue();
        assertThat(new String(c.key(), StandardCharsets.UTF_8)).isEqualTo("key-é");
        assertThat(new String(c.array(), c.valueOffset(), c.valueLength(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        assertThat(c.next()).isTrue();
        assertThat(new String(c.array(), c.valueOffset(), c.valueLength(), StandardCharsets.UTF_8)).isEqualTo("[2]");
        assertThat(c.next()).isFalse();
    }

    @Test
    void keylessRecordsHaveNoKey() {
        EventBatch batch = new EventBodyParser(new JsonFactory()).parse(BodyFormat.JSON, "{}".getBytes(StandardCharsets.UTF_8));
        Chunk.RecordCursor c = Chunk.wrap(ProduceService.encode(null, batch, 1L)).cursor();
        assertThat(c.next()).isTrue();
        assertThat(c.hasKey()).isFalse();
    }

    @Test
    void keysFollowTheRingAndKeylessWritesRoundRobinOverLedPartitions() {
        TokenRing ring = new TokenRing(1, 4);
        PartitionChooser chooser = new PartitionChooser(ring, () -> new int[] {0, 1, 2, 3});
        assertThat(chooser.choose("123")).isEqualTo(ring.partitionOf("123"));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            seen.add(chooser.choose(null));
        }
        assertThat(seen).containsExactlyInAnyOrder(0, 1, 2, 3);
    }
}
