package io.runnel.discovery;

import io.runnel.discovery.jgroups.JGroupsCluster;
import io.runnel.discovery.jgroups.SingleNodeCluster;

import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * This broker's membership of the cluster and its view of the replicated cluster metadata (generations of every
 * range, topics, consumer groups, Kafka bridges). Membership is JGroups; metadata is a jgroups-raft state machine
 * whose raft leader runs the controller: it fails ranges over to an in-sync follower when their leader leaves the
 * view, drops dead brokers from ISRs and hands ranges back to their natural leader once it is in sync again (see
 * docs/replication.md).
 *
 * <p>Proposals complete on a cluster callback thread once the change is committed <em>and</em> applied locally,
 * so {@link #state()} already shows it. They fail with {@link MetadataRejectedException} when the state machine
 * refuses the change, with {@link NoQuorumException} when no raft majority can commit it, and with
 * {@link ClusterException} once the cluster is closed.
 */
public interface Cluster extends AutoCloseable {

    /** Joins the JGroups cluster and the raft group; blocks until connected (not until {@link #ready()}). */
    static Cluster start(ClusterConfig config) {
        return JGroupsCluster.start(config);
    }

    /**
     * A cluster of one broker without JGroups or raft: range 0 has generation version 1, leader 0, ISR {0};
     * topics live in memory. For the single-broker mode and tests.
     */
    static Cluster singleNode(int rangesPerBroker) {
        return new SingleNodeCluster(rangesPerBroker);
    }

    /** This broker's ordinal. */
    int ordinal();

    /** The token ring of the configured cluster size. */
    TokenRing ring();

    /** The current state, an immutable snapshot. */
    ClusterState state();

    /** Whether every range has a generation and a raft leader is known. */
    boolean ready();

    /** Registers a listener; it is called with the current state soon after, then on every change. */
    void addListener(ClusterListener listener);

    void removeListener(ClusterListener listener);

    /**
     * Sets the ISR of a range led by this broker (shrink a lagging follower, add back a caught-up one). Refused
     * if {@code version} is not the range's current version, this broker does not lead the range, or the ISR
     * lacks the leader or names a broker outside the replica set.
     *
     * @return the generation after the change
     */
    CompletableFuture<Generation> proposeIsr(int range, int version, Set<Integer> isr);

    /**
     * Moves a range's leadership to {@code newLeader} in a new generation, as a leader does before it shuts down
     * (a controlled hand-over, where failover would wait for the failure detector). Refused if {@code version} is
     * not the range's current version or {@code newLeader} is not an in-sync replica; the new ISR is {@code isr}
     * restricted to the current ISR, plus the new leader.
     *
     * @return the new generation
     */
    CompletableFuture<Generation> proposeLeader(int range, int version, int newLeader, Set<Integer> isr);

    /** Adds a topic to the metadata; adding an existing topic succeeds and changes nothing. */
    CompletableFuture<Void> addTopic(String name);

    /**
     * Reports this broker's sum of log end offsets over the partitions of {@code range}. The controller uses the
     * latest reports to fail a range over to the in-sync follower holding the most. Cheap: kept locally and
     * gossiped to the other brokers a few times a second when it changed.
     */
    void reportLogEnd(int range, long logEndSum);

    /**
     * Registers a consumer in its group cluster-wide, or updates its registration (idempotent). Completes once
     * committed and applied locally, so {@link #state()} shows it in {@link ClusterState#consumers()}.
     */
    CompletableFuture<Void> registerConsumer(ConsumerRegistration registration);

    /** Removes a consumer from {@code group} cluster-wide (succeeds if it is not there). */
    CompletableFuture<Void> removeConsumer(String group, String consumerId);

    /**
     * Creates the bridge {@code entry.name()} cluster-wide, or replaces it whole (definition and paused flag, so
     * pausing and resuming are puts too). Always goes through the metadata, even if {@link #state()} shows the
     * same entry already. Completes once committed and applied locally, so {@link #state()} shows it in
     * {@link ClusterState#bridges()} and every listener is told of the change; fails as every proposal does.
     */
    CompletableFuture<Void> putBridge(BridgeEntry entry);

    /**
     * Removes the bridge {@code name} cluster-wide (succeeds if it is not there). Completes once committed and
     * applied locally, so {@link ClusterState#bridges()} no longer has it; fails as every proposal does.
     *
     * @throws IllegalArgumentException if no bridge can have that name (empty, or longer than
     *                                  {@link BridgeEntry#MAX_NAME_BYTES})
     */
    CompletableFuture<Void> removeBridge(String name);

    /**
     * Reports that this broker last heard from a consumer {@code silentForMillis} ago. Kept locally and gossiped;
     * the controller removes a consumer silent on every broker for the consumer timeout
     * ({@link #evictSilentConsumers}). Cheap; call periodically for every consumer this broker knows.
     */
    void reportConsumerActivity(String consumerId, long silentForMillis);

    /**
     * Makes the controller remove consumers silent on every broker for {@code timeout}. Off until called. A
     * single-node cluster removes a consumer as soon as it is reported silent that long.
     */
    void evictSilentConsumers(java.time.Duration timeout);

    /** Leaves the cluster (a graceful JGroups leave) and stops every thread of this instance. Idempotent. */
    @Override
    void close();
}
