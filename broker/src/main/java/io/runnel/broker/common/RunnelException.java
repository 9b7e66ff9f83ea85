package io.runnel.broker.common;

import java.util.Objects;

/**
 * The one exception for an answer the broker gives on purpose: an {@link Errors} code, a message that says
 * what to do, and the {@code Retry-After} seconds for a retriable one. It carries no stack trace: it is an
 * answer, not a bug. Made by {@link Errors#exception}; turned into an HTTP response only by the HTTP edge,
 * and into a code plus message by the cluster channel.
 *
 * <p>{@link #allow()} is the one field only one error needs: the methods a path accepts, for the
 * {@code Allow} header of a 405.
 */
public final class RunnelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Errors error;
    private final int retryAfterSeconds;
    private final String allow;

    RunnelException(Errors error, String message, int retryAfterSeconds) {
        this(error, message, retryAfterSeconds, null);
    }

    private RunnelException(Errors error, String message, int retryAfterSeconds, String allow) {
        super(Objects.requireNonNull(message, "message"), null, false, false);
        this.error = Objects.requireNonNull(error, "error");
        this.retryAfterSeconds = retryAfterSeconds;
        this.allow = allow;
    }

    /** The same error suggesting another {@code Retry-After}. */
    public RunnelException retryAfter(int seconds) {
        return new RunnelException(error, getMessage(), seconds, allow);
    }

    /** The same error naming the methods the path accepts (for a 405's {@code Allow}). */
    public RunnelException allowing(String methods) {
        return new RunnelException(error, getMessage(), retryAfterSeconds, methods);
    }

    public Errors error() {
        return error;
    }

    /** The {@code Retry-After} seconds to suggest; 0 for none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The methods the path accepts, or {@code null}. */
    public String allow() {
        return allow;
    }

    @Override
    public String toString() {
        return error.httpStatus() + " " + error.kind() + ": " + getMessage();
    }
}
