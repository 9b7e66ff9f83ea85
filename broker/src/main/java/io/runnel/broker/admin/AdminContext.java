package io.runnel.broker.admin;

import io.runnel.broker.consume.ConsumerService;
import io.runnel.broker.consume.RemoteGroups;
import io.runnel.broker.metrics.BrokerMetrics;
import io.runnel.broker.node.Topology;
import io.runnel.discovery.Cluster;
import io.runnel.storage.LogStore;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * What the admin API ({@link DiscoveryApi}) reads and asks.
 *
 * @param brokers      what {@code /v1/brokers} tells (the ports are known only once bound)
 * @param topology     the cluster as this broker sees it (reads the store; runs on a worker)
 * @param workers      where store reads and scrapes run
 */
public record AdminContext(Supplier<DiscoveryApi.BrokerView> brokers, LogStore store, Cluster cluster,
                           ConsumerService consumers, RemoteGroups remoteGroups, BrokerMetrics metrics,
                           Executor workers, Supplier<Topology> topology) {
}
