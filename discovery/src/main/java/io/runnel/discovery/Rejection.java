package io.runnel.discovery;

/** Why the metadata state machine refused a committed change. Codes are part of the raft log format. */
public enum Rejection {
    /** The change named a generation version that is no longer current. */
    STALE_VERSION(1),
    /** An ISR change was proposed by a broker that does not lead the range. */
    NOT_LEADER(2),
    /** The proposed ISR does not contain the range's leader. */
    ISR_WITHOUT_LEADER(3),
    /** A proposed leader or ISR member is not in the range's replica set. */
    NOT_A_REPLICA(4),
    /** The range does not exist (or the metadata is not initialised yet). */
    UNKNOWN_RANGE(5),
    /** The generations were initialised already. */
    ALREADY_INITIALIZED(6),
    /** A new leader must be taken from the current ISR. */
    LEADER_NOT_IN_SYNC(7),
    /** The command could not be decoded. */
    MALFORMED(8),
    /** A consumer id registered by one principal was registered again by another. */
    NOT_OWNER(9);

    private final byte code;

    Rejection(int code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }

    public static Rejection ofCode(byte code) {
        for (Rejection r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        return MALFORMED;
    }
}
