package io.runnel.broker.cluster.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.runnel.broker.cluster.transport.ClusterMessage.Challenge;
import io.runnel.broker.cluster.transport.ClusterMessage.Hello;
import io.runnel.broker.cluster.transport.ClusterMessage.Proof;
import io.runnel.discovery.ClusterSecret;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of the {@link Handshake} on one connection to the cluster port: answers the {@code Hello} with a
 * {@code Challenge}, checks the client's {@code Proof}, and only then replaces itself with the
 * {@link ClusterServerHandler} that hands requests to the dispatcher. A connection that sends anything else,
 * fails a check or takes longer than {@link Handshake#TIMEOUT} is closed: nothing it sent is ever handled.
 * Event loop only.
 */
final class ServerHandshakeHandler extends SimpleChannelInboundHandler<ClusterMessage> {
    private static final Logger log = LoggerFactory.getLogger(ServerHandshakeHandler.class);

    private final Handshake handshake;
    private final int self;
    private final int brokers;
    private final ClusterDispatcher dispatcher;
    private Hello hello;
    private byte[] serverNonce;
    private ScheduledFuture<?> timeout;

    ServerHandshakeHandler(Handshake handshake, int self, int brokers, ClusterDispatcher dispatcher) {
        this.handshake = handshake;
        this.self = self;
        this.brokers = brokers;
        this.dispatcher = dispatcher;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        timeout = ctx.executor().schedule(() -> refuse(ctx, "no handshake within " + Handshake.TIMEOUT.toMillis() + " ms"),
                Handshake.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelTimeout();
        super.channelInactive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ClusterMessage msg) {
        if (hello == null) {
            if (msg instanceof Hello h && h.protocolVersion() == ClusterMessage.PROTOCOL_VERSION && h.ordinal() >= 0
                    && h.ordinal() < brokers && h.ordinal() != self && Handshake.validNonce(h.nonce())) {
                hello = h;
                serverNonce = Handshake.nonce();
                ctx.writeAndFlush(new Challenge(0, self, serverNonce,
                        handshake.serverProof(h.nonce(), serverNonce, h.ordinal(), self)));
                return;
            }
            refuse(ctx, "expected a Hello of protocol " + ClusterMessage.PROTOCOL_VERSION + " from a broker 0.."
                    + (brokers - 1) + ", got " + describe(msg));
            return;
        }
        if (msg instanceof Proof p && ClusterSecret.same(p.proof(),
                handshake.clientProof(hello.nonce(), serverNonce, hello.ordinal(), self))) {
            cancelTimeout();
            ClusterFrames.authenticated(ctx.pipeline());
            ctx.pipeline().replace(this, "handler", new ClusterServerHandler(hello.ordinal(), dispatcher));
            Heartbeat.server(ctx.pipeline(), "handler");
            log.debug("broker {} connected from {}", hello.ordinal(), ctx.channel().remoteAddress());
            return;
        }
        refuse(ctx, "the handshake failed (it does not know the cluster secret, or sent " + describe(msg) + ")");
    }

    private static String describe(ClusterMessage msg) {
        return msg.getClass().getSimpleName();
    }

    private void refuse(ChannelHandlerContext ctx, String why) {
        cancelTimeout();
        if (ctx.channel().isActive()) {
            log.warn("closing cluster connection from {}: {}", ctx.channel().remoteAddress(), why);
            ctx.close();
        }
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        refuse(ctx, cause.toString());
    }
}
