package io.runnel.broker.cluster.transport;

/**
 * Where a handler answers a request from a peer: the connection the request came on. Any thread; answers
 * written from one thread go out in that order.
 */
@FunctionalInterface
public interface ReplyChannel {
    void reply(ClusterMessage answer);
}
