package io.runnel.benchmarks.loadgen;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes JSON events of an exact byte size, and NDJSON bodies of them.
 *
 * <p>An event is {@code {"id":"<seq>","ts":<micros>,"k":"<key>","pad":"xx…x"}} (the {@code k}
 * field only when the request has a partition key). {@code ts} is the wall clock in microseconds
 * since the epoch ({@link WallClock}) when the body was built, so a consumer can measure
 * produce-to-consume latency. The padding is sized per event so every event is exactly
 * {@link #eventSize()} bytes whatever the width of its numbers; in a body each event is followed by
 * {@code '\n'}.
 *
 * <p>Not thread-safe only in the sense that callers own the target arrays; the generator itself
 * holds no mutable state.
 */
public final class EventGenerator {
    private static final byte[] ID = ascii("{\"id\":\"");
    private static final byte[] TS = ascii("\",\"ts\":");
    private static final byte[] KEY = ascii(",\"k\":\"");
    private static final byte[] KEY_END = ascii("\"");
    private static final byte[] PAD = ascii(",\"pad\":\"");
    private static final byte[] END = ascii("\"}");
    /** Widest numbers an event may carry: any long sequence, a 16-digit microsecond time (until 2286). */
    private static final int MAX_SEQ_DIGITS = 19;
    private static final int MAX_TS_DIGITS = 16;

    private final int eventSize;
    private final byte[] padding;

    /**
     * @param eventSize      bytes per event, not counting the newline
     * @param maxKeyLength   longest partition key that will be embedded (0 for unkeyed)
     * @throws IllegalArgumentException if an event of that size cannot hold the fields
     */
    public EventGenerator(int eventSize, int maxKeyLength) {
        int min = minimumSize(maxKeyLength);
        if (eventSize < min) {
            throw new IllegalArgumentException("--size must be at least " + min + " bytes for these events, not "
                    + eventSize);
        }
        this.eventSize = eventSize;
        this.padding = new byte[eventSize];
        Arrays.fill(padding, (byte) 'x');
    }

    /** The smallest event size that always fits, for keys up to {@code maxKeyLength} bytes (0: unkeyed). */
    public static int minimumSize(int maxKeyLength) {
        int size = ID.length + MAX_SEQ_DIGITS + TS.length + MAX_TS_DIGITS + PAD.length + END.length;
        if (maxKeyLength > 0) {
            size += KEY.length + maxKeyLength + KEY_END.length;
        }
        return size;
    }

    public int eventSize() {
        return eventSize;
    }

    /** Bytes of an NDJSON body of {@code count} events. */
    public int bodySize(int count) {
        return count * (eventSize + 1);
    }

    /**
     * Writes one event (no newline) at {@code out[pos]}.
     *
     * @param key ASCII key bytes embedded as {@code "k"}, or {@code null}
     * @return the position after the event
     */
    public int writeEvent(byte[] out, int pos, long seq, long tsMicros, byte[] key) {
        int start = pos;
        pos = put(out, pos, ID);
        pos = putDecimal(out, pos, seq);
        pos = put(out, pos, TS);
        pos = putDecimal(out, pos, tsMicros);
        if (key != null) {
            pos = put(out, pos, KEY);
            pos = put(out, pos, key);
            pos = put(out, pos, KEY_END);
        }
        pos = put(out, pos, PAD);
        int pad = eventSize - (pos - start) - END.length;
        if (pad < 0) {
            throw new IllegalStateException("event of " + eventSize + " bytes cannot hold seq " + seq);
        }
        System.arraycopy(padding, 0, out, pos, pad);
        pos += pad;
        return put(out, pos, END);
    }

    /**
     * Writes an NDJSON body of {@code count} events with sequence numbers {@code firstSeq…}, each
     * followed by {@code '\n'}, at {@code out[pos]}.
     *
     * @return the position after the body
     */
    public int writeBody(byte[] out, int pos, long firstSeq, int count, long tsMicros, byte[] key) {
        for (int i = 0; i < count; i++) {
            pos = writeEvent(out, pos, firstSeq + i, tsMicros, key);
            out[pos++] = '\n';
        }
        return pos;
    }

    /**
     * The {@code "ts"} of an event this generator wrote, read without parsing the JSON, or {@code -1} when the
     * bytes are not such an event.
     */
    public static long readTs(byte[] event, int off, int len) {
        int end = off + len;
        int i = off + ID.length;
        while (i < end && event[i] != '"') {
            i++; // the id's digits
        }
        if (i + TS.length > end) {
            return -1;
        }
        for (int j = 0; j < TS.length; j++) {
            if (event[i + j] != TS[j]) {
                return -1;
            }
        }
        i += TS.length;
        long ts = 0;
        int digits = 0;
        for (; i < end && event[i] >= '0' && event[i] <= '9'; i++, digits++) {
            ts = ts * 10 + (event[i] - '0');
        }
        return digits == 0 ? -1 : ts;
    }

    private static int put(byte[] out, int pos, byte[] bytes) {
        System.arraycopy(bytes, 0, out, pos, bytes.length);
        return pos + bytes.length;
    }

    private static int putDecimal(byte[] out, int pos, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative number " + value);
        }
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        int end = pos + digits;
        long v = value;
        for (int i = end - 1; i >= pos; i--) {
            out[i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        return end;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
