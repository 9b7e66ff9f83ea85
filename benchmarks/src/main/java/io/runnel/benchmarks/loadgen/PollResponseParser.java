package io.runnel.benchmarks.loadgen;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Reads a poll answer {@code [{topic, token, rangeIndex, version, startOffset, values:[...]}]} with
 * Jackson's streaming parser, reporting each batch's partition and start offset, and each event's size
 * and its {@code "ts"} field, without building a tree.
 */
public final class PollResponseParser {
    /** Receives the events of a poll answer. */
    @FunctionalInterface
    public interface EventSink {
        /**
         * A batch of one partition begins; its events follow. Fields that come after {@code values} in the object
         * (never in Runnel's or Barco's answers) are not known yet: {@code null} / {@code -1}.
         *
         * @param topic       the batch's topic
         * @param token       the first token of the partition's range, as sent
         * @param rangeIndex  the partition's index in its range
         * @param startOffset the offset of the batch's first event
         */
        default void batch(String topic, String token, int rangeIndex, long startOffset) {
        }

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
                String topic = null;
                String token = null;
                int rangeIndex = -1;
                long startOffset = -1;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken t = p.nextToken();
                    switch (field) {
                        case "values" -> {
                            if (t != JsonToken.START_ARRAY) {
                                throw new IllegalArgumentException("values is not an array");
                            }
                            sink.batch(topic, token, rangeIndex, startOffset);
                            events += values(p, sink);
                        }
                        case "topic" -> topic = p.getValueAsString();
                        case "token" -> token = p.getValueAsString();
                        case "rangeIndex" -> rangeIndex = p.getValueAsInt(-1);
                        case "startOffset" -> startOffset = p.getValueAsLong(-1);
                        default -> p.skipChildren();
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
