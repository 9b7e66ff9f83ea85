package io.runnel.broker.replication;

/**
 * Told when the high watermark of a partition this broker leads advances (consumers waiting for data
 * wake up). Called on the range's thread (a cluster) or the store's writer thread (a single broker): must be
 * cheap and must not block.
 */
@FunctionalInterface
public interface HighWatermarkListener {
    /** Nobody listens. */
    HighWatermarkListener NONE = (topic, partition, highWatermark) -> { };

    void advanced(String topic, int partition, long highWatermark);
}
