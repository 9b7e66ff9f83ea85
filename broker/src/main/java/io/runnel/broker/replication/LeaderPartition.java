package io.runnel.broker.replication;

import java.util.TreeMap;

/**
 * The leader's view of one partition in one generation. Owned by the range's thread.
 *
 * <p>Offsets: {@code hwm ≤ localEnd ≤ assignedEnd}. {@code assignedEnd} is where the store stamped the
 * last chunk; {@code localEnd} what is durable here; {@code hwm} (the high watermark) what is durable on
 * every ISR member. {@code takeoverEnd} is the log end when this broker took the partition over: no
 * chunk acknowledged in an earlier generation lies above it, so a follower holding at least
 * {@code max(hwm, takeoverEnd)} holds every acknowledged chunk.
 */
final class LeaderPartition {
    final TopicPartition tp;
    final int topicId;
    final long takeoverEnd;
    long assignedEnd;
    long localEnd;
    long hwm;
    /** Chunks stamped in this generation and not yet acknowledged to their producer, by base offset. */
    final TreeMap<Long, PendingChunk> pending = new TreeMap<>();

    LeaderPartition(TopicPartition tp, int topicId, long logEnd, long hwm) {
        this.tp = tp;
        this.topicId = topicId;
        this.takeoverEnd = logEnd;
        this.assignedEnd = logEnd;
        this.localEnd = logEnd;
        this.hwm = Math.min(hwm, logEnd);
    }

    /** What a follower must hold to be in sync: every chunk that was or can be acknowledged. */
    long syncPoint() {
        return Math.max(hwm, takeoverEnd);
    }
}
