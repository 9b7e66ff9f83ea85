package io.runnel.broker.cluster.transport;

import io.runnel.broker.cluster.transport.ClusterMessage.ClusterRequest;

/**
 * Serves one {@link RequestType}. Called on the connection's event loop, in the order the frames arrived:
 * it only validates and hands the work to its own threads (never blocks, never touches the store there), and
 * answers through {@code reply} when done, from any thread, with the request's reply type or an
 * {@link ClusterMessage.ErrorReply}. A handler that throws is answered with an error reply for it.
 *
 * @param <Q> the request frame it serves
 */
@FunctionalInterface
public interface RequestHandler<Q extends ClusterRequest> {
    void handle(int peer, Q request, ReplyChannel reply);
}
