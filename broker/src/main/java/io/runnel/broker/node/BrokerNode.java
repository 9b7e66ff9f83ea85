package io.runnel.broker.node;

import io.runnel.broker.bridge.BridgePlacement;
import io.runnel.broker.bridge.BridgeRegistry;
import io.runnel.broker.bridge.BridgeStatusRelay;
import io.runnel.broker.consume.OffsetLog;
import io.runnel.broker.consume.ReadLimit;
import io.runnel.broker.consume.RemoteGroups;
import io.runnel.broker.produce.PartitionAppender;
import io.runnel.broker.produce.ProduceRouter;
import io.runnel.discovery.Cluster;
import java.time.Duration;

/**
 * What a broker is to the services on top of it, in one shape for both modes: {@link SingleBrokerNode} (one
 * broker leads every partition, writes go straight to its store) and {@code ClusterNode} (membership, raft
 * metadata, replication and forwarding). {@code Broker} picks one at start and wires every service from it,
 * so no service asks which mode it runs in.
 *
 * <p>Life: created (the cluster joined, the cluster port bound), then {@link #bind} once the services exist,
 * {@link #handOver} when a shutdown begins, {@link #close} before the services it calls are closed.
 */
public interface BrokerNode extends AutoCloseable {

    /** Membership and metadata: a single-node cluster for one broker. Owned (closed) by the node. */
    Cluster cluster();

    /**
     * Whether the broker may say it is ready: it knows every range's generation and has reached every broker
     * in its view. Any thread.
     */
    boolean ready();

    /** Where produce requests go (this broker, or the leader of the key's partition). */
    ProduceRouter router();

    /** Appends a producer's chunk to a partition this broker leads; completes once durable (on a majority). */
    PartitionAppender appender();

    /** The partitions this broker leads and takes writes for now, for keyless writes (may be empty). */
    int[] ledPartitions();

    /** Whether this broker serves {@code partition} to consumers now (leads it). */
    boolean serves(int partition);

    /** How far consumers may read each partition (its high watermark in a cluster). */
    ReadLimit readLimit();

    /** Where committed consumer offsets become durable (replicated in a cluster). */
    OffsetLog offsetLog();

    /** Consumer groups' shares at the other brokers. */
    RemoteGroups remoteGroups();

    /** Where bridge definitions live. */
    BridgeRegistry bridgeRegistry();

    /** Which broker runs each bridge. */
    BridgePlacement bridgePlacement();

    /** Asks the broker that runs a bridge for its status. */
    BridgeStatusRelay bridgeStatusRelay();

    /** The cluster as this broker sees it ({@code GET /v1/topology}); reads the store, so call it on a worker. */
    Topology topology();

    /**
     * Connects the node to the services above it: partitions' high watermarks go to {@code services.watermark()},
     * and requests other brokers send here are answered by them. Before this, other brokers are told this one is
     * starting.
     */
    void bind(NodeServices services);

    /**
     * Before a shutdown, while this broker is still in the view: hands the ranges it leads to in-sync followers,
     * waiting at most {@code timeout}. A no-op for a single broker.
     */
    void handOver(Duration timeout);

    /** Leaves the cluster and stops replication; pending writes are answered 503. Idempotent. */
    @Override
    void close();
}
