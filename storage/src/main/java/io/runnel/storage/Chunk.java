package io.runnel.storage;

import static io.runnel.storage.BigEndian.getInt;
import static io.runnel.storage.BigEndian.getLong;
import static io.runnel.storage.BigEndian.putInt;
import static io.runnel.storage.BigEndian.putLong;

import java.util.zip.CRC32C;

/**
 * A read-only view of one stored chunk (layout in {@link ChunkBuilder}).
 *
 * <p>{@link #wrap} checks the structure and CRC32C before anything else reads the bytes, so a
 * corrupt chunk surfaces as a {@link CorruptChunkException}, never as data. The view does not copy:
 * the wrapped array must not change while the view is used.
 */
public final class Chunk {
    /** Current chunk format version. */
    public static final byte MAGIC = 1;
    public static final int HEADER_SIZE = 40;
    static final int CRC_START = 20;
    private static final int RECORD_OVERHEAD = 12;

    private final byte[] bytes;

    private Chunk(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Wraps and verifies stored bytes.
     *
     * @throws CorruptChunkException if the magic, CRC or record structure is wrong
     */
    public static Chunk wrap(byte[] bytes) {
        Chunk chunk = new Chunk(bytes);
        chunk.verify();
        return chunk;
    }

    /** Writes the store-assigned fields into a built chunk; they lie outside the CRC. */
    public static void stamp(byte[] chunk, long baseOffset, int generation) {
        putLong(chunk, 0, baseOffset);
        putInt(chunk, 8, generation);
    }

    /** Reads the record count of a built (not yet verified) chunk. */
    public static int recordCount(byte[] chunk) {
        return getInt(chunk, 20);
    }

    private void verify() {
        if (bytes.length < HEADER_SIZE) {
            throw new CorruptChunkException("chunk of " + bytes.length + " bytes is shorter than its header");
        }
        if (bytes[12] != MAGIC) {
            throw new CorruptChunkException("unknown chunk format " + bytes[12]);
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, CRC_START, bytes.length - CRC_START);
        if ((int) crc.getValue() != getInt(bytes, 16)) {
            throw new CorruptChunkException("CRC32C mismatch in chunk at offset " + baseOffset());
        }
        int n = count();
        if (n <= 0) {
            throw new CorruptChunkException("chunk at offset " + baseOffset() + " has " + n + " records");
        }
        int p = HEADER_SIZE;
        for (int i = 0; i < n; i++) {
            if (p + RECORD_OVERHEAD > bytes.length) {
                throw new CorruptChunkException("record " + i + " runs past the chunk end");
            }
            int keyLength = getInt(bytes, p + 4);
            if (keyLength < -1 || p + 8L + Math.max(0, keyLength) + 4 > bytes.length) {
                throw new CorruptChunkException("bad key length in record " + i);
            }
            p += 8 + Math.max(0, keyLength);
            int valueLength = getInt(bytes, p);
            if (valueLength < 0 || p + 4L + valueLength > bytes.length) {
                throw new CorruptChunkException("bad value length in record " + i);
            }
            p += 4 + valueLength;
        }
        if (p != bytes.length) {
            throw new CorruptChunkException("chunk at offset " + baseOffset() + " has trailing bytes");
        }
    }

    public long baseOffset() {
        return getLong(bytes, 0);
    }

    public int generation() {
        return getInt(bytes, 8);
    }

    public int count() {
        return getInt(bytes, 20);
    }

    /** One past the last offset in this chunk. */
    public long nextOffset() {
        return baseOffset() + count();
    }

    public long firstTimestamp() {
        return getLong(bytes, 24);
    }

    public long lastTimestamp() {
        return getLong(bytes, 32);
    }

    public int sizeBytes() {
        return bytes.length;
    }

    public int crc() {
        return getInt(bytes, 16);
    }

    /** The stored bytes themselves (not a copy): replication sends them as they are. */
    public byte[] bytes() {
        return bytes;
    }

    /** A cursor over the records, positioned before the first. */
    public RecordCursor cursor() {
        return new RecordCursor(bytes);
    }

    /**
     * Walks a chunk's records without copying them: the key and value are slices of
     * {@link #array()}.
     */
    public static final class RecordCursor {
        private final byte[] bytes;
        private final long baseOffset;
        private final long firstTimestamp;
        private final int count;
        private int index = -1;
        private int next = HEADER_SIZE;
        private long timestamp;
        private int keyOffset;
        private int keyLength;
        private int valueOffset;
        private int valueLength;

        RecordCursor(byte[] bytes) {
            this.bytes = bytes;
            this.baseOffset = getLong(bytes, 0);
            this.firstTimestamp = getLong(bytes, 24);
            this.count = getInt(bytes, 20);
        }

        /** Moves to the next record; false when there is none. */
        public boolean next() {
            if (index + 1 >= count) {
                return false;
            }
            index++;
            int p = next;
            timestamp = firstTimestamp + getInt(bytes, p);
            keyLength = getInt(bytes, p + 4);
            keyOffset = p + 8;
            p = keyOffset + Math.max(0, keyLength);
            valueLength = getInt(bytes, p);
            valueOffset = p + 4;
            next = valueOffset + valueLength;
            return true;
        }

        public long offset() {
            return baseOffset + index;
        }

        public long timestamp() {
            return timestamp;
        }

        public boolean hasKey() {
            return keyLength >= 0;
        }

        /** The key as a fresh array, or {@code null}. */
        public byte[] key() {
            if (keyLength < 0) {
                return null;
            }
            byte[] key = new byte[keyLength];
            System.arraycopy(bytes, keyOffset, key, 0, keyLength);
            return key;
        }

        public byte[] array() {
            return bytes;
        }

        public int valueOffset() {
            return valueOffset;
        }

        public int valueLength() {
            return valueLength;
        }
    }
}
