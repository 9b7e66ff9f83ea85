package io.runnel.broker.cluster.transport;

import io.netty.channel.Channel;

/**
 * Serves the requests that peers send to this broker's cluster port.
 *
 * <p>Called on the connection's event loop, in the order the frames arrived: an implementation only
 * validates and hands the work to its own threads (never blocks, never touches the store here). It
 * answers by writing the reply to {@code channel} from any thread ({@code writeAndFlush} is thread-safe
 * and keeps the order of writes made from one thread).
 */
public interface ClusterRequestHandler {

    /** A request from broker {@code peer} (it said so in its {@link ClusterMessage.Hello}). */
    void onRequest(int peer, ClusterMessage request, Channel channel);
}
