package io.runnel.broker.produce;

import io.runnel.broker.common.RunnelException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventBodyParserTest {
    private final EventBodyParser parser = new EventBodyParser(new JsonFactory());

    private EventBatch json(String body) {
        return parser.parse(BodyFormat.JSON, body.getBytes(StandardCharsets.UTF_8));
    }

    private EventBatch ndjson(String body) {
        return parser.parse(BodyFormat.NDJSON, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aJsonBodyIsOneEventWithoutSurroundingWhitespace() {
        EventBatch b = json("  {\"productId\": 123, \"units\": -5}\n");
        assertThat(b.count()).isEqualTo(1);
        assertThat(b.event(0)).isEqualTo("{\"productId\": 123, \"units\": -5}");
        assertThat(json("[1,2,3]").event(0)).isEqualTo("[1,2,3]");
        assertThat(json("\"text\"").event(0)).isEqualTo("\"text\"");
        assertThat(json("42").event(0)).isEqualTo("42");
        assertThat(json("null").event(0)).isEqualTo("null");
    }

    @Test
    void aLeadingByteOrderMarkIsDropped() {
        byte[] body = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'};
        assertThat(parser.parse(BodyFormat.JSON, body).event(0)).isEqualTo("{}");
    }

    @Test
    void malformedJsonIsRejected() {
        for (String bad : new String[] {"{\"a\":", "{\"a\" 1}", "{'a':1}", "tru", "{\"a\":1} x", "[1,]", "01",
                "\"bad \\q escape\"", "{\"a\":NaN}", "/* c */ {}", "123abc"}) {
            assertThatThrownBy(() -> json(bad)).as(bad)
                    .isInstanceOfSatisfying(MalformedEventsException.class, e -> {
                        assertThat(e.error().kind()).isEqualTo("malformed_json");
                        assertThat(e.line()).isZero();
                        assertThat(e.getMessage()).startsWith("the body ");
                    });
        }
    }

    @Test
    void twoJsonValuesPointToNdjson() {
        assertThatThrownBy(() -> json("{\"a\":1}{\"b\":2}"))
                .hasMessageContaining("more than one JSON value").hasMessageContaining("application/x-ndjson");
        assertThatThrownBy(() -> json("1 2")).hasMessageContaining("more than one JSON value");
    }

    @Test
    void invalidUtf8InsideAStringIsRejected() {
        byte[] body = {'"', 'a', (byte) 0xC3, 'x', '"'};
        assertThatThrownBy(() -> parser.parse(BodyFormat.JSON, body)).isInstanceOf(MalformedEventsException.class);
    }

    @Test
    void utf16IsRejected() {
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_16);
        assertThatThrownBy(() -> parser.parse(BodyFormat.JSON, body)).hasMessageContaining("UTF-8");
    }

    @Test
    void emptyBodiesHaveNoEvents() {
        assertThatThrownBy(() -> json("")).isInstanceOfSatisfying(MalformedEventsException.class,
                e -> assertThat(e.error().kind()).isEqualTo("no_events"));
        assertThatThrownBy(() -> json(" \r\n\t")).isInstanceOfSatisfying(MalformedEventsException.class,
                e -> assertThat(e.error().kind()).isEqualTo("no_events"));
        assertThatThrownBy(() -> ndjson("\n \n\r\n")).isInstanceOfSatisfying(MalformedEventsException.class,
                e -> assertThat(e.error().kind()).isEqualTo("no_events"));
    }

    @Test
    void ndjsonIsOneEventPerLineSkippingBlankLinesAndCarriageReturns() {
        EventBatch b = ndjson("{\"a\":1}\r\n\n   \n[2]\n\"three\"\r\n  4  ");
        assertThat(b.count()).isEqualTo(4);
        assertThat(b.event(0)).isEqualTo("{\"a\":1}");
        assertThat(b.event(1)).isEqualTo("[2]");
        assertThat(b.event(2)).isEqualTo("\"three\"");
        assertThat(b.event(3)).isEqualTo("4");
        assertThat(b.valueBytes()).isEqualTo(7 + 3 + 7 + 1);
    }

    @Test
    void aBadNdjsonLineIsNamedOneBased() {
        assertThatThrownBy(() -> ndjson("{\"a\":1}\n\n{\"b\":\n{\"c\":3}\n"))
                .isInstanceOfSatisfying(MalformedEventsException.class, e -> {
                    assertThat(e.error().kind()).isEqualTo("malformed_ndjson");
                    assertThat(e.line()).isEqualTo(3);
                    assertThat(e.getMessage()).startsWith("line 3 ");
                });
        assertThatThrownBy(() -> ndjson("1\n2 3\n")).isInstanceOfSatisfying(MalformedEventsException.class,
                e -> assertThat(e.line()).isEqualTo(2));
        // A JSON value spread over two lines is two bad lines, the first is reported.
        assertThatThrownBy(() -> ndjson("{\n}\n")).isInstanceOfSatisfying(MalformedEventsException.class,
                e -> assertThat(e.line()).isEqualTo(1));
    }

    @Test
    void everyKindOfLineGoesThroughTheSinglePassAsThePerLineCheckWould() {
        EventBatch b = ndjson("\uFEFF{\"a\":[1,{\"b\":null}]}\n\"s\"\n12\n-1.5e3\r\ntrue\nnull\n  [ ]  \n\"x\"");
        assertThat(b.count()).isEqualTo(8);
        assertThat(b.event(0)).isEqualTo("{\"a\":[1,{\"b\":null}]}");
        assertThat(b.event(3)).isEqualTo("-1.5e3");
        assertThat(b.event(6)).isEqualTo("[ ]");
        assertThat(b.event(7)).isEqualTo("\"x\"");
    }

    @Test
    void errorsAnywhereInALongBodyNameTheirLine() {
        StringBuilder body = new StringBuilder();
        for (int i = 1; i <= 200; i++) {
            body.append(i == 150 ? "{\"n\":150,}" : "{\"n\":" + i + "}").append('\n');
        }
        assertThatThrownBy(() -> ndjson(body.toString())).isInstanceOfSatisfying(MalformedEventsException.class, e -> {
            assertThat(e.line()).isEqualTo(150);
            assertThat(e.getMessage()).startsWith("line 150 is not valid JSON");
        });
        for (String bad : new String[] {"1\n{}{}\n", "1\n\"a\" \"b\"\n", "1\n{} x\n", "1\n[1,\n2]\n", "1\n\"open\n\"\n",
                "1\n12 \n{\"a\"\n"}) {
            assertThatThrownBy(() -> ndjson(bad)).as(bad).isInstanceOfSatisfying(MalformedEventsException.class,
                    e -> assertThat(e.line()).isEqualTo(bad.startsWith("1\n12") ? 3 : 2));
        }
        byte[] utf16Line = ("1\n" + new String("{}".getBytes(StandardCharsets.UTF_16BE), StandardCharsets.ISO_8859_1))
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> parser.parse(BodyFormat.NDJSON, utf16Line)).isInstanceOfSatisfying(MalformedEventsException.class,
                e -> assertThat(e.line()).isEqualTo(2));
    }

    @Test
    void contentTypesMapToFormats() {
        assertThat(BodyFormat.of(null)).isEqualTo(BodyFormat.JSON);
        assertThat(BodyFormat.of("")).isEqualTo(BodyFormat.JSON);
        assertThat(BodyFormat.of("application/json")).isEqualTo(BodyFormat.JSON);
        assertThat(BodyFormat.of("Application/JSON; charset=UTF-8")).isEqualTo(BodyFormat.JSON);
        assertThat(BodyFormat.of("application/x-ndjson;charset=\"utf-8\"")).isEqualTo(BodyFormat.NDJSON);
        assertThat(BodyFormat.of("application/ndjson")).isEqualTo(BodyFormat.NDJSON);
        assertThatThrownBy(() -> BodyFormat.of("text/plain")).isInstanceOfSatisfying(RunnelException.class,
                e -> assertThat(e.error().httpStatus()).isEqualTo(415));
        assertThatThrownBy(() -> BodyFormat.of("application/json; charset=iso-8859-1"))
                .isInstanceOfSatisfying(RunnelException.class, e -> assertThat(e.error().httpStatus()).isEqualTo(415));
    }
}
