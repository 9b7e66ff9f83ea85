package io.runnel.broker.cluster.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.runnel.broker.cluster.transport.ClusterMessage.Hello;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server side of one inter-broker connection: the first frame must be a {@link Hello} naming a peer
 * of the cluster; every later frame is a request handed to the {@link ClusterDispatcher}, which answers on
 * this connection. Anything else (a wrong protocol version, an unknown ordinal, a frame that does not
 * decode, a frame that is not a request) closes the connection: the peer reconnects, and a stranger learns
 * nothing.
 *
 * <p>Messages are heap objects (see {@link ClusterMessage}), so nothing here needs releasing.
 */
final class ClusterServerHandler extends SimpleChannelInboundHandler<ClusterMessage> {
    private static final Logger log = LoggerFactory.getLogger(ClusterServerHandler.class);

    private final int brokers;
    private final ClusterDispatcher dispatcher;
    private int peer = -1;
    private ReplyChannel reply;

    ClusterServerHandler(int brokers, ClusterDispatcher dispatcher) {
        this.brokers = brokers;
        this.dispatcher = dispatcher;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ClusterMessage msg) {
        if (peer < 0) {
            if (msg instanceof Hello hello && hello.protocolVersion() == ClusterMessage.PROTOCOL_VERSION
                    && hello.ordinal() >= 0 && hello.ordinal() < brokers) {
                peer = hello.ordinal();
                Channel channel = ctx.channel();
                reply = answer -> channel.writeAndFlush(answer, channel.voidPromise());
                log.debug("broker {} connected from {}", peer, channel.remoteAddress());
                return;
            }
            log.warn("closing cluster connection from {}: expected a Hello of protocol {} from a broker 0..{}, got {}",
                    ctx.channel().remoteAddress(), ClusterMessage.PROTOCOL_VERSION, brokers - 1, msg);
            ctx.close();
            return;
        }
        if (!(msg instanceof ClusterMessage.ClusterRequest request)) {
            log.warn("closing cluster connection from broker {}: {} is not a request", peer, msg.getClass().getSimpleName());
            ctx.close();
            return;
        }
        dispatcher.dispatch(peer, request, reply);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("closing cluster connection from broker {} ({}): {}", peer, ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
