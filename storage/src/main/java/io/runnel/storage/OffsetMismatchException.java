package io.runnel.storage;

/**
 * A replica chunk did not start at the partition's log end offset, so appending it would leave a
 * gap or overwrite offsets (see {@link LogStore#appendReplica}). The follower should answer the
 * leader with {@link #expectedOffset()} so that it resends from there (or, if the follower is
 * ahead, truncates first).
 */
public class OffsetMismatchException extends StorageException {
    private static final long serialVersionUID = 1L;

    private final long expectedOffset;
    private final long receivedOffset;

    public OffsetMismatchException(long expectedOffset, long receivedOffset) {
        super("chunk starts at offset " + receivedOffset + " but the log ends at " + expectedOffset);
        this.expectedOffset = expectedOffset;
        this.receivedOffset = receivedOffset;
    }

    /** The partition's log end offset when the chunk was checked: where the next chunk must start. */
    public long expectedOffset() {
        return expectedOffset;
    }

    /** The base offset the refused chunk carried. */
    public long receivedOffset() {
        return receivedOffset;
    }
}
