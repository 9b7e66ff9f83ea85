package io.runnel.broker.cluster.transport;

import io.runnel.broker.common.Errors;
import io.runnel.broker.common.RunnelException;
import io.runnel.broker.cluster.transport.ClusterMessage.ClusterRequest;
import io.runnel.broker.cluster.transport.ClusterMessage.ErrorReply;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;

/** The client half of a typed request: send it, and take its reply type or its error apart. */
public final class Rpc {
    private Rpc() {
    }

    /**
     * Sends the request {@code build} makes to {@code peer} and completes with its reply of type {@code reply}.
     * Fails with the {@link RunnelException} of an {@link ErrorReply} (the peer's code and message), with
     * {@code internal_error} for an answer of another type, and as {@link PeerChannel#request} does when the
     * answer does not come ({@link PeerUnavailableException}, {@link java.util.concurrent.TimeoutException}):
     * then the request may or may not have been carried out.
     */
    public static <R extends ClusterMessage> CompletableFuture<R> call(PeerChannel peer,
            LongFunction<? extends ClusterRequest> build, Class<R> reply, Duration timeout) {
        return peer.request(build, timeout).thenApply(m -> {
            if (reply.isInstance(m)) {
                return reply.cast(m);
            }
            if (m instanceof ErrorReply e) {
                throw failure(e);
            }
            throw Errors.INTERNAL_ERROR.exception("broker " + peer.peer() + " answered with a " + m.getClass().getSimpleName()
                    + " where a " + reply.getSimpleName() + " was expected");
        });
    }

    /** The exception an error reply stands for. */
    public static RunnelException failure(ErrorReply e) {
        return Errors.forCode(e.errorCode()).exception(e.message()).retryAfter(e.retryAfterSeconds());
    }
}
