package io.runnel.benchmarks.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The client side's event loops and socket settings: native epoll where it loads, NIO elsewhere.
 */
public final class ClientTransport implements AutoCloseable {
    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelClass;
    private final boolean epoll;
    private SslContext tls;
    private String authorization;

    /**
     * @param threads event-loop threads
     * @param name    thread-name prefix
     */
    public ClientTransport(int threads, String name) {
        epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
        channelClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** A bootstrap template (no handler, no remote address); {@link HttpConnection} clones it per loop. */
    public Bootstrap bootstrap() {
        return new Bootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
    }

    /** Speaks TLS (trusting any certificate) and sends {@code apiKey} as a bearer token when not {@code null}. */
    public ClientTransport secured(boolean useTls, String apiKey) {
        if (useTls) {
            try {
                tls = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
            } catch (SSLException e) {
                throw new IllegalStateException("TLS is not available: " + e.getMessage(), e);
            }
        }
        authorization = apiKey == null ? null : "Bearer " + apiKey;
        return this;
    }

    /** The client TLS context, or {@code null} for plain HTTP. */
    public SslContext tls() {
        return tls;
    }

    /** The {@code Authorization} header of every request, or {@code null}. */
    public String authorization() {
        return authorization;
    }

    public EventLoopGroup group() {
        return group;
    }

    public boolean epoll() {
        return epoll;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
