package io.runnel.broker.config;

/**
 * What a broker lets clients grow: memory in flight, connections, and the cluster-wide counts of topics, groups and
 * consumers. Each limit answers with a clear error and shows in {@code /metrics}.
 *
 * @param maxInFlightBytes        the budget of request bodies and answers held at once; {@code 0}: half the JVM's
 *                                direct memory (resolved when the broker starts)
 * @param maxConnections          HTTP connections of the broker, all ports together
 * @param maxConnectionsPerClient HTTP connections from one client address
 * @param maxTopics               topics in the cluster
 * @param maxGroups               consumer groups in the cluster
 * @param maxConsumersPerGroup    consumers registered in one group
 * @param maxParkedPolls          long polls waiting for data on this broker
 * @param maxPartitionKeyBytes    longest partition key, in UTF-8 bytes
 * @param maxPendingBytes         produced chunk bytes waiting for the storage writer or for replicas;
 *                                {@code 0}: a quarter of the JVM's heap (resolved when the broker starts)
 */
public record LimitsConfig(long maxInFlightBytes, int maxConnections, int maxConnectionsPerClient, int maxTopics,
                           int maxGroups, int maxConsumersPerGroup, int maxParkedPolls, int maxPartitionKeyBytes,
                           long maxPendingBytes) {

    /** The defaults of {@link Option}. */
    public static LimitsConfig defaults() {
        return new LimitsConfig(0, 4096, 1024, 1000, 1000, 1000, 1000, 1024, 0);
    }
}
