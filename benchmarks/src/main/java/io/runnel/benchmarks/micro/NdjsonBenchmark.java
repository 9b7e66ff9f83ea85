package io.runnel.benchmarks.micro;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.runnel.broker.produce.BodyFormat;
import io.runnel.broker.produce.EventBatch;
import io.runnel.broker.produce.EventBodyParser;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Splitting and validating one produce request body of {@code lines} NDJSON events: the broker's
 * {@link EventBodyParser} (one Jackson parser over the whole body since issue 17), the broker's parser
 * before that ({@link #brokerBefore}: one Jackson parser per line, kept here as it was), the per-line
 * approach written out minimally, one parser over the whole body checking line boundaries from token
 * locations, and a newline scan alone as the floor.
 *
 * <p>One operation is one body; events/s = ops/s × {@code lines}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class NdjsonBenchmark {
    @Param("100")
    int lines;

    @Param("200")
    int eventSize;

    private final JsonFactory factory = new JsonFactory();
    private EventBodyParser brokerParser;
    private PerLineParser before;
    private byte[] body;

    @Setup
    public void setUp() throws IOException {
        body = BenchmarkEvents.ndjson(lines, eventSize);
        brokerParser = new EventBodyParser(factory);
        before = new PerLineParser(factory);
        // Every variant must agree on the body before its speed means anything.
        if (brokerParser.parse(BodyFormat.NDJSON, body).count() != lines || brokerBefore() != lines || perLine() != lines
                || singleParser() != lines || splitOnly() != lines) {
            throw new IllegalStateException("variants disagree on the body");
        }
    }

    /** The broker's own parser, as a produce request runs it. */
    @Benchmark
    public EventBatch broker() {
        return brokerParser.parse(BodyFormat.NDJSON, body);
    }

    /** The broker's parser before issue 17: one parser per line (the same checks; see {@link PerLineParser}). */
    @Benchmark
    public int brokerBefore() throws IOException {
        return before.parse(body);
    }

    /** Minimal per-line approach: split on '\n', one parser per line, exactly one value each. */
    @Benchmark
    public int perLine() throws IOException {
        int count = 0;
        int pos = 0;
        while (pos < body.length) {
            int nl = indexOf(body, pos);
            int end = nl < 0 ? body.length : nl;
            if (end > pos) {
                try (JsonParser p = factory.createParser(body, pos, end - pos)) {
                    JsonToken t = p.nextToken();
                    if (t == null) {
                        throw new IllegalStateException("blank line");
                    }
                    p.skipChildren();
                    if (p.nextToken() != null) {
                        throw new IllegalStateException("two values on one line");
                    }
                }
                count++;
            }
            pos = end + 1;
        }
        return count;
    }

    /**
     * One parser over the body: each root-level value's byte range comes from token locations; the
     * gap before it must hold a newline and the value itself none, so each line has one value.
     */
    @Benchmark
    public int singleParser() throws IOException {
        int count = 0;
        try (JsonParser p = factory.createParser(body)) {
            long prevEnd = -1;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                int start = (int) p.currentTokenLocation().getByteOffset();
                if (t.isStructStart()) {
                    p.skipChildren();
                }
                int end = (int) p.currentLocation().getByteOffset();
                if (prevEnd >= 0 && indexOf(body, (int) prevEnd, start) < 0) {
                    throw new IllegalStateException("two values on one line");
                }
                if (indexOf(body, start, end) >= 0) {
                    throw new IllegalStateException("a value spans lines");
                }
                prevEnd = end;
                count++;
            }
        }
        return count;
    }

    /** Newline scan only: the floor under any validating splitter. */
    @Benchmark
    public int splitOnly() {
        int count = 0;
        int pos = 0;
        while (pos < body.length) {
            int nl = indexOf(body, pos);
            int end = nl < 0 ? body.length : nl;
            if (end > pos) {
                count++;
            }
            pos = end + 1;
        }
        return count;
    }

    /**
     * {@code EventBodyParser}'s NDJSON path as it was before issue 17, reduced to what it costs: per non-blank
     * line, trim, check the first byte, create a parser over the line, skip one value, require the end.
     */
    static final class PerLineParser {
        private final JsonFactory factory;

        PerLineParser(JsonFactory factory) {
            this.factory = factory;
        }

        int parse(byte[] body) throws IOException {
            int count = 0;
            int[] offsets = new int[8];
            int pos = body.length >= 3 && (body[0] & 0xff) == 0xEF ? 3 : 0;
            while (pos < body.length) {
                int newline = indexOf(body, pos);
                int lineEnd = newline < 0 ? body.length : newline;
                int start = pos;
                while (start < lineEnd && (body[start] == ' ' || body[start] == '\t' || body[start] == '\r')) {
                    start++;
                }
                int end = lineEnd;
                while (end > start && (body[end - 1] == ' ' || body[end - 1] == '\t' || body[end - 1] == '\r')) {
                    end--;
                }
                if (start < end) {
                    byte b = body[start];
                    if (!(b == '{' || b == '[' || b == '"' || b == '-' || (b >= '0' && b <= '9') || b == 't' || b == 'f' || b == 'n')) {
                        throw new IllegalStateException("not a JSON value");
                    }
                    try (JsonParser parser = factory.createParser(body, start, end - start)) {
                        JsonToken first = parser.nextToken();
                        if (first != null && first.isStructStart()) {
                            parser.skipChildren();
                        }
                        if (parser.nextToken() != null) {
                            throw new IllegalStateException("two values on one line");
                        }
                    }
                    if (count == offsets.length) {
                        offsets = java.util.Arrays.copyOf(offsets, count * 2);
                    }
                    offsets[count++] = start;
                }
                pos = lineEnd + 1;
            }
            return count;
        }
    }

    private static int indexOf(byte[] b, int from) {
        return indexOf(b, from, b.length);
    }

    private static int indexOf(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
