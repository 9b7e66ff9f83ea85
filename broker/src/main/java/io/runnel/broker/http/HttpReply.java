package io.runnel.broker.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
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
 * A successful answer of a route: status, optional body and headers.
 *
 * <p>Ownership: a reply owns its body buffer until {@link #toResponse()} hands it to the response
 * (which Netty releases after writing) or {@link #release()} drops it.
 */
public final class HttpReply {
    private final HttpResponseStatus status;
    private final ByteBuf body;
    private final CharSequence contentType;
    private final List<Map.Entry<String, String>> headers;

    private HttpReply(HttpResponseStatus status, ByteBuf body, CharSequence contentType,
            List<Map.Entry<String, String>> headers) {
        this.status = status;
        this.body = body;
        this.contentType = contentType;
        this.headers = headers;
    }

    /** A JSON body; the reply takes ownership of {@code body}. */
    public static HttpReply json(HttpResponseStatus status, ByteBuf body) {
        return new HttpReply(status, body, HttpHeaderValues.APPLICATION_JSON, List.of());
    }

    /** A JSON document written with {@link Json#write}. */
    public static HttpReply json(HttpResponseStatus status, ByteBufAllocator alloc, Json.Body body) {
        return json(status, Json.write(alloc, body));
    }

    /** A body of another type; the reply takes ownership of {@code body}. */
    public static HttpReply of(HttpResponseStatus status, CharSequence contentType, ByteBuf body) {
        return new HttpReply(status, body, contentType, List.of());
    }

    /** No body (for example 204). */
    public static HttpReply empty(HttpResponseStatus status) {
        return new HttpReply(status, Unpooled.EMPTY_BUFFER, null, List.of());
    }

    /** The same reply with one more header (the body moves to the new reply). */
    public HttpReply withHeader(String name, String value) {
        List<Map.Entry<String, String>> h = new ArrayList<>(headers);
        h.add(Map.entry(name, value));
        return new HttpReply(status, body, contentType, List.copyOf(h));
    }

    public HttpResponseStatus status() {
        return status;
    }

    /** The body, still owned by this reply. */
    public ByteBuf body() {
        return body;
    }

    /** The response, which takes over the body. */
    public FullHttpResponse toResponse() {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        if (contentType != null) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        if (status.code() != HttpResponseStatus.NO_CONTENT.code()) {
            // RFC 9110: a 204 carries no Content-Length.
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        }
        for (Map.Entry<String, String> h : headers) {
            response.headers().add(h.getKey(), h.getValue());
        }
        return response;
    }

    /** Drops the body when the reply will not be sent. */
    public void release() {
        if (body.refCnt() > 0) {
            body.release();
        }
    }
}
