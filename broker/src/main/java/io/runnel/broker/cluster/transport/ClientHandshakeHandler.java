package io.runnel.broker.cluster.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.runnel.broker.cluster.transport.ClusterMessage.Challenge;
import io.runnel.broker.cluster.transport.ClusterMessage.Hello;
import io.runnel.broker.cluster.transport.ClusterMessage.Proof;
import io.runnel.discovery.ClusterSecret;
import java.util.concurrent.TimeUnit;

/**
 * The client side of the {@link Handshake} on a {@link PeerClient}'s connection: sends the {@code Hello}, checks the
 * server's {@code Challenge} (a peer that does not know the secret is not a broker of this cluster), answers with
 * its {@code Proof}, and replaces itself with the handler that takes the peer's answers. {@code done} succeeds
 * then, and fails (the connection closed) on anything else or after {@link Handshake#TIMEOUT}. Event loop only.
 */
final class ClientHandshakeHandler extends SimpleChannelInboundHandler<ClusterMessage> {
    private final Handshake handshake;
    private final int self;
    private final int peer;
    private final PeerClient client;
    private final ChannelPromise done;
    private byte[] clientNonce;
    private ScheduledFuture<?> timeout;

    ClientHandshakeHandler(Handshake handshake, int self, int peer, PeerClient client, ChannelPromise done) {
        this.handshake = handshake;
        this.self = self;
        this.peer = peer;
        this.client = client;
        this.done = done;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        clientNonce = Handshake.nonce();
        ctx.writeAndFlush(new Hello(0, ClusterMessage.PROTOCOL_VERSION, self, clientNonce));
        timeout = ctx.executor().schedule(() -> fail(ctx, "no challenge within " + Handshake.TIMEOUT.toMillis() + " ms"),
                Handshake.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        fail(ctx, "the connection closed during the handshake");
        super.channelInactive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ClusterMessage msg) {
        if (msg instanceof Challenge c && c.ordinal() == peer && Handshake.validNonce(c.nonce())
                && ClusterSecret.same(c.proof(), handshake.serverProof(clientNonce, c.nonce(), self, peer))) {
            cancelTimeout();
            ctx.writeAndFlush(new Proof(0, handshake.clientProof(clientNonce, c.nonce(), self, peer)));
            ClusterFrames.authenticated(ctx.pipeline());
            ctx.pipeline().replace(this, "handler", new PeerClientHandler(client));
            Heartbeat.client(ctx.pipeline(), "handler");
            done.trySuccess();
            return;
        }
        fail(ctx, "broker " + peer + " failed the handshake (it does not know the cluster secret, or sent a "
                + msg.getClass().getSimpleName() + ")");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause.toString());
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        cancelTimeout();
        if (done.tryFailure(new PeerUnavailableException(peer, why))) {
            ctx.close();
        }
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }
}
