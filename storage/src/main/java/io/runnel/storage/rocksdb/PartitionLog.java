package io.runnel.storage.rocksdb;

import io.runnel.storage.PartitionState;

/*
 * One partition's offsets. The writer thread alone changes start/end/size (the "pending" state of
 * what it has put into WriteBatches); readers only see `published`, which the writer replaces after
 * the batch holding those changes is durable. That is how reads never see data a crash could lose,
 * although RocksDB's memtable already holds it.
 */
final class PartitionLog {
    final int topicId;
    final int partition;
    final byte[] stateKey;

    // Writer-thread state: what the WriteBatches written so far (or being built) contain.
    long start;
    long end;
    long size;
    boolean dirty;

    private volatile PartitionState published;

    PartitionLog(int topicId, int partition, PartitionState initial) {
        this.topicId = topicId;
        this.partition = partition;
        this.stateKey = Keys.partitionState(topicId, partition);
        this.start = initial.logStartOffset();
        this.end = initial.logEndOffset();
        this.size = initial.sizeBytes();
        this.published = initial;
    }

    /** The durable state readers may use. */
    PartitionState published() {
        return published;
    }

    /** Writer thread, after the batch holding the pending state is durable. */
    void publish() {
        published = new PartitionState(start, end, size);
        dirty = false;
    }
}
