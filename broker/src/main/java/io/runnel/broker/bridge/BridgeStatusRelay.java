package io.runnel.broker.bridge;

import io.runnel.broker.cluster.ClusterNode;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * Asks the broker that runs a bridge for its status: in a cluster only the runner has the bridge's
 * counters, lag and last error, so {@code GET /v1/bridges/{name}} on any other broker relays there.
 */
@FunctionalInterface
public interface BridgeStatusRelay {

    /** Nobody to ask (a single broker runs every bridge itself). */
    BridgeStatusRelay NONE = (broker, name) -> CompletableFuture.failedFuture(
            new UnsupportedOperationException("a single broker relays nothing"));

    /**
     * The answer of broker {@code broker} to {@code GET /v1/bridges/{name}}: its JSON body. Fails when that
     * broker cannot be reached or answers anything but 200.
     */
    CompletableFuture<byte[]> ask(int broker, String name);

    /** Over the cluster channel: a {@code Forward} frame with {@link ClusterNode#BRIDGE_STATUS_CONTENT_TYPE}. */
    static BridgeStatusRelay through(ClusterNode node) {
        return (broker, name) -> node.forward(broker, name, null, ClusterNode.BRIDGE_STATUS_CONTENT_TYPE,
                name.getBytes(StandardCharsets.UTF_8)).thenApply(reply -> reply.okJson(broker));
    }
}
