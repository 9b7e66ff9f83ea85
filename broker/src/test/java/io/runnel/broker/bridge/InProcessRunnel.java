package io.runnel.broker.bridge;

import io.runnel.broker.consume.ConsumerContext;
import io.runnel.broker.node.NodeServices;
import io.runnel.broker.node.SingleBrokerNode;
import com.fasterxml.jackson.core.JsonFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.runnel.broker.consume.ConsumerConfig;
import io.runnel.broker.consume.ConsumerService;
import io.runnel.broker.produce.BodyFormat;
import io.runnel.broker.produce.EventBodyParser;
import io.runnel.broker.produce.PartitionChooser;
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

/**
 * The Runnel parts a bridge uses, without HTTP: a real RocksDB store in a directory, the consumer
 * groups and the write path of a single broker (ring of 1 broker x 4 ranges).
 */
final class InProcessRunnel implements AutoCloseable {
    final LogStore store;
    final SingleBrokerNode node;
    final TokenRing ring;
    final ConsumerService consumers;
    final ProduceService produce;
    final EventBodyParser parser = new EventBodyParser(new JsonFactory());
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final BridgeServices services;

    InProcessRunnel(Path dir) {
        store = LogStore.open(StorageConfig.defaults(dir));
        node = new SingleBrokerNode(RunnelNode.PARTITIONS, store, "localhost", dir);
        ring = node.cluster().ring();
        consumers = new ConsumerService(new ConsumerContext(store, ring, node.cluster(), node.offsetLog(), node::serves,
                node.readLimit(), ConsumerConfig.defaults(), Clock.systemUTC()));
        produce = new ProduceService(store, new PartitionChooser(ring, node::ledPartitions), TopicConfig.DEFAULT,
                Clock.systemUTC(), node.appender(), name -> { });
        node.bind(new NodeServices(consumers::onAppend, (topic, key, format, body) -> {
            throw new UnsupportedOperationException("nobody forwards to a single broker");
        }, consumers, BridgeStatusSource.NONE));
        services = new BridgeServices(ConsumerGroupReader.factory(consumers, node.cluster(), node.remoteGroups()),
                new RoutedEventWriter(produce, parser, node.router()), parser,
                new StoreLag(store, ring::partitionCount), Clock.systemUTC());
    }

    /** Appends events with one key as one batch and waits until stored. */
    void append(String topic, String key, List<String> events) throws Exception {
        byte[] body = (String.join("\n", events) + "\n").getBytes(StandardCharsets.UTF_8);
        produce.produce(topic, key, parser.parse(BodyFormat.NDJSON, body)).get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        consumers.close();
        node.close();
        store.close();
        meters.close();
    }
}
