package io.runnel.broker.bridge;

import java.util.concurrent.CompletableFuture;

/**
 * Asks the broker that runs a bridge for its status: in a cluster only the runner has the bridge's counters,
 * lag and last error, so {@code GET /v1/bridges/{name}} on any other broker asks there (the cluster's
 * {@code BRIDGE_STATUS} request).
 */
@FunctionalInterface
public interface BridgeStatusRelay {

    /** Nobody to ask (a single broker runs every bridge itself). */
    BridgeStatusRelay NONE = (broker, name) -> CompletableFuture.failedFuture(
            new UnsupportedOperationException("a single broker relays nothing"));

    /**
     * The status broker {@code broker} has of bridge {@code name}. Fails when that broker cannot be reached or
     * does not know the bridge.
     */
    CompletableFuture<BridgeStatus> ask(int broker, String name);
}
