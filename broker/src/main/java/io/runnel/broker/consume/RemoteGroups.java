package io.runnel.broker.consume;

import io.runnel.broker.consume.ConsumerService.SeekTarget;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A consumer group's share at another broker: each broker serves the partitions it leads, so a poll, a commit,
 * a group's lag or a seek that spans the cluster asks every other leader for its part. A cluster implements it
 * over the cluster channel; a single broker has no other broker ({@link #NONE}).
 *
 * <p>Every call completes off the caller's thread. Failures: a {@link io.runnel.broker.common.RunnelException}
 * with the other broker's error ({@code not_registered} when it does not know the consumer: register again), or
 * with {@code broker_unavailable} when it cannot be reached or did not answer in time; after that a poll may
 * have been read there and lost on the way, and the consumer's next poll there would commit it: a consumer
 * that must not skip events leaves its group without committing and registers again.
 */
public interface RemoteGroups {

    /** No other broker. */
    RemoteGroups NONE = new RemoteGroups() {
        @Override
        public CompletableFuture<PollResult> poll(int broker, String consumerId, long timeoutMs, int maxBytes) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no broker " + broker));
        }

        @Override
        public CompletableFuture<Void> commit(int broker, String consumerId) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no broker " + broker));
        }

        @Override
        public CompletableFuture<List<GroupView.Lag>> lag(int broker, String group) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no broker " + broker));
        }

        @Override
        public CompletableFuture<List<OffsetCommit>> seek(int broker, String group, String topic, SeekTarget target,
                                                          List<Integer> partitions) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no broker " + broker));
        }
    };

    /**
     * Polls consumer {@code consumerId} on {@code broker}, as a local {@link ConsumerService#poll} does there: the
     * consumer's assigned partitions that broker leads, after committing what its previous poll there returned.
     * The chunks come back as stored (keys, timestamps and CRCs; verified again here).
     *
     * @param timeoutMs how long that broker may wait for data (capped by its max-poll-wait-ms)
     * @param maxBytes  most chunk bytes to return; {@code <= 0} or above that broker's max-poll-bytes means that cap
     * @throws IllegalArgumentException for this broker's own ordinal, an ordinal outside the cluster, or an empty
     *                                  or over-long consumer id
     */
    CompletableFuture<PollResult> poll(int broker, String consumerId, long timeoutMs, int maxBytes);

    /** Commits now, on {@code broker}, the positions the consumer's last poll there reached; completes once durable. */
    CompletableFuture<Void> commit(int broker, String consumerId);

    /** The group's lag in the partitions {@code broker} leads (each entry names it as the leader). */
    CompletableFuture<List<GroupView.Lag>> lag(int broker, String group);

    /** Seeks the group in {@code partitions} of {@code topic}, all led by {@code broker}; completes with the new offsets. */
    CompletableFuture<List<OffsetCommit>> seek(int broker, String group, String topic, SeekTarget target,
                                               List<Integer> partitions);
}
