package io.runnel.benchmarks.loadgen;

/**
 * A complete HTTP response, copied off Netty's buffers so it can outlive them.
 *
 * @param status the status code
 * @param body   the body bytes (empty when there is none)
 */
public record HttpResult(int status, byte[] body) {
}
