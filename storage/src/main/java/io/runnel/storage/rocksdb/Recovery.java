package io.runnel.storage.rocksdb;

import io.runnel.storage.BigEndian;

import io.runnel.storage.Chunk;
import io.runnel.storage.PartitionState;
import io.runnel.storage.StorageException;
import io.runnel.storage.TopicInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/*
 * Loads the topic registry, partition states and generation histories at open, and checks each
 * partition's state record against the chunks actually in the log column family.
 *
 * All are written in the same atomic WriteBatch and the WAL is recovered point-in-time, so they
 * should always agree; if they ever do not (a bug, a manual repair), the log is the truth: start
 * and end come from its first and last chunk, and the corrected record is written back. History
 * entries that start above the end (which only a disagreeing record could leave) are deleted.
 */
final class Recovery {
    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    final List<TopicInfo> topics = new ArrayList<>();
    int nextTopicId = 1;
    final Map<Long, PartitionState> partitions = new HashMap<>();
    final Map<Long, GenerationHistory> histories = new HashMap<>();

    private Recovery() {
    }

    static Recovery run(RocksHandles rocks) {
        Recovery r = new Recovery();
        r.loadState(rocks);
        r.verifyAgainstLog(rocks);
        return r;
    }

    private void loadState(RocksHandles rocks) {
        Map<Long, List<long[]>> entries = new HashMap<>();
        try (RocksIterator it = rocks.db.newIterator(rocks.state, rocks.scanOptions)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] key = it.key();
                if (key.length == 9 && key[0] == Keys.PARTITION_TAG) {
                    long id = Keys.partitionId(BigEndian.getInt(key, 1), BigEndian.getInt(key, 5));
                    partitions.put(id, Keys.decodeState(it.value()));
                } else if (key.length > 1 && key[0] == Keys.TOPIC_TAG) {
                    topics.add(Keys.decodeTopic(key, it.value()));
                } else if (key.length == 1 && key[0] == Keys.NEXT_TOPIC_ID[0]) {
                    nextTopicId = BigEndian.getInt(it.value(), 0);
                } else if (Keys.isGenerationKey(key)) {
                    // Keys sort by generation within a partition: the list comes out in order.
                    long id = Keys.partitionId(BigEndian.getInt(key, 1), BigEndian.getInt(key, 5));
                    entries.computeIfAbsent(id, k -> new ArrayList<>())
                            .add(new long[] {BigEndian.getInt(key, 9), BigEndian.getLong(it.value(), 0)});
                }
            }
            check(it);
        }
        entries.forEach((id, list) -> {
            int[] generations = new int[list.size()];
            long[] starts = new long[list.size()];
            for (int i = 0; i < list.size(); i++) {
                generations[i] = (int) list.get(i)[0];
                starts[i] = list.get(i)[1];
            }
            histories.put(id, GenerationHistory.of(generations, starts));
        });
    }

    private void verifyAgainstLog(RocksHandles rocks) {
        TreeSet<Long> ids = new TreeSet<>(partitions.keySet());
        ids.addAll(histories.keySet());
        byte[] header = new byte[Chunk.HEADER_SIZE];
        try (RocksIterator it = rocks.db.newIterator(rocks.log, rocks.scanOptions);
             WriteBatch repairs = new WriteBatch()) {
            // Skip-scan: one seek per partition that has chunks, however many chunks it has.
            for (it.seekToFirst(); it.isValid(); ) {
                long id = Keys.partitionIdOfLogKey(it.key());
                ids.add(id);
                byte[] next = new byte[Keys.LOG_KEY_SIZE];
                BigEndian.putLong(next, 0, id + 1);
                it.seek(next);
            }
            check(it);
            for (long id : ids) {
                int topicId = (int) (id >>> 32);
                int partition = (int) id;
                PartitionState recorded = partitions.get(id);
                PartitionState actual = fromLog(it, topicId, partition, recorded, header);
                if (!actual.equals(recorded)) {
                    LOG.warn("partition {}/{}: state record {} disagrees with the log; using {}",
                            topicId, partition, recorded, actual);
                    partitions.put(id, actual);
                    repairs.put(rocks.state, Keys.partitionState(topicId, partition), Keys.encodeState(actual));
                }
                GenerationHistory history = histories.get(id);
                if (history != null) {
                    GenerationHistory kept = history.truncatedTo(actual.logEndOffset() + 1);
                    if (kept != history) {
                        LOG.warn("partition {}/{}: generation history {} goes past the log end {}; "
                                + "keeping {}", topicId, partition, history, actual.logEndOffset(), kept);
                        for (int i = kept.size(); i < history.size(); i++) {
                            repairs.delete(rocks.state, Keys.generation(topicId, partition, history.generation(i)));
                        }
                        histories.put(id, kept);
                    }
                }
            }
            if (repairs.count() > 0) {
                try (WriteOptions sync = new WriteOptions().setSync(true)) {
                    rocks.db.write(sync, repairs);
                }
            }
        } catch (RocksDBException e) {
            throw new StorageException("recovering partition states failed: " + e.getMessage(), e);
        }
    }

    private static PartitionState fromLog(RocksIterator it, int topicId, int partition, PartitionState recorded,
                                          byte[] header) {
        it.seek(Keys.log(topicId, partition, 0));
        if (!it.isValid() || !Keys.isLogKeyOf(it.key(), topicId, partition)) {
            check(it);
            // No chunks: an empty partition. Its recorded end stands (only a truncation, in the
            // same batch as the record, moves an end backwards).
            long end = recorded == null ? 0 : recorded.logEndOffset();
            return recorded != null && recorded.sizeBytes() == 0 && recorded.logStartOffset() == end
                    ? recorded : new PartitionState(end, end, 0);
        }
        long start = Keys.baseOffsetOfLogKey(it.key());
        it.seekForPrev(Keys.log(topicId, partition, Long.MAX_VALUE));
        long lastBase = Keys.baseOffsetOfLogKey(it.key());
        if (it.value(header) < Chunk.HEADER_SIZE) {
            throw new StorageException("the last chunk of partition " + topicId + "/" + partition
                    + " at offset " + lastBase + " is shorter than a chunk header");
        }
        long end = lastBase + Chunk.recordCount(header);
        if (recorded != null && recorded.logStartOffset() == start && recorded.logEndOffset() == end) {
            return recorded;
        }
        long size = 0;
        for (it.seek(Keys.log(topicId, partition, 0)); it.isValid() && Keys.isLogKeyOf(it.key(), topicId, partition);
             it.next()) {
            size += it.value(header);
        }
        check(it);
        return new PartitionState(start, end, size);
    }

    private static void check(RocksIterator it) {
        try {
            it.status();
        } catch (RocksDBException e) {
            throw new StorageException("reading RocksDB failed: " + e.getMessage(), e);
        }
    }
}
