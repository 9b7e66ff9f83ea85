package io.runnel.broker.produce;

import java.util.Arrays;

/**
 * The validated events of one produce request: slices of the request body, which this batch
 * shares (it does not copy the events).
 */
public final class EventBatch {
    private final byte[] body;
    private int[] offsets = new int[8];
    private int[] lengths = new int[8];
    private int count;
    private long valueBytes;

    EventBatch(byte[] body) {
        this.body = body;
    }

    void add(int offset, int length) {
        if (count == offsets.length) {
            offsets = Arrays.copyOf(offsets, count * 2);
            lengths = Arrays.copyOf(lengths, count * 2);
        }
        offsets[count] = offset;
        lengths[count] = length;
        count++;
        valueBytes += length;
    }

    /** Number of events. */
    public int count() {
        return count;
    }

    /** Bytes of all events together. */
    public long valueBytes() {
        return valueBytes;
    }

    /** The array holding every event. */
    public byte[] body() {
        return body;
    }

    public int offset(int event) {
        return offsets[event];
    }

    public int length(int event) {
        return lengths[event];
    }

    /** One event as a string (tests and logs). */
    public String event(int index) {
        return new String(body, offsets[index], lengths[index], java.nio.charset.StandardCharsets.UTF_8);
    }
}
