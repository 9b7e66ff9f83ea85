package io.runnel.discovery;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How one broker joins the cluster.
 *
 * @param ordinal         this broker's ordinal, an index into {@code members}
 * @param members         the JGroups endpoint ({@code host:port}) of every broker, index = ordinal; its size is
 *                        the cluster size {@code N}
 * @param bindAddress     the address this broker's JGroups sockets bind to (client sockets too); {@code null}
 *                        means the host of {@code members[ordinal]}
 * @param clusterName     the JGroups cluster name; {@code null} means {@value #DEFAULT_CLUSTER_NAME}
 * @param raftDir         directory of this broker's raft log and snapshots (created if missing); the cluster
 *                        metadata survives restarts through it
 * @param rangesPerBroker partitions per range ({@code R}), 1..1024
 * @param failureTimeout  how long a silent member stays in the view (JGroups {@code FD_ALL3} timeout);
 *                        {@code null} means 1500 ms. A crashed process is noticed much sooner, as soon as its
 *                        sockets close. The controller also waits {@link #formationGrace()} before it treats a
 *                        broker it has never seen as down
 * @param secret          the secret every broker shares: JGroups authenticates joining members and encrypts every
 *                        message with keys derived from it, so a process without it can neither join nor read
 */
public record ClusterConfig(
        int ordinal,
        List<String> members,
        String bindAddress,
        String clusterName,
        Path raftDir,
        int rangesPerBroker,
        Duration failureTimeout,
        ClusterSecret secret) {

    public static final String DEFAULT_CLUSTER_NAME = "runnel";
    public static final Duration DEFAULT_FAILURE_TIMEOUT = Duration.ofMillis(1500);
    /** The shortest {@link #formationGrace()}. */
    public static final Duration MIN_FORMATION_GRACE = Duration.ofSeconds(10);

    public ClusterConfig {
        Objects.requireNonNull(members, "members");
        Objects.requireNonNull(raftDir, "raftDir");
        Objects.requireNonNull(secret, "secret: brokers authenticate each other with a shared secret");
        members = List.copyOf(members);
        if (members.isEmpty()) {
            throw new IllegalArgumentException("members must list at least one broker endpoint (host:port)");
        }
        for (String m : members) {
            parseEndpoint(m);
        }
        if (ordinal < 0 || ordinal >= members.size()) {
            throw new IllegalArgumentException("ordinal " + ordinal + " is outside 0.." + (members.size() - 1)
                    + " (one entry of members per broker)");
        }
        if (members.stream().distinct().count() != members.size()) {
            throw new IllegalArgumentException("members must be distinct, not " + members);
        }
        if (bindAddress == null || bindAddress.isBlank()) {
            bindAddress = parseEndpoint(members.get(ordinal)).getHostString();
        }
        if (clusterName == null || clusterName.isBlank()) {
            clusterName = DEFAULT_CLUSTER_NAME;
        }
        if (rangesPerBroker < 1 || rangesPerBroker > 1024) {
            throw new IllegalArgumentException("rangesPerBroker must be 1..1024, not " + rangesPerBroker);
        }
        if (failureTimeout == null) {
            failureTimeout = DEFAULT_FAILURE_TIMEOUT;
        }
        if (failureTimeout.toMillis() < 100 || failureTimeout.toMillis() > 600_000) {
            throw new IllegalArgumentException("failureTimeout must be 100 ms..10 min, not " + failureTimeout);
        }
    }

    /** Defaults for everything but who and where: bind to the own endpoint's host, cluster "runnel", 1500 ms. */
    public static ClusterConfig of(int ordinal, List<String> members, Path raftDir, int rangesPerBroker,
                                   ClusterSecret secret) {
        return new ClusterConfig(ordinal, members, null, null, raftDir, rangesPerBroker, null, secret);
    }

    public ClusterConfig withFailureTimeout(Duration timeout) {
        return new ClusterConfig(ordinal, members, bindAddress, clusterName, raftDir, rangesPerBroker, timeout, secret);
    }

    public ClusterConfig withClusterName(String name) {
        return new ClusterConfig(ordinal, members, bindAddress, name, raftDir, rangesPerBroker, failureTimeout, secret);
    }

    /** The cluster size {@code N}. */
    public int brokers() {
        return members.size();
    }

    /** The JGroups endpoint of broker {@code ordinal}. */
    public InetSocketAddress endpoint(int broker) {
        return parseEndpoint(members.get(broker));
    }

    /**
     * How long the controller waits, after its broker joined, before it treats a broker that it has not seen in
     * any view as down: brokers of a starting cluster join one after another, and a JVM on a busy machine (or a
     * pod being scheduled) can take several seconds to come up. Moving a range away from a broker that is merely
     * late only to hand it back seconds later is churn, so this is generous: three failure timeouts, at least
     * {@link #MIN_FORMATION_GRACE}. A broker once seen and then lost is failed over after the failure timeout.
     */
    public Duration formationGrace() {
        Duration scaled = failureTimeout.multipliedBy(3);
        return scaled.compareTo(MIN_FORMATION_GRACE) > 0 ? scaled : MIN_FORMATION_GRACE;
    }

    /** Parses {@code host:port} ({@code [v6]:port} for IPv6 literals) without resolving the host. */
    public static InetSocketAddress parseEndpoint(String endpoint) {
        if (endpoint == null) {
            throw new IllegalArgumentException("a member endpoint is null; expected host:port");
        }
        int colon = endpoint.lastIndexOf(':');
        if (colon <= 0 || colon == endpoint.length() - 1) {
            throw new IllegalArgumentException("member endpoint '" + endpoint + "' is not host:port");
        }
        String host = endpoint.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(endpoint.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("member endpoint '" + endpoint + "' has no numeric port");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("member endpoint '" + endpoint + "' has port outside 1..65535");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }
}
