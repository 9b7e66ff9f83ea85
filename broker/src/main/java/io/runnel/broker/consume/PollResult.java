package io.runnel.broker.consume;

import java.util.List;

/**
 * The answer to one poll: a batch per partition read (see {@link PollResponseEncoder} for the JSON).
 * Empty means "nothing to read" ({@code 204}).
 */
public record PollResult(List<PartitionBatch> batches) {
    /** No data. */
    public static final PollResult EMPTY = new PollResult(List.of());

    public PollResult {
        batches = List.copyOf(batches);
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
