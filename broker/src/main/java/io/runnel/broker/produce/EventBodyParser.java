package io.runnel.broker.produce;

import io.runnel.broker.common.Errors;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Splits a produce body into events and checks that each is exactly one JSON value, with Jackson's
 * streaming parser (tokens are read and skipped, no tree is built). Nothing is copied: the
 * {@link EventBatch} points into the body.
 *
 * <p>An NDJSON body is validated with one parser over the whole body (creating a parser per line cost
 * about a third of the validation): each value must start where its non-blank line starts and end on
 * that line. A line the single pass cannot vouch for is checked on its own; on any error the body is
 * checked line by line again, so the error names the first bad line exactly as a per-line check does.
 *
 * <p>A JSON body is one event; surrounding whitespace is dropped. An NDJSON body is one event per
 * {@code \n}-terminated line; a trailing {@code \r} and surrounding whitespace are dropped, and
 * blank lines are skipped. A leading UTF-8 byte order mark is ignored. Any malformed line fails
 * the whole body (naming the 1-based line), so a batch is stored whole or not at all.
 *
 * <p>Thread-safe.
 */
public final class EventBodyParser {
    private final JsonFactory factory;

    public EventBodyParser(JsonFactory factory) {
        this.factory = factory;
    }

    /**
     * @throws MalformedEventsException when the body is empty or an event is not one JSON value
     */
    public EventBatch parse(BodyFormat format, byte[] body) {
        return format == BodyFormat.JSON ? parseJson(body) : parseNdjson(body);
    }

    private EventBatch parseJson(byte[] body) {
        int start = skipSpace(body, skipBom(body), body.length);
        int end = trimEnd(body, start, body.length);
        if (start >= end) {
            throw new MalformedEventsException(Errors.NO_EVENTS, "the body is empty: send one JSON event (or many as application/x-ndjson)", 0);
        }
        validate(body, start, end, 0);
        EventBatch batch = new EventBatch(body);
        batch.add(start, end - start);
        return batch;
    }

    private EventBatch parseNdjson(byte[] body) {
        int bom = skipBom(body);
        EventBatch batch = new EventBatch(body);
        try (JsonParser parser = factory.createParser(body, bom, body.length - bom)) {
            int pos = bom;
            int line = 0;
            while (pos < body.length) {
                line++;
                int newline = indexOf(body, (byte) '\n', pos);
                int lineEnd = newline < 0 ? body.length : newline;
                int start = skipSpace(body, pos, lineEnd);
                int end = trimEnd(body, start, lineEnd);
                pos = lineEnd + 1;
                if (start >= end) {
                    continue;
                }
                if (!startsValue(body[start])) {
                    return parseNdjsonPerLine(body); // names the line
                }
                JsonToken token = parser.nextToken();
                if (token == null || bom + parser.currentTokenLocation().getByteOffset() != start) {
                    return parseNdjsonPerLine(body);
                }
                if (token.isStructStart()) {
                    parser.skipChildren();
                } else {
                    parser.finishToken(); // a string's end is read only now
                }
                // Past the line's end: a value spanning lines, or a root-level scalar whose parser consumed the
                // whitespace after it. Before it: something follows the value on the line. Either way, check the
                // line alone: it throws naming the line, or proves the value ends with the line.
                if (bom + parser.currentLocation().getByteOffset() != end) {
                    validate(body, start, end, line);
                }
                batch.add(start, end - start);
            }
        } catch (IOException e) {
            return parseNdjsonPerLine(body); // JSON errors are reported by the line they are on
        }
        if (batch.count() == 0) {
            throw new MalformedEventsException(Errors.NO_EVENTS, "the body holds no events: send one JSON value per line", 0);
        }
        return batch;
    }

    /** One parser per line: slower, and the reference for which line is bad and why. */
    private EventBatch parseNdjsonPerLine(byte[] body) {
        EventBatch batch = new EventBatch(body);
        int pos = skipBom(body);
        int line = 0;
        while (pos < body.length) {
            line++;
            int newline = indexOf(body, (byte) '\n', pos);
            int lineEnd = newline < 0 ? body.length : newline;
            int start = skipSpace(body, pos, lineEnd);
            int end = trimEnd(body, start, lineEnd);
            if (start < end) {
                validate(body, start, end, line);
                batch.add(start, end - start);
            }
            pos = lineEnd + 1;
        }
        if (batch.count() == 0) {
            throw new MalformedEventsException(Errors.NO_EVENTS, "the body holds no events: send one JSON value per line", 0);
        }
        return batch;
    }

    private void validate(byte[] body, int start, int end, int line) {
        String where = line > 0 ? "line " + line : "the body";
        if (!startsValue(body[start])) {
            // Also refuses UTF-16/32 text, which Jackson would otherwise detect and accept.
            throw new MalformedEventsException(kind(line), where + " is not a JSON value (events must be UTF-8 JSON)", line);
        }
        try (JsonParser parser = factory.createParser(body, start, end - start)) {
            JsonToken first = parser.nextToken();
            if (first != null && first.isStructStart()) {
                parser.skipChildren();
            }
            if (parser.nextToken() != null) {
                throw new MalformedEventsException(kind(line), where + " holds more than one JSON value"
                        + (line > 0 ? "; put each event on its own line" : "; send several events as application/x-ndjson, one per line"), line);
            }
        } catch (JsonProcessingException e) {
            long column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
            throw new MalformedEventsException(kind(line), where + " is not valid JSON" + (column > 0 ? " (column " + column + ")" : "")
                    + ": " + e.getOriginalMessage(), line);
        } catch (IOException e) {
            throw new MalformedEventsException(kind(line), where + " is not valid JSON: " + e.getMessage(), line);
        }
    }

    private static Errors kind(int line) {
        return line > 0 ? Errors.MALFORMED_NDJSON : Errors.MALFORMED_JSON;
    }

    private static boolean startsValue(byte b) {
        return b == '{' || b == '[' || b == '"' || b == '-' || (b >= '0' && b <= '9') || b == 't' || b == 'f' || b == 'n';
    }

    private static int skipBom(byte[] b) {
        return b.length >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF ? 3 : 0;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    private static int skipSpace(byte[] b, int from, int to) {
        int i = from;
        while (i < to && isSpace(b[i])) {
            i++;
        }
        return i;
    }

    private static int trimEnd(byte[] b, int from, int to) {
        int i = to;
        while (i > from && isSpace(b[i - 1])) {
            i--;
        }
        return i;
    }

    private static int indexOf(byte[] b, byte value, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
