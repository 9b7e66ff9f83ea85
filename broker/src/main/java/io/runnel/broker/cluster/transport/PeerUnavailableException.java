package io.runnel.broker.cluster.transport;

/** A peer could not be reached, or its connection dropped before it answered. */
public final class PeerUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int peer;

    public PeerUnavailableException(int peer, String reason) {
        super("broker " + peer + " is unreachable: " + reason, null, false, false);
        this.peer = peer;
    }

    public int peer() {
        return peer;
    }
}
