package io.runnel.broker.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An error answer of the HTTP API: a status and the JSON body
 * {@code {"error": "<kind>", "message": "<what to fix>"}}, plus headers such as {@code Allow} or
 * {@code Retry-After}. Handlers throw it (or fail their future with it); the dispatcher turns it
 * into the response. It carries no stack trace: it is an answer, not a bug.
 */
public final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final HttpResponseStatus status;
    private final String kind;
    private final transient List<Map.Entry<String, String>> headers;

    public HttpError(HttpResponseStatus status, String kind, String message) {
        this(status, kind, message, List.of());
    }

    private HttpError(HttpResponseStatus status, String kind, String message, List<Map.Entry<String, String>> headers) {
        super(message, null, false, false);
        this.status = status;
        this.kind = kind;
        this.headers = headers;
    }

    public static HttpError badRequest(String kind, String message) {
        return new HttpError(HttpResponseStatus.BAD_REQUEST, kind, message);
    }

    public static HttpError notFound(String message) {
        return new HttpError(HttpResponseStatus.NOT_FOUND, "not_found", message);
    }

    public static HttpError methodNotAllowed(String message, String allow) {
        return new HttpError(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed", message)
                .withHeader(HttpHeaderNames.ALLOW.toString(), allow);
    }

    public static HttpError conflict(String kind, String message) {
        return new HttpError(HttpResponseStatus.CONFLICT, kind, message);
    }

    public static HttpError tooLarge(String message) {
        return new HttpError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request_too_large", message);
    }

    public static HttpError unsupportedMediaType(String message) {
        return new HttpError(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", message);
    }

    /** 503 with {@code Retry-After}: the client should try again later. */
    public static HttpError unavailable(String kind, String message, int retryAfterSeconds) {
        return new HttpError(HttpResponseStatus.SERVICE_UNAVAILABLE, kind, message)
                .withHeader(HttpHeaderNames.RETRY_AFTER.toString(), Integer.toString(retryAfterSeconds));
    }

    public static HttpError internal(String message) {
        return new HttpError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal_error", message);
    }

    /** A copy with one more response header. */
    public HttpError withHeader(String name, String value) {
        List<Map.Entry<String, String>> h = new ArrayList<>(headers);
        h.add(Map.entry(name, value));
        return new HttpError(status, kind, getMessage(), List.copyOf(h));
    }

    public HttpResponseStatus status() {
        return status;
    }

    public String kind() {
        return kind;
    }

    public List<Map.Entry<String, String>> headers() {
        return headers;
    }

    /** The JSON body of this error, in a buffer the caller owns. */
    public ByteBuf body(ByteBufAllocator alloc) {
        return Json.write(alloc, json -> {
            json.writeStartObject();
            json.writeStringField("error", kind);
            json.writeStringField("message", getMessage());
            json.writeEndObject();
        });
    }

    /** A complete response (HTTP/1.1, content length set); the caller owns it. */
    public FullHttpResponse toResponse(ByteBufAllocator alloc) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body(alloc));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        for (Map.Entry<String, String> h : headers) {
            response.headers().add(h.getKey(), h.getValue());
        }
        return response;
    }

    @Override
    public String toString() {
        return status.code() + " " + kind + ": " + getMessage();
    }
}
