package io.runnel.storage.rocksdb;

import io.runnel.storage.BigEndian;

import io.runnel.storage.Chunk;
import io.runnel.storage.PartitionState;
import io.runnel.storage.TopicConfig;
import io.runnel.storage.TopicInfo;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.rocksdb.RocksIterator;

/*
 * Plans retention on its own thread and hands the deletions to the writer.
 *
 * For each partition it walks chunk headers from the log start (reading only the 40 header bytes
 * of each value) and picks the oldest whole chunks that are older than the topic's retention or
 * that take the partition over its byte limit. The last chunk always stays, so a partition never
 * loses its end offset. The writer applies the plan as one range delete plus the new state record,
 * in one batch, so it stays the only owner of partition state.
 *
 * Runs are serialised (one thread) and each waits for its deletes to be durable, so a plan is
 * always made against the state the previous run left.
 */
final class Retention {
    private final RocksHandles rocks;
    private final Topics topics;
    private final Map<Long, PartitionLog> partitions;
    private final LogWriter writer;
    private final Clock clock;

    Retention(RocksHandles rocks, Topics topics, Map<Long, PartitionLog> partitions, LogWriter writer, Clock clock) {
        this.rocks = rocks;
        this.topics = topics;
        this.partitions = partitions;
        this.writer = writer;
        this.clock = clock;
    }

    /** Plans and queues the deletions of every partition; returns once they are durable. */
    void runOnce() {
        long now = clock.millis();
        List<CompletableFuture<Void>> deletes = new ArrayList<>();
        for (PartitionLog log : partitions.values()) {
            TopicInfo topic = topics.byId(log.topicId);
            if (topic == null) {
                continue;
            }
            WriteRequest.DeleteChunks delete = plan(log, topic.config(), now);
            if (delete != null) {
                writer.submit(delete);
                deletes.add(delete.future());
            }
        }
        CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new)).join();
    }

    private WriteRequest.DeleteChunks plan(PartitionLog log, TopicConfig config, long now) {
        PartitionLog.View view = log.publishedView();
        PartitionState s = view.state();
        if (s.logEndOffset() <= s.logStartOffset()) {
            return null;
        }
        long cutoff = cutoff(now, config);
        long excess = config.retentionBytes() < 0 ? 0 : s.sizeBytes() - config.retentionBytes();
        byte[] header = new byte[Chunk.HEADER_SIZE];
        long removed = 0;
        long newStart = s.logStartOffset();
        try (RocksIterator it = rocks.db.newIterator(rocks.log, rocks.scanOptions)) {
            for (it.seek(Keys.log(log.topicId, log.partition, s.logStartOffset())); it.isValid(); it.next()) {
                byte[] key = it.key();
                if (!Keys.isLogKeyOf(key, log.topicId, log.partition)) {
                    break;
                }
                long base = Keys.baseOffsetOfLogKey(key);
                int size = it.value(header);
                if (base >= s.logEndOffset() || size < Chunk.HEADER_SIZE || base != newStart) {
                    break; // past the durable end, or not a chunk we can judge: keep it
                }
                long next = base + Chunk.recordCount(header);
                if (next >= s.logEndOffset()) {
                    break; // the last chunk stays
                }
                boolean expired = BigEndian.getLong(header, 32) < cutoff;
                boolean overSize = removed < excess;
                if (!expired && !overSize) {
                    break;
                }
                removed += size;
                newStart = next;
            }
        }
        if (newStart <= s.logStartOffset()) {
            return null;
        }
        return new WriteRequest.DeleteChunks(log, s.logStartOffset(), view.truncations(), newStart, removed,
                new CompletableFuture<>());
    }

    /** Chunks whose last timestamp is below this are expired; saturates for very long retention. */
    static long cutoff(long now, TopicConfig config) {
        long retentionMillis;
        try {
            retentionMillis = config.retention().toMillis();
        } catch (ArithmeticException e) {
            return Long.MIN_VALUE;
        }
        long cutoff = now - retentionMillis;
        return cutoff > now ? Long.MIN_VALUE : cutoff;
    }
}
