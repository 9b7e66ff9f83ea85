package io.runnel.storage;

/** A stored chunk failed its CRC32C or structural checks; its bytes are never returned as data. */
public class CorruptChunkException extends StorageException {
    private static final long serialVersionUID = 1L;

    public CorruptChunkException(String message) {
        super(message);
    }
}
