package io.runnel.broker.produce;

/** A produce body that is not what its content type promises; the message says where and why. */
public final class MalformedEventsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String kind;
    private final int line;

    /**
     * @param kind    the error kind of the API answer ({@code malformed_json}, {@code malformed_ndjson}, {@code no_events})
     * @param message what is wrong and where
     * @param line    the 1-based NDJSON line at fault, or 0
     */
    public MalformedEventsException(String kind, String message, int line) {
        super(message, null, false, false);
        this.kind = kind;
        this.line = line;
    }

    public String kind() {
        return kind;
    }

    /** The 1-based NDJSON line at fault, or 0 for a JSON body or the body as a whole. */
    public int line() {
        return line;
    }
}
