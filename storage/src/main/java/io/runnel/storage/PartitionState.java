package io.runnel.storage;

/**
 * Offsets of one partition's local log.
 *
 * @param logStartOffset the first offset still stored (moves up with retention)
 * @param logEndOffset   one past the last durable offset
 * @param sizeBytes      stored chunk bytes
 */
public record PartitionState(long logStartOffset, long logEndOffset, long sizeBytes) {
    public static final PartitionState EMPTY = new PartitionState(0, 0, 0);
}
