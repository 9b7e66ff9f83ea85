package io.runnel.broker.consume;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.runnel.storage.Chunk;
import io.runnel.storage.ChunkBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PollResponseEncoderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    /** A stored chunk holding {@code events}, stamped as the store would. */
    static Chunk chunk(long baseOffset, int generation, String... events) {
        ChunkBuilder b = new ChunkBuilder();
        for (String e : events) {
            byte[] v = e.getBytes(StandardCharsets.UTF_8);
            b.add(v, 0, v.length, 1_700_000_000_000L);
        }
        byte[] bytes = b.build();
        Chunk.stamp(bytes, baseOffset, generation);
        return Chunk.wrap(bytes);
    }

    private static String encode(PollResult r) {
        ByteBuf buf = PollResponseEncoder.encode(r, ALLOC);
        try {
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
    }

    @Test
    void encodesTheBarcoPollAnswerExactly() {
        Chunk c = chunk(6, 1, "{\"productId\": 123, \"units\": -1}", "{\"productId\": 123, \"units\": 20}");
        PollResult r = new PollResult(List.of(
                new PartitionBatch("product-stock", 0, Long.MIN_VALUE, 0, 1, 6, 8, List.of(c))));

        // seeds/003's example, except that values are joined by "," alone (each value is copied as stored)
        assertThat(encode(r)).isEqualTo("[{\"topic\":\"product-stock\",\"token\":\"-9223372036854775808\","
                + "\"rangeIndex\":0,\"version\":1,\"startOffset\":\"6\",\"values\":[{\"productId\": 123, \"units\": -1},"
                + "{\"productId\": 123, \"units\": 20}]}]");
    }

    @Test
    void parsesBackToTheProducedEventsWithStringOffsetsAndTokens() throws Exception {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            events.add("{\"n\":" + i + ",\"s\":\"caf\u00e9 \\\"q\\\"\",\"a\":[1,2,{\"x\":null}]}");
        }
        Chunk first = chunk(100, 3, events.subList(0, 4).toArray(String[]::new));
        Chunk second = chunk(104, 3, events.subList(4, 7).toArray(String[]::new));
        Chunk other = chunk(0, 1, "42", "\"text\"", "[true,false]");
        long token = 4611686018427387904L;
        PollResult r = new PollResult(List.of(
                new PartitionBatch("orders", 5, token, 1, 3, 102, 107, List.of(first, second)),
                new PartitionBatch("audit.log_v2", 0, Long.MIN_VALUE, 0, 1, 0, 3, List.of(other))));

        JsonNode root = JSON.readTree(encode(r));

        assertThat(root.isArray()).isTrue();
        assertThat(root).hasSize(2);
        JsonNode a = root.get(0);
        assertThat(a.fieldNames()).toIterable()
                .containsExactly("topic", "token", "rangeIndex", "version", "startOffset", "values");
        assertThat(a.get("topic").asText()).isEqualTo("orders");
        assertThat(a.get("token").isTextual()).isTrue();
        assertThat(a.get("token").asText()).isEqualTo("4611686018427387904");
        assertThat(a.get("rangeIndex").isInt()).isTrue();
        assertThat(a.get("rangeIndex").asInt()).isEqualTo(1);
        assertThat(a.get("version").asInt()).isEqualTo(3);
        assertThat(a.get("startOffset").isTextual()).isTrue();
        assertThat(a.get("startOffset").asText()).isEqualTo("102");
        List<JsonNode> expected = new ArrayList<>();
        for (String e : events.subList(2, 7)) { // records 100 and 101 lie below the start offset
            expected.add(JSON.readTree(e));
        }
        assertThat(a.get("values")).containsExactlyElementsOf(expected);

        JsonNode b = root.get(1);
        assertThat(b.get("topic").asText()).isEqualTo("audit.log_v2");
        assertThat(b.get("startOffset").asText()).isEqualTo("0");
        assertThat(b.get("values")).containsExactly(JSON.readTree("42"), JSON.readTree("\"text\""),
                JSON.readTree("[true,false]"));
    }

    @Test
    void stopsAtTheBatchEndEvenIfTheChunkGoesOn() throws Exception {
        Chunk c = chunk(10, 1, "1", "2", "3", "4");
        PollResult r = new PollResult(List.of(new PartitionBatch("t", 0, Long.MIN_VALUE, 0, 1, 11, 13, List.of(c))));
        JsonNode values = JSON.readTree(encode(r)).get(0).get("values");
        assertThat(values.toString()).isEqualTo("[2,3]");
    }

    @Test
    void anEmptyResultIsAnEmptyArray() {
        assertThat(encode(PollResult.EMPTY)).isEqualTo("[]");
    }

    @Test
    void escapesTopicNamesRatherThanBreakTheJson() throws Exception {
        Chunk c = chunk(0, 1, "{}");
        PollResult r = new PollResult(List.of(new PartitionBatch("we\"ird\\\n", 0, 0, 0, 1, 0, 1, List.of(c))));
        assertThat(JSON.readTree(encode(r)).get(0).get("topic").asText()).isEqualTo("we\"ird\\\n");
    }
}
