package io.runnel.broker.http;

import io.runnel.broker.common.RunnelException;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.util.AttributeKey;
import java.util.concurrent.TimeUnit;

/**
 * Answers a request the server will not read to the end (too large, malformed, too slow) and then
 * closes the connection gracefully.
 *
 * <p>Closing a socket that still has unread request bytes makes the kernel send a reset, and a
 * reset can destroy the answer before the client reads it. So, as web servers do ("lingering
 * close"), the server only shuts down its output after the answer, keeps discarding input
 * ({@link ConnectionDeadlineHandler} drops it at the front of the pipeline) and closes when the
 * client does, or after {@value #LINGER_MILLIS} ms at most.
 */
final class RejectResponder {
    static final long LINGER_MILLIS = 2_000;

    /** Set on a channel once it was answered for the last time: its further input is discarded. */
    static final AttributeKey<Boolean> REJECTED = AttributeKey.valueOf(RejectResponder.class, "rejected");

    private RejectResponder() {
    }

    /** Writes {@code error} with {@code Connection: close} through {@code ctx} and closes as described. */
    static void respondAndClose(ChannelHandlerContext ctx, RunnelException error) {
        FullHttpResponse response = ErrorResponse.of(ctx.alloc(), error);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        Channel channel = ctx.channel();
        channel.attr(REJECTED).set(Boolean.TRUE);
        channel.config().setAutoRead(true); // keep draining what the client still sends
        ctx.writeAndFlush(response).addListener((ChannelFutureListener) f -> lingerAndClose(channel));
    }

    /** Same, for a response written from the tail of the pipeline (outside the HTTP handlers). */
    static void respondAndClose(Channel channel, FullHttpResponse response) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        channel.attr(REJECTED).set(Boolean.TRUE);
        channel.config().setAutoRead(true);
        channel.writeAndFlush(response).addListener((ChannelFutureListener) f -> lingerAndClose(channel));
    }

    /** Whether {@link #respondAndClose} already answered on this channel. */
    static boolean rejected(Channel channel) {
        return Boolean.TRUE.equals(channel.attr(REJECTED).get());
    }

    private static void lingerAndClose(Channel channel) {
        if (!channel.isActive()) {
            return;
        }
        if (channel instanceof DuplexChannel duplex) {
            duplex.shutdownOutput();
            channel.eventLoop().schedule(() -> channel.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            channel.close();
        }
    }
}
