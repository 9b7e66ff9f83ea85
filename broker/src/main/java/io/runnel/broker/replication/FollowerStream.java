package io.runnel.broker.replication;

import java.util.HashMap;
import java.util.Map;

/**
 * The leader's ordered stream of {@code Replicate} frames to one follower of a range, with what the
 * follower acknowledged. Owned by the range's thread.
 *
 * <p>A follower is streamed to only after it joined the generation ({@code Follow}); its positions then
 * say where each partition continues. {@link Cursor#sentUpTo} runs ahead of {@link Cursor#acked} by the
 * frames in flight, bounded by {@link #inflightBytes}. A cursor's {@code seq} changes whenever the
 * stream restarts from another offset, so that refusals of frames sent before that are ignored.
 */
final class FollowerStream {
    final int broker;
    /** Joined this generation and not refused a frame since. */
    boolean following;
    /** Joined this generation at least once: its acknowledged offsets are known. */
    boolean joined;
    final Map<TopicPartition, Cursor> cursors = new HashMap<>();
    final Map<Long, InFlight> inflight = new HashMap<>();
    long inflightBytes;

    FollowerStream(int broker) {
        this.broker = broker;
    }

    /** Where the stream of one partition stands. */
    static final class Cursor {
        long sentUpTo;
        long acked;
        int seq;

        Cursor(long position) {
            this.sentUpTo = position;
            this.acked = position;
        }
    }

    /** A frame sent and not answered yet. */
    record InFlight(TopicPartition tp, int seq, long base, long next, int bytes) {
    }

    Cursor cursor(TopicPartition tp) {
        // A partition the follower did not list when it joined is empty there.
        return cursors.computeIfAbsent(tp, t -> new Cursor(0));
    }

    /** The follower's acknowledged durable end of {@code tp}, or -1 if it never joined this generation. */
    long acked(TopicPartition tp) {
        if (!joined) {
            return -1;
        }
        Cursor c = cursors.get(tp);
        return c == null ? 0 : c.acked;
    }

    /** Frames in flight are forgotten; every partition restarts from what the follower acknowledged. */
    void rewind() {
        inflight.clear();
        inflightBytes = 0;
        for (Cursor c : cursors.values()) {
            c.sentUpTo = c.acked;
            c.seq++;
        }
    }
}
