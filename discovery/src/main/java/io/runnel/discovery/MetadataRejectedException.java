package io.runnel.discovery;

/** A proposed metadata change was committed but refused by the state machine, e.g. for a stale version. */
public class MetadataRejectedException extends ClusterException {
    private static final long serialVersionUID = 1L;

    private final Rejection reason;

    public MetadataRejectedException(Rejection reason, String message) {
        super(message + " (" + reason + ")");
        this.reason = reason;
    }

    public Rejection reason() {
        return reason;
    }
}
