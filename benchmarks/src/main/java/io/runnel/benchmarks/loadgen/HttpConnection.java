package io.runnel.benchmarks.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.handler.ssl.SslContext;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One keep-alive HTTP/1.1 connection with at most one request in flight (no pipelining), bound to
 * one event loop. It connects lazily and reconnects on the next {@link #send} after the server
 * closed it.
 *
 * <p>All methods except {@link #close()} must be called on {@link #eventLoop()}; results complete
 * there too, so a caller may send its next request from the completion callback.
 */
public final class HttpConnection {
    private final Bootstrap bootstrap;
    private final EventLoop loop;
    private final Endpoint endpoint;
    private Channel channel;
    private CompletableFuture<HttpResult> pending;
    private ScheduledFuture<?> timeout;
    private final String authorization;

    /**
     * @param transport        its {@link ClientTransport#bootstrap()}, TLS and credentials
     * @param loop             the event loop that owns this connection
     * @param maxResponseBytes the largest response body accepted
     */
    public HttpConnection(ClientTransport transport, EventLoop loop, Endpoint endpoint, int maxResponseBytes) {
        Bootstrap template = transport.bootstrap();
        SslContext tls = transport.tls();
        this.authorization = transport.authorization();
        this.loop = loop;
        this.endpoint = endpoint;
        this.bootstrap = template.clone(loop)
                .remoteAddress(endpoint.host(), endpoint.port())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), endpoint.host(), endpoint.port()));
                        }
                        ch.pipeline().addLast(
                                new HttpClientCodec(),
                                new HttpObjectAggregator(maxResponseBytes),
                                new ResponseHandler());
                    }
                });
    }

    public EventLoop eventLoop() {
        return loop;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** The allocator for request bodies. */
    public ByteBufAllocator alloc() {
        return channel != null ? channel.alloc() : PooledByteBufAllocator.DEFAULT;
    }

    /**
     * Sends a request and completes with its response, or exceptionally with
     * {@link ConnectException}, {@link ClosedChannelException} or {@link TimeoutException}.
     *
     * <p>Takes ownership of {@code request}: it is released once written or when sending fails.
     *
     * @throws IllegalStateException if a request is already in flight (the request is released)
     */
    public CompletableFuture<HttpResult> send(FullHttpRequest request, long timeoutMillis) {
        if (!loop.inEventLoop()) {
            request.release();
            throw new IllegalStateException("send must run on the connection's event loop");
        }
        if (pending != null) {
            request.release();
            throw new IllegalStateException("a request is already in flight on " + endpoint);
        }
        CompletableFuture<HttpResult> result = new CompletableFuture<>();
        pending = result;
        request.headers().set(HttpHeaderNames.HOST, endpoint.hostHeader());
        if (authorization != null) {
            request.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
        }
        timeout = loop.schedule(() -> {
            if (pending == result) {
                Channel ch = channel;
                fail(new TimeoutException("no answer from " + endpoint + " within " + timeoutMillis + " ms"));
                if (ch != null) {
                    ch.close();
                }
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        if (channel != null && channel.isActive()) {
            write(channel, request, result);
        } else {
            ChannelFuture connect = bootstrap.connect();
            connect.addListener(f -> {
                if (!f.isSuccess()) {
                    request.release();
                    if (pending == result) {
                        fail(new ConnectException("cannot connect to " + endpoint + ": " + f.cause().getMessage()));
                    }
                } else if (pending != result) {
                    // Timed out while connecting: nobody waits for this request any more.
                    request.release();
                    connect.channel().close();
                } else {
                    channel = connect.channel();
                    write(channel, request, result);
                }
            });
        }
        return result;
    }

    private void write(Channel ch, FullHttpRequest request, CompletableFuture<HttpResult> result) {
        // writeAndFlush releases the request, also when the write fails.
        ch.writeAndFlush(request).addListener(f -> {
            if (!f.isSuccess() && pending == result) {
                fail(f.cause() instanceof ClosedChannelException c ? c
                        : new ClosedChannelException());
                ch.close();
            }
        });
    }

    private void complete(HttpResult r) {
        CompletableFuture<HttpResult> p = pending;
        pending = null;
        timeout.cancel(false);
        p.complete(r);
    }

    private void fail(Throwable t) {
        CompletableFuture<HttpResult> p = pending;
        pending = null;
        timeout.cancel(false);
        p.completeExceptionally(t);
    }

    /** Closes the connection; a request in flight fails. Callable from any thread. */
    public void close() {
        loop.execute(() -> {
            if (channel != null) {
                channel.close();
            }
        });
    }

    private final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
            // The aggregated response is released by SimpleChannelInboundHandler after this returns.
            if (pending != null && ctx.channel() == channel) {
                complete(new HttpResult(msg.status().code(), ByteBufUtil.getBytes(msg.content()), msg.headers()));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ctx.channel() == channel) {
                channel = null;
                if (pending != null) {
                    fail(new ClosedChannelException());
                }
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
