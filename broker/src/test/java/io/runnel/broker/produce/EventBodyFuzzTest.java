package io.runnel.broker.produce;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * The JSON and NDJSON intake against any bytes and against near-JSON text: a body is a batch of at least one
 * event, or a {@link MalformedEventsException} (a 400 naming the line); never another exception. Tries per
 * property: {@code jqwik.tries.default} (short in every build, long with {@code -Pfuzz}).
 */
class EventBodyFuzzTest {
    private final EventBodyParser parser = new EventBodyParser(new JsonFactory());

    @Property
    void anyBytes(@ForAll @Size(max = 400) byte[] body) {
        for (BodyFormat format : BodyFormat.values()) {
            check(format, body);
        }
    }

    @Property
    void nearJson(@ForAll("jsonish") String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        for (BodyFormat format : BodyFormat.values()) {
            check(format, body);
        }
    }

    @Provide
    Arbitrary<String> jsonish() {
        Arbitrary<String> token = Arbitraries.of("{", "}", "[", "]", ":", ",", "\"", "\\", "\\u00", "1", "-0", "1e309",
                "true", "nul", "null", " ", "\n", "\r\n", "\"k\"", "\"v\\n\"", "\uD800", "é", "\u0000", "/*", "NaN");
        return token.list().ofMaxSize(60).map(l -> String.join("", l));
    }

    private void check(BodyFormat format, byte[] body) {
        try {
            EventBatch batch = parser.parse(format, body);
            assertThat(batch.count()).isPositive();
            assertThat(batch.valueBytes()).isLessThanOrEqualTo(body.length);
        } catch (MalformedEventsException expected) {
            assertThat(expected.toException().error().httpStatus()).isEqualTo(400);
        }
    }
}
