package io.runnel.broker.bridge;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * This broker's own status of a bridge, for another broker that lists it as running here ({@link BridgeApi}
 * answers it). Never relayed further.
 */
@FunctionalInterface
public interface BridgeStatusSource {
    /** A source that knows no bridge. */
    BridgeStatusSource NONE = name -> CompletableFuture.completedFuture(Optional.empty());

    /** The bridge's status as this broker sees it; empty for a bridge it does not know. Any thread. */
    CompletableFuture<Optional<BridgeStatus>> status(String name);
}
