package io.runnel.broker.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpRequest;
import io.runnel.broker.security.Principal;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * One request as a route sees it.
 *
 * <p>Ownership: the dispatcher owns {@link #http()} and its body and releases them once the route's
 * future completes; a route may read the body on any thread until then, but must not keep it.
 *
 * @param http       the aggregated request
 * @param pathParams values of the route's {@code {name}} segments, percent-decoded
 * @param query      the decoded query string
 * @param alloc      allocator for reply bodies
 * @param eventLoop  the connection's event loop, for finishing replies off threads that must stay
 *                   lean (such as the storage writer)
 * @param principal  who sent it: {@link Principal#ANONYMOUS} with client authentication off, {@link Principal#NONE}
 *                   on an open route with it on; routes check grants with {@link Principal#require}
 */
public record ApiRequest(FullHttpRequest http, Map<String, String> pathParams, QueryParams query, ByteBufAllocator alloc,
        Executor eventLoop, Principal principal) {

    public ByteBuf body() {
        return http.content();
    }

    /** A request header, or {@code null}. */
    public String header(CharSequence name) {
        return http.headers().get(name);
    }

    public String pathParam(String name) {
        return pathParams.get(name);
    }
}
