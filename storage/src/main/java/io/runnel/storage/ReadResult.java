package io.runnel.storage;

import java.util.List;

/**
 * Chunks read from one partition.
 *
 * @param chunks     chunks in offset order; the first may begin before the requested offset
 *                   (callers skip records below {@code fromOffset})
 * @param fromOffset the first offset the caller should see: the requested offset, or the log start
 *                   offset if retention already removed the requested one
 * @param nextOffset where the next read should start
 */
public record ReadResult(List<Chunk> chunks, long fromOffset, long nextOffset) {
    public boolean isEmpty() {
        return nextOffset <= fromOffset;
    }
}
