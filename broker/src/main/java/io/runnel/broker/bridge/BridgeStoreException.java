package io.runnel.broker.bridge;

/**
 * Bridge definitions could not be read or written durably. {@link #retriable()} when the store is only
 * unavailable for now (a cluster without a raft majority): the change was not made, and the same change
 * may succeed later.
 */
public final class BridgeStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean retriable;

    public BridgeStoreException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public BridgeStoreException(String message, Throwable cause, boolean retriable) {
        super(message, cause);
        this.retriable = retriable;
    }

    /** Whether the same change may succeed if tried again later. */
    public boolean retriable() {
        return retriable;
    }
}
