package io.runnel.broker.cluster;

import io.runnel.broker.bridge.BridgeState;
import io.runnel.broker.bridge.BridgeStatus;
import io.runnel.broker.bridge.BridgeStatusRelay;
import io.runnel.broker.bridge.BridgeStatusSource;
import io.runnel.broker.cluster.transport.ClusterDispatcher;
import io.runnel.broker.cluster.transport.ClusterMessage.BridgeStatusReply;
import io.runnel.broker.cluster.transport.ClusterMessage.BridgeStatusRequest;
import io.runnel.broker.cluster.transport.PeerChannel;
import io.runnel.broker.cluster.transport.RequestType;
import io.runnel.broker.cluster.transport.Rpc;
import io.runnel.broker.common.Errors;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * The status of a bridge another broker runs, both halves: {@link #ask} sends a {@link BridgeStatusRequest} to
 * the runner; {@link #serve} answers the ones sent here from this broker's bridges.
 */
final class ClusterBridgeStatus implements BridgeStatusRelay {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Peers peers;

    ClusterBridgeStatus(Peers peers) {
        this.peers = peers;
    }

    @Override
    public CompletableFuture<BridgeStatus> ask(int broker, String name) {
        PeerChannel peer = peers.get(broker);
        if (peer == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no broker " + broker));
        }
        return Rpc.call(peer, id -> new BridgeStatusRequest(id, name), BridgeStatusReply.class, TIMEOUT)
                .thenApply(r -> new BridgeStatus(BridgeState.valueOf(r.state().toUpperCase(Locale.ROOT)), r.lag(),
                        r.eventsBridged(), r.bytesBridged(), r.errors(), r.lastError(),
                        r.lastErrorAtMs() < 0 ? null : Instant.ofEpochMilli(r.lastErrorAtMs())));
    }

    void serve(ClusterDispatcher dispatcher, BridgeStatusSource source) {
        dispatcher.register(RequestType.BRIDGE_STATUS, BridgeStatusRequest.class, (peer, request, reply) ->
                source.status(request.name()).whenComplete((status, e) -> {
                    if (e != null) {
                        reply.reply(ClusterDispatcher.error(request.requestId(), e));
                    } else if (status.isEmpty()) {
                        reply.reply(ClusterDispatcher.error(request.requestId(),
                                Errors.UNKNOWN_BRIDGE.exception("no bridge named " + request.name())));
                    } else {
                        BridgeStatus s = status.get();
                        reply.reply(new BridgeStatusReply(request.requestId(), s.state().wireName(), s.lag(),
                                s.eventsBridged(), s.bytesBridged(), s.errors(), clip(s.lastError()),
                                s.lastErrorAt() == null ? -1 : s.lastErrorAt().toEpochMilli()));
                    }
                }));
    }

    /** Frame strings hold at most 32 KiB. */
    private static String clip(String message) {
        return message == null || message.length() <= 2000 ? message : message.substring(0, 2000) + "…";
    }
}
