package io.runnel.broker.cluster;

import io.runnel.discovery.ClusterSecret;
import io.runnel.broker.security.ServerTls;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How this broker takes part in a cluster (validated by {@code BrokerConfig}; this record only checks
 * what the cluster code relies on).
 *
 * @param hosts          the host name or address of every broker, index = ordinal
 * @param ordinal        this broker's index into {@code hosts}
 * @param bindAddress    the address this broker listens on; client sockets to peers connect from it
 *                       too unless it is a wildcard address
 * @param clusterPort    the inter-broker channel's port, the same on every broker
 * @param gossipPort     the JGroups port, the same on every broker
 * @param replicaLag     how long an in-sync follower may leave a chunk unacknowledged before the leader
 *                       proposes it out of the ISR
 * @param failureTimeout JGroups' failure detection timeout
 * @param pendingTimeout how long a producer waits for the high watermark to pass its chunk before it is
 *                       answered 503 (the chunk may still become durable: the outcome is unknown)
 * @param secret         the secret every broker shares: each connection between brokers starts with a
 *                       {@link io.runnel.broker.cluster.transport.Handshake} over it
 * @param tls            the broker's TLS material, which the cluster channel then speaks too (mutual TLS with a
 *                       client CA); {@code null} for plain TCP
 * @param maxFrameBytes  the largest cluster frame ({@link io.runnel.broker.cluster.transport.ClusterFrames#maxFrameBytes}
 *                       of the body and poll limits, the same on every broker)
 */
public record ClusterSettings(List<String> hosts, int ordinal, String bindAddress, int clusterPort, int gossipPort,
                              Duration replicaLag, Duration failureTimeout, Duration pendingTimeout,
                              ClusterSecret secret, ServerTls tls, int maxFrameBytes) {

    public ClusterSettings {
        hosts = List.copyOf(hosts);
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(replicaLag, "replicaLag");
        Objects.requireNonNull(failureTimeout, "failureTimeout");
        Objects.requireNonNull(pendingTimeout, "pendingTimeout");
        Objects.requireNonNull(secret, "secret");
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs at least one broker");
        }
        if (ordinal < 0 || ordinal >= hosts.size()) {
            throw new IllegalArgumentException("ordinal " + ordinal + " is not one of 0.." + (hosts.size() - 1));
        }
    }

    /** The cluster size {@code N}. */
    public int brokers() {
        return hosts.size();
    }

    /** The JGroups endpoints ({@code host:gossipPort}) of every broker, for the discovery module. */
    public List<String> gossipMembers() {
        return hosts.stream().map(h -> (h.contains(":") ? "[" + h + "]" : h) + ":" + gossipPort).toList();
    }
}
