package io.runnel.storage;

/**
 * Where a durable append landed.
 *
 * @param baseOffset offset of the first record
 * @param count      number of records
 */
public record AppendResult(long baseOffset, int count) {
    /** One past the last record appended. */
    public long nextOffset() {
        return baseOffset + count;
    }
}
