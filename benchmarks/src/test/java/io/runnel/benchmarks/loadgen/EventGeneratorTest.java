package io.runnel.benchmarks.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventGeneratorTest {
    private final ObjectMapper json = new ObjectMapper();

    @org.junit.jupiter.api.Test
    void readTsRefusesWhatItDidNotWrite() {
        byte[] other = "{\"ts\":5}".getBytes(StandardCharsets.US_ASCII);
        assertThat(EventGenerator.readTs(other, 0, other.length)).isEqualTo(-1);
        byte[] noDigits = "{\"id\":\"1\",\"ts\":x}".getBytes(StandardCharsets.US_ASCII);
        assertThat(EventGenerator.readTs(noDigits, 0, noDigits.length)).isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 1000, 86})
    void everyEventIsValidJsonOfExactlyTheSize(int size) throws Exception {
        EventGenerator gen = new EventGenerator(size, 3);
        byte[] out = new byte[size];
        for (long seq : new long[] {0, 7, 123_456_789L, Long.MAX_VALUE}) {
            for (byte[] key : new byte[][] {null, "k42".getBytes(StandardCharsets.US_ASCII)}) {
                int end = gen.writeEvent(out, 0, seq, 1_700_000_000_123_456L, key);
                assertThat(end).isEqualTo(size);
                JsonNode node = json.readTree(out);
                assertThat(node.get("id").asText()).isEqualTo(Long.toString(seq));
                assertThat(node.get("ts").asLong()).isEqualTo(1_700_000_000_123_456L);
                assertThat(EventGenerator.readTs(out, 0, size)).isEqualTo(1_700_000_000_123_456L);
                assertThat(node.has("k")).isEqualTo(key != null);
                assertThat(node.get("pad").asText()).matches("x*");
            }
        }
    }

    @Test
    void bodyIsNdjsonOfSequentialEvents() throws Exception {
        EventGenerator gen = new EventGenerator(200, 0);
        byte[] body = new byte[gen.bodySize(100)];
        int end = gen.writeBody(body, 0, 500, 100, WallClock.nowMicros(), null);
        assertThat(end).isEqualTo(100 * 201);
        String[] lines = new String(body, StandardCharsets.US_ASCII).split("\n");
        assertThat(lines).hasSize(100);
        for (int i = 0; i < lines.length; i++) {
            assertThat(lines[i]).hasSize(200);
            assertThat(json.readTree(lines[i]).get("id").asText()).isEqualTo(Integer.toString(500 + i));
        }
    }

    @Test
    void refusesSizesThatCannotHoldTheFields() {
        assertThatThrownBy(() -> new EventGenerator(EventGenerator.minimumSize(0) - 1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--size must be at least " + EventGenerator.minimumSize(0));
        assertThat(new EventGenerator(EventGenerator.minimumSize(5), 5).eventSize()).isEqualTo(EventGenerator.minimumSize(5));
    }
}
