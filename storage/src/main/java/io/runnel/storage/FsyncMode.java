package io.runnel.storage;

/** When an append counts as durable. */
public enum FsyncMode {
    /** An append completes only after its write-ahead log entry is fsynced (the default). */
    ALWAYS,
    /** An append completes once it is in RocksDB's memtable; the WAL is fsynced on an interval. */
    INTERVAL;

    /** Parses {@code always} or {@code interval}, ignoring case. */
    public static FsyncMode parse(String value) {
        for (FsyncMode m : values()) {
            if (m.name().equalsIgnoreCase(value.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("fsync must be 'always' or 'interval', not '" + value + "'");
    }
}
