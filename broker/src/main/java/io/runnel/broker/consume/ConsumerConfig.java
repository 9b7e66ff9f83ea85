package io.runnel.broker.consume;

import java.time.Duration;

/**
 * Settings of the consumer-group service.
 *
 * @param consumerTimeout a consumer that neither polls, registers nor commits for this long leaves
 *                        its group and its partitions go to the others ({@code RUNNEL_CONSUMER_TIMEOUT})
 * @param maxPollWaitMs   the longest a poll waits for data (long poll) before answering empty
 * @param maxPollBytes    the most chunk bytes one poll returns (at least one chunk when data exists)
 * @param limits          how many groups, consumers per group and parked polls
 */
public record ConsumerConfig(Duration consumerTimeout, long maxPollWaitMs, int maxPollBytes, Limits limits) {

    /**
     * @param maxGroups            consumer groups in the cluster (with a registered consumer)
     * @param maxConsumersPerGroup consumers registered in one group
     * @param maxParkedPolls       long polls waiting for data on this broker; past it a poll answers at once
     */
    public record Limits(int maxGroups, int maxConsumersPerGroup, int maxParkedPolls) {
        public static final Limits DEFAULT = new Limits(1000, 1000, 1000);
    }

    /** With the default limits. */
    public ConsumerConfig(Duration consumerTimeout, long maxPollWaitMs, int maxPollBytes) {
        this(consumerTimeout, maxPollWaitMs, maxPollBytes, Limits.DEFAULT);
    }

    public ConsumerConfig {
        java.util.Objects.requireNonNull(limits, "limits");
        if (consumerTimeout == null || consumerTimeout.isNegative() || consumerTimeout.isZero()) {
            throw new IllegalArgumentException("consumerTimeout must be a positive duration, not " + consumerTimeout);
        }
        if (maxPollWaitMs < 0) {
            throw new IllegalArgumentException("maxPollWaitMs must be 0 or more, not " + maxPollWaitMs);
        }
        if (maxPollBytes < 1) {
            throw new IllegalArgumentException("maxPollBytes must be positive, not " + maxPollBytes);
        }
    }

    /** Two minutes consumer timeout, 30 s long polls, 1 MiB per poll. */
    public static ConsumerConfig defaults() {
        return new ConsumerConfig(Duration.ofMinutes(2), 30_000, 1 << 20);
    }
}
