package io.runnel.benchmarks.loadgen;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Reads a poll answer {@code [{topic, token, rangeIndex, version, startOffset, values:[...]}]} with
 * Jackson's streaming parser, reporting each event's size and its {@code "ts"} field without
 * building a tree.
 */
public final class PollResponseParser {
    /** Receives one event of a poll answer. */
    @FunctionalInterface
    public interface EventSink {
        /**
         * @param tsMicros the event's top-level {@code "ts"} number, or {@code -1} if it has none
         * @param bytes    the event's size as it appears in the answer
         */
        void event(long tsMicros, int bytes);
    }

    private static final JsonFactory JSON = new JsonFactory();

    private PollResponseParser() {
    }

    /**
     * Parses one poll answer.
     *
     * @return the number of events
     * @throws IllegalArgumentException if the body is not a poll answer
     */
    public static int parse(byte[] body, EventSink sink) {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException("a poll answer is a JSON array");
            }
            int events = 0;
            while (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken t = p.nextToken();
                    if ("values".equals(field) && t == JsonToken.START_ARRAY) {
                        events += values(p, sink);
                    } else {
                        p.skipChildren();
                    }
                }
            }
            if (p.currentToken() != JsonToken.END_ARRAY) {
                throw new IllegalArgumentException("a poll answer holds objects, found " + p.currentToken());
            }
            return events;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int values(JsonParser p, EventSink sink) throws IOException {
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new IllegalArgumentException("poll answer ends inside values");
            }
            long start = p.currentTokenLocation().getByteOffset();
            long ts = -1;
            if (t == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken v = p.nextToken();
                    if ("ts".equals(field) && v == JsonToken.VALUE_NUMBER_INT) {
                        ts = p.getLongValue();
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
            long end = p.currentLocation().getByteOffset();
            sink.event(ts, (int) Math.max(0, end - start));
            n++;
        }
        return n;
    }
}
