package io.runnel.broker.consume;

import java.util.List;
import java.util.Objects;

/**
 * The answer to one poll: a batch per partition read (see {@link PollResponseEncoder} for the JSON), and where
 * the consumer's partitions are led ({@link PartitionLeaders}, sent as response headers). No batches means
 * "nothing to read" ({@code 204}).
 */
public record PollResult(List<PartitionBatch> batches, PartitionLeaders leaders) {
    /** No data, nothing known about leaders. */
    public static final PollResult EMPTY = new PollResult(List.of());

    public PollResult {
        batches = List.copyOf(batches);
        Objects.requireNonNull(leaders, "leaders");
    }

    /** Batches without leader information. */
    public PollResult(List<PartitionBatch> batches) {
        this(batches, PartitionLeaders.UNKNOWN);
    }

    /** No data, with where the consumer's partitions are led. */
    static PollResult empty(PartitionLeaders leaders) {
        return new PollResult(List.of(), leaders);
    }

    public boolean isEmpty() {
        return batches.isEmpty();
    }

    /** Events over all batches. */
    public long eventCount() {
        long n = 0;
        for (PartitionBatch b : batches) {
            n += b.eventCount();
        }
        return n;
    }
}
