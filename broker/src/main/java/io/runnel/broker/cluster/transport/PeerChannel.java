package io.runnel.broker.cluster.transport;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;

/**
 * This broker's channel to one peer, as protocol code sees it: no Netty types, so a test can drive a role
 * with a mock ({@code MockPeerChannel} in the tests) without sockets, threads or sleeps. {@link PeerClient}
 * is the real one.
 *
 * <p>Thread-safe; messages sent from one thread go out in that order.
 */
public interface PeerChannel {

    /** The peer's ordinal. */
    int peer();

    /** Whether the connection is up now (a send may still fail). */
    boolean connected();

    /** A fresh request id for a message sent with {@link #send}. */
    long nextRequestId();

    /**
     * Sends {@code message} if connected and returns true; otherwise sends nothing and returns false. The
     * peer's answer, if any, comes to the channel's listener (a {@link ClusterMessage.ReplicateAck}).
     */
    boolean send(ClusterMessage message);

    /**
     * Sends the request {@code build} makes for a fresh id; the future completes with the peer's answer (any
     * message with that id, an {@link ClusterMessage.ErrorReply} included), or fails with
     * {@link PeerUnavailableException} (not connected, connection lost, the peer left the view) or a
     * {@link java.util.concurrent.TimeoutException}.
     */
    CompletableFuture<ClusterMessage> request(LongFunction<? extends ClusterMessage> build, Duration timeout);
}
