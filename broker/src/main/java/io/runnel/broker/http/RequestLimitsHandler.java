package io.runnel.broker.http;

import io.runnel.broker.common.RunnelException;
import io.runnel.broker.common.Errors;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

/**
 * Turns what the HTTP decoder rejects, and bodies declared too large, into JSON errors.
 *
 * <p>Sits between {@code HttpServerCodec} and the aggregator. A message whose decoder result
 * failed becomes 431 (headers too large), 414 (request line too long) or 400; a request whose
 * {@code Content-Length} exceeds the body limit is answered 413 before any of the body is read
 * (this also covers {@code Expect: 100-continue}: the client gets 413 instead of 100). In each case
 * the connection is closed after the answer, because the rest of the stream cannot be trusted to
 * be in sync, and everything read after the rejection is released unread.
 */
public final class RequestLimitsHandler extends ChannelInboundHandlerAdapter {
    private final int maxBodyBytes;
    private boolean rejected;

    public RequestLimitsHandler(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (rejected) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpObject http) {
            DecoderResult result = http.decoderResult();
            if (result.isFailure()) {
                ReferenceCountUtil.release(msg);
                reject(ctx, decoderError(result.cause()));
                return;
            }
            if (msg instanceof HttpRequest request) {
                long length;
                try {
                    length = HttpUtil.getContentLength(request, -1L);
                } catch (NumberFormatException e) {
                    ReferenceCountUtil.release(msg);
                    reject(ctx, Errors.BAD_REQUEST.exception("Content-Length is not a number"));
                    return;
                }
                if (length > maxBodyBytes) {
                    ReferenceCountUtil.release(msg);
                    reject(ctx, bodyTooLarge(length, maxBodyBytes));
                    return;
                }
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** The 413 for a body of {@code length} bytes ({@code -1} when unknown). */
    static RunnelException bodyTooLarge(long length, int maxBodyBytes) {
        return Errors.REQUEST_TOO_LARGE.exception((length >= 0 ? "the body of " + length + " bytes" : "the body")
                + " is larger than the limit of " + maxBodyBytes
                + " bytes (max-body-bytes); send fewer events per request");
    }

    static RunnelException decoderError(Throwable cause) {
        if (cause instanceof TooLongHttpHeaderException) {
            return Errors.HEADERS_TOO_LARGE.exception("the request headers are larger than the limit (max-header-bytes); send fewer or shorter headers");
        }
        if (cause instanceof TooLongHttpLineException) {
            return Errors.URI_TOO_LONG.exception("the request line is longer than the limit (max-initial-line-bytes); shorten the URI");
        }
        return Errors.BAD_REQUEST.exception("malformed HTTP request: "
                + (cause == null ? "unknown decoder error" : cause.getMessage()));
    }

    private void reject(ChannelHandlerContext ctx, RunnelException error) {
        rejected = true;
        RejectResponder.respondAndClose(ctx, error);
    }
}
