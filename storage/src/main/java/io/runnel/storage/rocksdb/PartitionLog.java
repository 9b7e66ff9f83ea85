package io.runnel.storage.rocksdb;

import io.runnel.storage.PartitionState;

/*
 * One partition's offsets and generation history. The writer thread alone changes start/end/size
 * and history (the "pending" state of what it has put into WriteBatches); readers only see
 * `published`, which the writer replaces after the batch holding those changes is durable. That is
 * how reads never see data a crash could lose, although RocksDB's memtable already holds it.
 *
 * Offsets and history are published together in one View, so that a reader combining them (the
 * end offset of a generation) sees one consistent state.
 */
final class PartitionLog {
    final int topicId;
    final int partition;
    final byte[] stateKey;

    // Writer-thread state: what the WriteBatches written so far (or being built) contain.
    long start;
    long end;
    long size;
    GenerationHistory history;
    /** Truncations applied so far: a retention plan made before one is stale (chunk bounds changed). */
    long truncations;
    boolean dirty;

    private volatile View published;

    /** What readers see: the durable offsets and history, and how many truncations they follow. */
    record View(PartitionState state, GenerationHistory history, long truncations) {
    }

    PartitionLog(int topicId, int partition, PartitionState initial) {
        this(topicId, partition, initial, GenerationHistory.EMPTY);
    }

    PartitionLog(int topicId, int partition, PartitionState initial, GenerationHistory history) {
        this.topicId = topicId;
        this.partition = partition;
        this.stateKey = Keys.partitionState(topicId, partition);
        this.start = initial.logStartOffset();
        this.end = initial.logEndOffset();
        this.size = initial.sizeBytes();
        this.history = history;
        this.published = new View(initial, history, 0);
    }

    /** The durable state readers may use. */
    PartitionState published() {
        return published.state();
    }

    /** The durable state and history, read together. */
    View publishedView() {
        return published;
    }

    /** Writer thread, after the batch holding the pending state is durable. */
    void publish() {
        published = new View(new PartitionState(start, end, size), history, truncations);
        dirty = false;
    }
}
