package io.runnel.broker.replication;

/**
 * Told of the chunks this broker appends as a follower of the topics it wants: the replicated offsets
 * topic, whose commits a follower applies to its own store.
 */
public interface ReplicatedChunkListener {
    /** Nobody listens. */
    ReplicatedChunkListener NONE = new ReplicatedChunkListener() {
        @Override
        public boolean wants(String topic) {
            return false;
        }

        @Override
        public void appended(String topic, int partition, byte[] chunk) {
        }
    };

    /** Whether chunks of {@code topic} are wanted. Called on the store's writer thread: cheap, no blocking. */
    boolean wants(String topic);

    /** A chunk of a wanted topic is durable here, as follower. Called on the range's thread. */
    void appended(String topic, int partition, byte[] chunk);
}
