package io.runnel.broker.cluster.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.runnel.broker.cluster.transport.ClusterMessage.ClusterRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server side of one authenticated inter-broker connection (it replaced the {@link ServerHandshakeHandler}): every
 * frame is a request of broker {@code peer}, handed to the {@link ClusterDispatcher}, which answers on this
 * connection. A frame that is not a request, or does not decode, closes the connection; the peer reconnects.
 *
 * <p>Messages are heap objects (see {@link ClusterMessage}), so nothing here needs releasing.
 */
final class ClusterServerHandler extends SimpleChannelInboundHandler<ClusterMessage> {
    private static final Logger log = LoggerFactory.getLogger(ClusterServerHandler.class);

    private final int peer;
    private final ClusterDispatcher dispatcher;
    private ReplyChannel reply;

    ClusterServerHandler(int peer, ClusterDispatcher dispatcher) {
        this.peer = peer;
        this.dispatcher = dispatcher;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        reply = answer -> channel.writeAndFlush(answer, channel.voidPromise());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ClusterMessage msg) {
        if (!(msg instanceof ClusterRequest request)) {
            log.warn("closing cluster connection from broker {}: {} is not a request", peer, msg.getClass().getSimpleName());
            ctx.close();
            return;
        }
        if (request instanceof ClusterMessage.Ping ping) {
            reply.reply(new ClusterMessage.Pong(ping.requestId()));
            return;
        }
        dispatcher.dispatch(peer, request, reply);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
            log.warn("closing cluster connection from broker {}: nothing read for {} ms", peer,
                    Heartbeat.IDLE_TIMEOUT.toMillis());
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("closing cluster connection from broker {} ({}): {}", peer, ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
