package io.runnel.broker.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.runnel.broker.common.RunnelException;
import java.nio.charset.StandardCharsets;

/**
 * An error answer written as raw bytes by a handler in front of the HTTP codec (a connection refused before any of
 * it was parsed), then the connection is closed.
 */
final class RawResponse {
    private RawResponse() {
    }

    static void writeAndClose(ChannelHandlerContext ctx, RunnelException error) {
        ByteBuf body = ErrorResponse.body(ctx.alloc(), error);
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(ErrorResponse.status(error.error()))
                .append("\r\ncontent-type: application/json\r\ncontent-length: ").append(body.readableBytes())
                .append("\r\nconnection: close\r\n");
        if (error.retryAfterSeconds() > 0) {
            head.append("retry-after: ").append(error.retryAfterSeconds()).append("\r\n");
        }
        head.append("\r\n");
        ctx.write(Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII));
        ctx.writeAndFlush(body).addListener(ChannelFutureListener.CLOSE);
        ctx.channel().config().setAutoRead(false);
    }
}
