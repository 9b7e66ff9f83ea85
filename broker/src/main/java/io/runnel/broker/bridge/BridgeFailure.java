package io.runnel.broker.bridge;

/** An attempt of a bridge failed; the message is meant for {@code lastError} as it is. */
final class BridgeFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BridgeFailure(String message) {
        super(message);
    }

    BridgeFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
