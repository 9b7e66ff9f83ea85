package io.runnel.broker.consume;

import io.runnel.storage.Chunk;
import java.util.List;
import java.util.Objects;

/**
 * Events read from one partition by one poll: one object of the poll answer.
 *
 * <p>Holds the stored chunks themselves, not copies of the events, so that encoding copies each
 * event's bytes exactly once. The records of {@code chunks} from {@code startOffset} up to
 * {@code nextOffset} are the events returned; records of the first chunk below
 * {@code startOffset} were delivered before and are skipped. The chunks are contiguous and share
 * one generation.
 *
 * @param topic       topic name
 * @param partition   partition id in ring order
 * @param token       first token of the partition's range (Barco's {@code token})
 * @param rangeIndex  the partition's index inside its range
 * @param version     generation (leader epoch) of the range the chunks were written in
 * @param startOffset offset of the first event returned
 * @param nextOffset  one past the last event returned: the position this poll reached
 * @param chunks      the chunks holding the events, in offset order
 */
public record PartitionBatch(
        String topic,
        int partition,
        long token,
        int rangeIndex,
        int version,
        long startOffset,
        long nextOffset,
        List<Chunk> chunks) {

    public PartitionBatch {
        Objects.requireNonNull(topic, "topic");
        chunks = List.copyOf(chunks);
        if (chunks.isEmpty()) {
            throw new IllegalArgumentException("a partition batch holds at least one chunk");
        }
        if (nextOffset <= startOffset) {
            throw new IllegalArgumentException("empty batch: startOffset " + startOffset + ", nextOffset " + nextOffset);
        }
    }

    /** Events in this batch. */
    public long eventCount() {
        return nextOffset - startOffset;
    }

    /** Stored bytes of the chunks (an upper bound of the events' bytes). */
    public long chunkBytes() {
        long n = 0;
        for (Chunk c : chunks) {
            n += c.sizeBytes();
        }
        return n;
    }
}
