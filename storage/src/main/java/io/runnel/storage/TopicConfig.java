package io.runnel.storage;

import java.time.Duration;

/**
 * Per-topic retention. Whole chunks older than {@code retention} or beyond {@code retentionBytes}
 * per partition (oldest first) are deleted in the background.
 *
 * @param retention      how long chunks are kept, measured from their last record's timestamp
 * @param retentionBytes the most bytes kept per partition, or {@code -1} for no limit
 */
public record TopicConfig(Duration retention, long retentionBytes) {
    /** Seven days, unlimited size. */
    public static final TopicConfig DEFAULT = new TopicConfig(Duration.ofDays(7), -1);

    public TopicConfig {
        if (retention == null || retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be a positive duration, not " + retention);
        }
        if (retentionBytes < -1 || retentionBytes == 0) {
            throw new IllegalArgumentException("retentionBytes must be positive or -1 (unlimited), not " + retentionBytes);
        }
    }
}
