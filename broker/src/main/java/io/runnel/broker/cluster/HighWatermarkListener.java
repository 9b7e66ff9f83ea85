package io.runnel.broker.cluster;

/**
 * Told when the high watermark of a partition this broker leads advances (consumers waiting for data
 * wake up). Called on the range's thread: must be cheap and must not block.
 */
@FunctionalInterface
public interface HighWatermarkListener {
    void advanced(String topic, int partition, long highWatermark);
}
