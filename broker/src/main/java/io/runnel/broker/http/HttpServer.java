package io.runnel.broker.http;

import io.netty.bootstrap.ServerBootstrap;
import io.runnel.broker.netty.NettyTransport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/1.1 server: a port, its {@link Router} and the shared {@link NettyTransport}.
 */
public final class HttpServer implements AutoCloseable {
    private final String api;
    private final Channel channel;

    private HttpServer(String api, Channel channel) {
        this.api = api;
        this.channel = channel;
    }

    /**
     * Binds and starts serving; blocks until bound.
     *
     * @param port 0 picks a free port (see {@link #port()})
     * @throws IllegalStateException naming the address when binding fails
     */
    public static HttpServer start(NettyTransport transport, String bindAddress, int port, Router router,
            HttpLimits limits, ResponseObserver observer, HttpSecurity security, HttpGuards guards) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(transport.acceptors(), transport.workers())
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new HttpServerInitializer(router, limits, observer, security, guards));
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(bindAddress, port)).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("the " + router.api() + " API cannot listen on " + bindAddress + ":" + port
                    + ": " + bound.cause().getMessage(), bound.cause());
        }
        return new HttpServer(router.api(), bound.channel());
    }

    public String api() {
        return api;
    }

    /** The port actually bound. */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Stops accepting connections; open connections close with the transport. */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
