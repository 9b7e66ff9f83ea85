package io.runnel.broker.produce;

/**
 * Told after every durable append (the consumer side wakes its long polls). Called on the
 * storage writer thread: must be quick and must not block.
 */
@FunctionalInterface
public interface AppendListener {
    AppendListener NONE = (topic, partition, nextOffset) -> { };

    void onAppend(String topic, int partition, long nextOffset);
}
