package io.runnel.broker.bridge;

import com.fasterxml.jackson.core.JsonFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.runnel.broker.consumer.ConsumerConfig;
import io.runnel.broker.consumer.ConsumerService;
import io.runnel.broker.produce.BodyFormat;
import io.runnel.broker.produce.EventBodyParser;
import io.runnel.broker.produce.PartitionChooser;
import io.runnel.broker.produce.ProduceRouter;
import io.runnel.broker.produce.ProduceService;
import io.runnel.discovery.TokenRing;
import io.runnel.storage.LogStore;
import io.runnel.storage.StorageConfig;
import io.runnel.storage.TopicConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The Runnel parts a bridge uses, without HTTP: a real RocksDB store in a directory, the consumer
 * groups and the write path of a single broker (ring of 1 broker x 4 ranges).
 */
final class InProcessRunnel implements AutoCloseable {
    final TokenRing ring = new TokenRing(1, RunnelNode.PARTITIONS);
    final LogStore store;
    final ConsumerService consumers;
    final ProduceService produce;
    final EventBodyParser parser = new EventBodyParser(new JsonFactory());
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final BridgeServices services;

    InProcessRunnel(Path dir) {
        store = LogStore.open(StorageConfig.defaults(dir));
        consumers = new ConsumerService(store, ring, ConsumerConfig.defaults(), Clock.systemUTC());
        List<Integer> all = IntStream.range(0, ring.partitionCount()).boxed().toList();
        produce = new ProduceService(store, new PartitionChooser(ring, all), TopicConfig.DEFAULT, consumers::onAppend, Clock.systemUTC());
        services = new BridgeServices(LocalGroupReader.factory(consumers), new RoutedEventWriter(produce, parser, ProduceRouter.LOCAL),
                parser, new StoreLag(store, ring::partitionCount), Clock.systemUTC());
    }

    /** Appends events with one key as one batch and waits until stored. */
    void append(String topic, String key, List<String> events) throws Exception {
        byte[] body = (String.join("\n", events) + "\n").getBytes(StandardCharsets.UTF_8);
        produce.produce(topic, key, parser.parse(BodyFormat.NDJSON, body)).get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        consumers.close();
        store.close();
        meters.close();
    }
}
