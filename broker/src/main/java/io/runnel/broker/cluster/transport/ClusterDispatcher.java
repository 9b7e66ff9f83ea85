package io.runnel.broker.cluster.transport;

import io.runnel.broker.common.Errors;
import io.runnel.broker.common.Futures;
import io.runnel.broker.common.RunnelException;
import io.runnel.broker.cluster.transport.ClusterMessage.ClusterRequest;
import io.runnel.broker.cluster.transport.ClusterMessage.ErrorReply;
import java.util.EnumMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each request from a peer to the handler registered for its {@link RequestType} (Zeebe's transport
 * style): one handler per type, each in the class that owns the work. A request of a type nobody serves
 * (yet: the broker is starting) or whose handler throws is answered with an {@link ErrorReply}, so the peer
 * never waits for a timeout.
 *
 * <p>Handlers are registered while the broker starts, before and after the cluster port opens; lookups run on
 * the event loops.
 */
public final class ClusterDispatcher {
    private static final Logger log = LoggerFactory.getLogger(ClusterDispatcher.class);
    /** Error messages in replies are clipped to this (frame strings hold at most 32 KiB). */
    static final int MAX_MESSAGE_CHARS = 2000;

    private final Map<RequestType, RequestHandler<?>> handlers = new EnumMap<>(RequestType.class);
    private volatile boolean closed;

    /**
     * Serves {@code type} with {@code handler} from now on (replacing any earlier one).
     *
     * @param <Q> the request frame of {@code type}
     */
    public synchronized <Q extends ClusterRequest> void register(RequestType type, Class<Q> frame, RequestHandler<Q> handler) {
        handlers.put(type, (peer, request, reply) -> handler.handle(peer, frame.cast(request), reply));
    }

    /** Answers every later request with {@code shutting_down}. */
    public void close() {
        closed = true;
    }

    /** A request from broker {@code peer} (it said so in its {@link ClusterMessage.Hello}). */
    @SuppressWarnings("unchecked")
    public void dispatch(int peer, ClusterRequest request, ReplyChannel reply) {
        RequestHandler<ClusterRequest> handler;
        synchronized (this) {
            handler = (RequestHandler<ClusterRequest>) handlers.get(request.type());
        }
        if (closed) {
            reply.reply(error(request.requestId(), Errors.SHUTTING_DOWN.exception("the broker is stopping; retry")));
            return;
        }
        if (handler == null) {
            reply.reply(error(request.requestId(), Errors.NOT_READY.exception("the broker is starting; retry")));
            return;
        }
        try {
            handler.handle(peer, request, reply);
        } catch (RuntimeException e) {
            reply.reply(error(request.requestId(), e));
        }
    }

    /**
     * The error reply for a failure: a {@link RunnelException}'s code and message, else {@code internal_error}
     * (and the failure is logged here, since the peer only sees its message).
     */
    public static ErrorReply error(long requestId, Throwable failure) {
        Throwable cause = Futures.unwrap(failure);
        RunnelException e;
        if (cause instanceof RunnelException r) {
            e = r;
        } else {
            log.error("a request from another broker failed", cause);
            e = Errors.INTERNAL_ERROR.exception("the request failed on the broker that served it: " + cause);
        }
        String message = e.getMessage();
        if (message.length() > MAX_MESSAGE_CHARS) {
            message = message.substring(0, MAX_MESSAGE_CHARS) + "…";
        }
        return new ErrorReply(requestId, e.error().code(), message, e.retryAfterSeconds());
    }
}
