package io.runnel.broker.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/**
 * {@link HttpObjectAggregator} whose answer to a body over the limit is the JSON 413 of the API
 * (Netty's own is an empty 413). Bodies with a {@code Content-Length} over the limit never get
 * here ({@link RequestLimitsHandler} answers them before reading); this catches chunked bodies
 * that grow past it. The connection is closed, as the rest of the body is still on the wire.
 */
public final class JsonHttpObjectAggregator extends HttpObjectAggregator {
    public JsonHttpObjectAggregator(int maxContentLength) {
        super(maxContentLength, true);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        RejectResponder.respondAndClose(ctx, RequestLimitsHandler.bodyTooLarge(-1, maxContentLength()));
    }
}
