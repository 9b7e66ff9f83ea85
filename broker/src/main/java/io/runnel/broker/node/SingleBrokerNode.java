package io.runnel.broker.node;

import io.runnel.broker.bridge.BridgePlacement;
import io.runnel.broker.bridge.BridgeRegistry;
import io.runnel.broker.bridge.BridgeStatusRelay;
import io.runnel.broker.bridge.FileBridgeRegistry;
import io.runnel.broker.consume.LocalOffsetLog;
import io.runnel.broker.consume.OffsetLog;
import io.runnel.broker.consume.ReadLimit;
import io.runnel.broker.consume.RemoteGroups;
import io.runnel.broker.produce.PartitionAppender;
import io.runnel.broker.produce.ProduceRouter;
import io.runnel.broker.replication.HighWatermarkListener;
import io.runnel.discovery.Cluster;
import io.runnel.storage.LogStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

/**
 * One broker alone: it leads every partition (one range, generation 1, a {@link Cluster#singleNode} for the
 * membership of consumer groups), writes go straight to its store and are acknowledged once durable there,
 * committed offsets live in the store, and bridges in a file.
 */
public final class SingleBrokerNode implements BrokerNode {
    /** The leader epoch of every chunk a single broker writes. */
    static final int GENERATION = 1;

    private final Cluster cluster;
    private final LogStore store;
    private final String hostname;
    private final int[] partitions;
    private final OffsetLog offsets;
    private final BridgeRegistry bridges;
    private volatile HighWatermarkListener watermark = HighWatermarkListener.NONE;

    /**
     * @param ranges   partitions of the single range
     * @param hostname how {@code /v1/topology} names this broker
     * @param dataDir  where bridge definitions are kept
     */
    public SingleBrokerNode(int ranges, LogStore store, String hostname, Path dataDir) {
        this.cluster = Cluster.singleNode(ranges);
        this.store = store;
        this.hostname = hostname;
        this.partitions = IntStream.range(0, cluster.ring().partitionCount()).toArray();
        this.offsets = new LocalOffsetLog(store);
        this.bridges = new FileBridgeRegistry(dataDir);
    }

    @Override
    public Cluster cluster() {
        return cluster;
    }

    @Override
    public boolean ready() {
        return cluster.ready();
    }

    @Override
    public ProduceRouter router() {
        return ProduceRouter.LOCAL;
    }

    @Override
    public PartitionAppender appender() {
        return (topic, partition, chunk) -> store.append(topic.id(), partition, GENERATION, chunk).thenApply(r -> {
            watermark.advanced(topic.name(), partition, r.nextOffset());
            return r;
        });
    }

    @Override
    public int[] ledPartitions() {
        return partitions;
    }

    @Override
    public boolean serves(int partition) {
        return true;
    }

    @Override
    public ReadLimit readLimit() {
        return ReadLimit.NONE;
    }

    @Override
    public OffsetLog offsetLog() {
        return offsets;
    }

    @Override
    public RemoteGroups remoteGroups() {
        return RemoteGroups.NONE;
    }

    @Override
    public BridgeRegistry bridgeRegistry() {
        return bridges;
    }

    @Override
    public BridgePlacement bridgePlacement() {
        return BridgePlacement.thisBroker();
    }

    @Override
    public BridgeStatusRelay bridgeStatusRelay() {
        return BridgeStatusRelay.NONE;
    }

    @Override
    public Topology topology() {
        // One range this broker leads; the high watermark is its durable end.
        return Topology.of(0, List.of(hostname), true, cluster.state(), cluster.ring(), store, store.topics(), range -> true,
                (topic, partition) -> store.topic(topic).map(t -> store.state(t.id(), partition).logEndOffset()).orElse(0L));
    }

    @Override
    public void bind(NodeServices services) {
        this.watermark = services.watermark(); // nobody else asks a single broker anything
    }

    @Override
    public void handOver(Duration timeout) {
        // nobody to hand over to
    }

    @Override
    public void close() {
        cluster.close();
    }
}
