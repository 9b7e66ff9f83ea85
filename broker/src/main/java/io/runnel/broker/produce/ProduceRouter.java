package io.runnel.broker.produce;

import io.runnel.broker.common.Errors;
import java.util.concurrent.CompletableFuture;

/**
 * Decides which broker takes a produce request: this one, or the leader of the key's partition
 * (docs/replication.md, "Write path"), and relays it there. A single broker takes everything ({@link #LOCAL}).
 */
public interface ProduceRouter {

    /** Every write stays on this broker. */
    ProduceRouter LOCAL = new ProduceRouter() {
        @Override
        public Route route(String partitionKey) {
            return Route.LOCAL;
        }

        @Override
        public CompletableFuture<ProduceService.Produced> forward(int broker, String topic, String partitionKey,
                                                                  BodyFormat format, byte[] body) {
            throw new UnsupportedOperationException("a single broker forwards nothing");
        }
    };

    /** Where a write with {@code partitionKey} ({@code null}: keyless) goes now. */
    Route route(String partitionKey);

    /**
     * Relays a produce request, unparsed, to broker {@code broker}, which validates and stores it as its own; completes
     * with where it was stored, or fails with that broker's error (a {@link io.runnel.broker.common.RunnelException}),
     * or with {@code leader_unreachable} when its answer does not come (the events may or may not be stored).
     */
    CompletableFuture<ProduceService.Produced> forward(int broker, String topic, String partitionKey, BodyFormat format,
                                                       byte[] body);

    /** A routing decision. */
    sealed interface Route {
        /** This broker stores the write. */
        Route LOCAL = new Local();

        record Local() implements Route {
        }

        /** Broker {@code broker} leads the partition: forward the request there. */
        record Forward(int broker) implements Route {
        }

        /** Nobody can take the write now: answer 503 with this error. */
        record Unavailable(Errors error, String message) implements Route {
        }
    }
}
