package io.runnel.broker.produce;

import io.runnel.broker.common.Errors;
import io.runnel.broker.common.RunnelException;

/** A produce body that is not what its content type promises; the message says where and why. */
public final class MalformedEventsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Errors error;
    private final int line;

    /**
     * @param error   the error of the API answer ({@link Errors#MALFORMED_JSON}, {@link Errors#MALFORMED_NDJSON},
     *                {@link Errors#NO_EVENTS})
     * @param message what is wrong and where
     * @param line    the 1-based NDJSON line at fault, or 0
     */
    public MalformedEventsException(Errors error, String message, int line) {
        super(message, null, false, false);
        this.error = error;
        this.line = line;
    }

    public Errors error() {
        return error;
    }

    /** The answer to the producer. */
    public RunnelException toException() {
        return error.exception(getMessage());
    }

    /** The 1-based NDJSON line at fault, or 0 for a JSON body or the body as a whole. */
    public int line() {
        return line;
    }
}
