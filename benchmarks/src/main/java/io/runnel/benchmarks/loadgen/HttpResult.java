package io.runnel.benchmarks.loadgen;

import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * A complete HTTP response, copied off Netty's buffers so it can outlive them.
 *
 * @param status  the status code
 * @param body    the body bytes (empty when there is none)
 * @param headers the response headers
 */
public record HttpResult(int status, byte[] body, HttpHeaders headers) {
    /** A response without headers. */
    public HttpResult(int status, byte[] body) {
        this(status, body, EmptyHttpHeaders.INSTANCE);
    }

    /** The first value of header {@code name}, or {@code null}. */
    public String header(CharSequence name) {
        return headers.get(name);
    }
}
