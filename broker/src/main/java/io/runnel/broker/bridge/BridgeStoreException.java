package io.runnel.broker.bridge;

/** Bridge definitions could not be read or written durably. */
public final class BridgeStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BridgeStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
