package io.runnel.broker.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.runnel.broker.common.Errors;
import io.runnel.broker.common.RunnelException;

/**
 * The HTTP edge of the error catalog: a {@link RunnelException} becomes the status of its {@link Errors} code
 * and the JSON body {@code {"error": "<kind>", "message": "<what to fix>"}}, with {@code Retry-After} for a
 * retriable error, {@code Allow} for a 405 and
 * {@code WWW-Authenticate} for a 401. The only place that maps an error to HTTP.
 */
public final class ErrorResponse {
    /** What a 401 offers: an API key as a bearer token, or a user name and password. */
    static final String WWW_AUTHENTICATE = "Bearer realm=\"runnel\", Basic realm=\"runnel\", charset=\"UTF-8\"";

    private ErrorResponse() {
    }

    /** The JSON body of {@code error}, in a buffer the caller owns. */
    public static ByteBuf body(ByteBufAllocator alloc, RunnelException error) {
        return body(alloc, error.error(), error.getMessage());
    }

    /** The JSON body of an error of kind {@code error} with {@code message}, in a buffer the caller owns. */
    public static ByteBuf body(ByteBufAllocator alloc, Errors error, String message) {
        return Json.write(alloc, json -> {
            json.writeStartObject();
            json.writeStringField("error", error.kind());
            json.writeStringField("message", message);
            json.writeEndObject();
        });
    }

    /** A complete response (HTTP/1.1, content length set); the caller owns it. */
    public static FullHttpResponse of(ByteBufAllocator alloc, RunnelException error) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status(error.error()),
                body(alloc, error));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        if (error.retryAfterSeconds() > 0) {
            response.headers().setInt(HttpHeaderNames.RETRY_AFTER, error.retryAfterSeconds());
        }
        if (error.allow() != null) {
            response.headers().set(HttpHeaderNames.ALLOW, error.allow());
        }
        if (error.error() == Errors.UNAUTHORIZED) {
            response.headers().add(HttpHeaderNames.WWW_AUTHENTICATE, WWW_AUTHENTICATE);
        }
        return response;
    }

    /** The HTTP status of an error code. */
    public static HttpResponseStatus status(Errors error) {
        return HttpResponseStatus.valueOf(error.httpStatus());
    }
}
