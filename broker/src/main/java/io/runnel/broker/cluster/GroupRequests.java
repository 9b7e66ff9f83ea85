package io.runnel.broker.cluster;

import io.runnel.broker.consumer.PollResult;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * What a broker's consumer groups do for the group polls and commits that other brokers send over the
 * cluster channel ({@link ClusterNode#pollGroup}, {@link ClusterNode#commitGroup}): the broker's
 * {@code ConsumerService} has these very methods. Called on an event loop: both must return at once
 * and complete the future later.
 */
public interface GroupRequests {

    /**
     * Commits what the consumer's previous poll here returned, then reads its assigned partitions this
     * broker leads; fails with {@link io.runnel.broker.consumer.NotRegisteredException} for an unknown
     * consumer.
     */
    CompletableFuture<PollResult> poll(String consumerId, long timeoutMs, int maxBytes);

    /** Commits the consumer's positions here now; completes once durable. */
    CompletableFuture<Void> commit(String consumerId);

    /** The poll half, for {@link #of}. */
    @FunctionalInterface
    interface Poll {
        CompletableFuture<PollResult> poll(String consumerId, long timeoutMs, int maxBytes);
    }

    /** Both halves from method references, e.g. {@code GroupRequests.of(consumers::poll, consumers::commit)}. */
    static GroupRequests of(Poll poll, Function<String, CompletableFuture<Void>> commit) {
        return new GroupRequests() {
            @Override
            public CompletableFuture<PollResult> poll(String consumerId, long timeoutMs, int maxBytes) {
                return poll.poll(consumerId, timeoutMs, maxBytes);
            }

            @Override
            public CompletableFuture<Void> commit(String consumerId) {
                return commit.apply(consumerId);
            }
        };
    }
}
