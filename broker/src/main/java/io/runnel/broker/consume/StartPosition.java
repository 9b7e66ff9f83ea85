package io.runnel.broker.consume;

/**
 * Where a group starts reading a partition it has no committed offset for (Barco's
 * {@code onNewGroup}).
 */
public enum StartPosition {
    /** The log end offset when the group first sees the partition: only new events. */
    LATEST("startFromLatest"),
    /** The log start offset: everything still retained. */
    EARLIEST("startFromEarliest");

    private final String wireName;

    StartPosition(String wireName) {
        this.wireName = wireName;
    }

    /** The value of the {@code onNewGroup} query parameter. */
    public String wireName() {
        return wireName;
    }

    /**
     * Parses {@code startFromLatest} or {@code startFromEarliest}.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static StartPosition parse(String value) {
        for (StartPosition p : values()) {
            if (p.wireName.equals(value)) {
                return p;
            }
        }
        throw new IllegalArgumentException("onNewGroup must be startFromLatest or startFromEarliest, not '" + value + "'");
    }
}
