package io.runnel.storage;

import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Encodes records into one chunk, the unit of append, replication and reading.
 *
 * <p>Not thread-safe: a request thread fills a builder and hands the finished bytes to
 * {@link LogStore#append}. The CRC is computed here, off the writer thread; the base offset and
 * generation are stamped later by the store, and the CRC deliberately does not cover them (as in
 * Kafka's record batches), so assigning an offset never re-reads the records.
 *
 * <h2>Chunk layout (big-endian)</h2>
 * <pre>
 *  0  baseOffset      int64   stamped by the store
 *  8  generation      int32   stamped by the store (leader epoch of the range)
 * 12  magic           int8    format version, {@value Chunk#MAGIC}
 * 13  flags           int8    0
 * 14  reserved        int16   0
 * 16  crc32c          uint32  over bytes [20, end)
 * 20  recordCount     int32
 * 24  firstTimestamp  int64   ms since the epoch
 * 32  lastTimestamp   int64
 * 40  records         recordCount times:
 *       timestampDelta int32  ms since firstTimestamp
 *       keyLength      int32  -1 when the record has no key
 *       key            bytes
 *       valueLength    int32
 *       value          bytes
 * </pre>
 */
public final class ChunkBuilder {
    private byte[] buf;
    private int pos = Chunk.HEADER_SIZE;
    private int count;
    private long firstTimestamp;
    private long lastTimestamp;

    public ChunkBuilder() {
        this(4096);
    }

    /** @param expectedBytes a hint of the records' total size */
    public ChunkBuilder(int expectedBytes) {
        buf = new byte[Chunk.HEADER_SIZE + Math.max(64, expectedBytes)];
    }

    /** Appends a record without a key. */
    public ChunkBuilder add(byte[] value, int offset, int length, long timestamp) {
        return add(null, value, offset, length, timestamp);
    }

    /**
     * Appends a record.
     *
     * @param key       the partition key's bytes, or {@code null}
     * @param value     array holding the event bytes (copied)
     * @param timestamp ms since the epoch
     */
    public ChunkBuilder add(byte[] key, byte[] value, int offset, int length, long timestamp) {
        if (count == 0) {
            firstTimestamp = timestamp;
        }
        long delta = timestamp - firstTimestamp;
        if (delta > Integer.MAX_VALUE || delta < Integer.MIN_VALUE) {
            throw new IllegalArgumentException("records of one chunk must be within 24 days of each other");
        }
        int keyLength = key == null ? 0 : key.length;
        ensure(12 + keyLength + length);
        putInt(pos, (int) delta);
        putInt(pos + 4, key == null ? -1 : keyLength);
        pos += 8;
        if (key != null) {
            System.arraycopy(key, 0, buf, pos, keyLength);
            pos += keyLength;
        }
        putInt(pos, length);
        pos += 4;
        System.arraycopy(value, offset, buf, pos, length);
        pos += length;
        lastTimestamp = Math.max(lastTimestamp, timestamp);
        count++;
        return this;
    }

    public int count() {
        return count;
    }

    /** Bytes the finished chunk will take, header included. */
    public int sizeBytes() {
        return pos;
    }

    /**
     * Finishes the chunk: a fresh array the caller owns, with base offset and generation 0.
     *
     * @throws IllegalStateException if no record was added
     */
    public byte[] build() {
        if (count == 0) {
            throw new IllegalStateException("a chunk holds at least one record");
        }
        byte[] out = pos == buf.length ? buf : Arrays.copyOf(buf, pos);
        out[12] = Chunk.MAGIC;
        out[13] = 0;
        out[14] = 0;
        out[15] = 0;
        BigEndian.putInt(out, 20, count);
        BigEndian.putLong(out, 24, firstTimestamp);
        BigEndian.putLong(out, 32, lastTimestamp);
        CRC32C crc = new CRC32C();
        crc.update(out, Chunk.CRC_START, out.length - Chunk.CRC_START);
        BigEndian.putInt(out, 16, (int) crc.getValue());
        buf = new byte[Chunk.HEADER_SIZE + 64];
        pos = Chunk.HEADER_SIZE;
        count = 0;
        lastTimestamp = 0;
        return out;
    }

    private void ensure(int more) {
        long needed = (long) pos + more;
        if (needed > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("chunk too large");
        }
        if (needed > buf.length) {
            buf = Arrays.copyOf(buf, (int) Math.max(needed, Math.min(Integer.MAX_VALUE - 8L, buf.length * 2L)));
        }
    }

    private void putInt(int at, int v) {
        BigEndian.putInt(buf, at, v);
    }
}
