package io.runnel.benchmarks.sidebyside;

import io.runnel.benchmarks.loadgen.Deliveries;
import io.runnel.benchmarks.loadgen.EventGenerator;
import io.runnel.benchmarks.loadgen.WallClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The Kafka twin of the load generator's consumers: {@code n} KafkaConsumers of one group, each on its own
 * thread, subscribed to the topic and reporting every record to a {@link Deliveries} (exact counts by
 * partition and offset, end-to-end latency from the record's {@code "ts"}). Client defaults otherwise
 * ({@code fetch.min.bytes=1}, {@code fetch.max.wait.ms=500}), as {@code kafka-consumer-perf-test} uses them.
 */
final class KafkaConsumers implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(100);

    private final Deliveries deliveries;
    private final List<KafkaConsumer<byte[], byte[]>> consumers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    private final CountDownLatch stopped;
    private volatile boolean stopping;

    /**
     * @param reset {@code earliest} to read from the start, {@code latest} to read what is produced from now on
     */
    KafkaConsumers(String bootstrap, String topic, String group, int n, String reset, Deliveries deliveries) {
        this.deliveries = deliveries;
        this.stopped = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            p.put(ConsumerConfig.CLIENT_ID_CONFIG, group + "-" + i);
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, reset);
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p);
            c.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    assigned.removeAll(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    assigned.addAll(partitions);
                }
            });
            consumers.add(c);
        }
    }

    /** Starts polling on one thread per consumer. */
    void start() {
        for (int i = 0; i < consumers.size(); i++) {
            KafkaConsumer<byte[], byte[]> c = consumers.get(i);
            threads.add(Thread.ofPlatform().name("consumer-" + i).daemon().start(() -> loop(c)));
        }
    }

    /** Partitions assigned to some consumer of the group now. */
    int assignedPartitions() {
        return assigned.size();
    }

    private void loop(KafkaConsumer<byte[], byte[]> c) {
        try {
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> records = c.poll(POLL);
                long now = System.nanoTime();
                long nowMicros = WallClock.microsAt(now);
                deliveries.phaseAt(now).request();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    byte[] v = r.value();
                    Deliveries.Partition partition = deliveries.partition(r.topic() + "/" + r.partition());
                    long ts = v == null ? -1 : EventGenerator.readTs(v, 0, v.length);
                    deliveries.event(partition, r.offset(), ts, v == null ? 0 : v.length, now, nowMicros);
                }
            }
            c.commitSync(Duration.ofSeconds(10));
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            deliveries.phaseAt(System.nanoTime()).error(e.getClass().getSimpleName());
        } finally {
            stopped.countDown();
        }
    }

    /** Stops polling; each consumer commits, then closes. */
    @Override
    public void close() throws InterruptedException {
        stopping = true;
        if (!threads.isEmpty() && !stopped.await(20, TimeUnit.SECONDS)) {
            consumers.forEach(KafkaConsumer::wakeup);
            stopped.await(10, TimeUnit.SECONDS);
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(5));
        }
        for (KafkaConsumer<byte[], byte[]> c : consumers) {
            c.close(Duration.ofSeconds(5));
        }
    }
}
