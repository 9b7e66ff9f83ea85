package io.runnel.broker.cluster.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.handler.ssl.SslHandler;
import io.runnel.broker.security.ServerTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.runnel.broker.netty.NettyTransport;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** Listens on the cluster port (9254) for the connections of the other brokers. */
public final class ClusterServer implements AutoCloseable {
    private final Channel channel;
    private final ChannelGroup children;

    private ClusterServer(Channel channel, ChannelGroup children) {
        this.channel = channel;
        this.children = children;
    }

    /**
     * Binds and serves; blocks until bound.
     *
     * @param self      this broker's ordinal
     * @param brokers   the cluster size (valid peer ordinals are 0..brokers-1)
     * @param handshake every connection must complete it before a request is read
     * @param maxFrameBytes the largest frame read after the handshake ({@link ClusterFrames#maxFrameBytes})
     * @param tls       with TLS material, connections speak TLS first (the handshake runs inside it); {@code null}
     *                  for plain TCP
     * @throws IllegalStateException naming the address when binding fails
     */
    public static ClusterServer start(NettyTransport transport, String bindAddress, int port, int self, int brokers,
                                      Handshake handshake, ServerTls tls, int maxFrameBytes,
                                      ClusterDispatcher dispatcher) {
        ChannelGroup children = new DefaultChannelGroup("runnel-cluster", GlobalEventExecutor.INSTANCE);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(transport.acceptors(), transport.workers())
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 128)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        children.add(ch);
                        if (tls != null) {
                            SslHandler ssl = tls.server().newHandler(ch.alloc());
                            ssl.setHandshakeTimeoutMillis(Handshake.TIMEOUT.toMillis());
                            ch.pipeline().addLast("ssl", ssl);
                        }
                        ClusterFrames.addCodec(ch.pipeline(), maxFrameBytes);
                        ch.pipeline().addLast("handshake", new ServerHandshakeHandler(handshake, self, brokers, dispatcher));
                    }
                });
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(bindAddress, port)).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("the cluster channel cannot listen on " + bindAddress + ":" + port + ": "
                    + bound.cause().getMessage(), bound.cause());
        }
        return new ClusterServer(bound.channel(), children);
    }

    /** The port actually bound. */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Stops accepting and closes the peers' connections. */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        children.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
