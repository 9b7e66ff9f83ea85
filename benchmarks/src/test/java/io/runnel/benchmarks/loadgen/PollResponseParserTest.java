package io.runnel.benchmarks.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PollResponseParserTest {

    @Test
    void countsValuesAndReadsTheirTimestampsAcrossPartitions() {
        String body = "[{\"topic\":\"t\",\"token\":\"-9223372036854775808\",\"rangeIndex\":0,\"version\":1,"
                + "\"startOffset\":\"6\",\"values\":[{\"id\":\"1\",\"ts\":100,\"pad\":\"x\"},{\"nested\":{\"ts\":5}}]},"
                + "{\"topic\":\"t\",\"values\":[{\"ts\":300}, 42, \"s\", [1,2]],\"startOffset\":\"0\"}]";
        List<Long> ts = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        int n = PollResponseParser.parse(body.getBytes(StandardCharsets.UTF_8), (t, bytes) -> {
            ts.add(t);
            sizes.add(bytes);
        });
        assertThat(n).isEqualTo(6);
        assertThat(ts).containsExactly(100L, -1L, 300L, -1L, -1L, -1L);
        assertThat(sizes.get(0)).isEqualTo("{\"id\":\"1\",\"ts\":100,\"pad\":\"x\"}".length());
        assertThat(sizes.get(2)).isEqualTo("{\"ts\":300}".length());
    }

    @Test
    void reportsEachBatchsPartitionAndStartOffsetBeforeItsEvents() {
        String body = "[{\"topic\":\"t\",\"token\":\"-9223372036854775808\",\"rangeIndex\":1,\"version\":1,"
                + "\"startOffset\":\"6\",\"values\":[{\"ts\":1},{\"ts\":2}]},"
                + "{\"topic\":\"u\",\"token\":\"0\",\"rangeIndex\":0,\"version\":2,\"startOffset\":\"0\",\"values\":[3]}]";
        List<String> seen = new ArrayList<>();
        PollResponseParser.parse(body.getBytes(StandardCharsets.UTF_8), new PollResponseParser.EventSink() {
            @Override
            public void batch(String topic, String token, int rangeIndex, long startOffset) {
                seen.add(topic + "/" + token + "/" + rangeIndex + "@" + startOffset);
            }

            @Override
            public void event(long tsMicros, int bytes) {
                seen.add("ts " + tsMicros);
            }
        });
        assertThat(seen).containsExactly("t/-9223372036854775808/1@6", "ts 1", "ts 2", "u/0/0@0", "ts -1");
    }

    @Test
    void emptyArrayHasNoEvents() {
        assertThat(PollResponseParser.parse("[]".getBytes(StandardCharsets.UTF_8), (t, b) -> { })).isZero();
    }

    @Test
    void rejectsWhatIsNotAPollAnswer() {
        assertThatThrownBy(() -> PollResponseParser.parse("{}".getBytes(StandardCharsets.UTF_8), (t, b) -> { }))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
