package io.runnel.broker.consume;

/**
 * How far consumers may read a partition: its high watermark in a cluster (never above what every
 * in-sync replica holds), everything durable on a single broker ({@link #NONE}). Called on the consumer
 * service's threads; must be cheap and thread-safe.
 */
@FunctionalInterface
public interface ReadLimit {
    /** No limit beyond the store's durable end. */
    ReadLimit NONE = (topic, partition) -> Long.MAX_VALUE;

    /** The offset consumers may read up to (exclusive) in {@code topic}'s {@code partition}. */
    long maxOffset(String topic, int partition);
}
