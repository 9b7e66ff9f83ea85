package io.runnel.broker.cluster.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client side of one inter-broker connection: hands every answer from the peer to its
 * {@link PeerClient}, pings when it had nothing to send and closes a connection that stays silent
 * ({@link Heartbeat}). Messages are heap objects (see {@link ClusterMessage}); nothing to release.
 */
final class PeerClientHandler extends SimpleChannelInboundHandler<ClusterMessage> {
    private static final Logger log = LoggerFactory.getLogger(PeerClientHandler.class);

    private final PeerClient client;

    PeerClientHandler(PeerClient client) {
        this.client = client;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ClusterMessage msg) {
        client.received(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.WRITER_IDLE) {
                client.ping();
            } else if (idle.state() == IdleState.READER_IDLE) {
                log.warn("closing the connection to broker {}: nothing read for {} ms", client.peer(),
                        Heartbeat.IDLE_TIMEOUT.toMillis());
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("closing the connection to broker {}: {}", client.peer(), cause.toString());
        ctx.close();
    }
}
