package io.runnel.discovery;

/**
 * The cluster metadata cannot be changed now: no raft leader is known, the raft majority is lost, or the change
 * was not committed in time. Retrying later may succeed (HTTP 503 with {@code Retry-After}).
 */
public class NoQuorumException extends ClusterException {
    private static final long serialVersionUID = 1L;

    public NoQuorumException(String message) {
        super(message);
    }

    public NoQuorumException(String message, Throwable cause) {
        super(message, cause);
    }
}
