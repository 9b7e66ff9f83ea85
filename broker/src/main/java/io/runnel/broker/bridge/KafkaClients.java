package io.runnel.broker.bridge;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Creates a bridge's Kafka clients from its definition ({@link KafkaSettings}). The broker uses
 * {@link #REAL}; unit tests substitute Kafka's mock clients to inject failures.
 */
interface KafkaClients {

    /** The Kafka client library itself. */
    KafkaClients REAL = new KafkaClients() {
        @Override
        public Producer<byte[], byte[]> producer(BridgeDefinition d) {
            return new KafkaProducer<>(KafkaSettings.producer(d), new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public Consumer<byte[], byte[]> consumer(BridgeDefinition d) {
            return new KafkaConsumer<>(KafkaSettings.consumer(d), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }

        @Override
        public boolean topicExists(BridgeDefinition d) throws InterruptedException {
            return KafkaProblems.topicExists(d);
        }
    };

    Producer<byte[], byte[]> producer(BridgeDefinition d);

    Consumer<byte[], byte[]> consumer(BridgeDefinition d);

    /**
     * Whether the definition's Kafka topic exists.
     *
     * @throws BridgeFailure if the cluster cannot be reached or refuses the bridge
     */
    boolean topicExists(BridgeDefinition d) throws InterruptedException;
}
