package io.runnel.discovery.jgroups;

import io.runnel.discovery.BridgeEntry;
import io.runnel.discovery.Cluster;
import io.runnel.discovery.ClusterException;
import io.runnel.discovery.ClusterListener;
import io.runnel.discovery.ClusterState;
import io.runnel.discovery.ConsumerRegistration;
import io.runnel.discovery.Generation;
import io.runnel.discovery.MetadataRejectedException;
import io.runnel.discovery.TokenRing;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/*
 * The same Metadata rules as the raft state machine, applied directly in memory: nothing to agree with, nothing
 * to persist. Proposals complete before they return. Listeners still run on a notifier thread, as in a cluster.
 */

/** A cluster of one broker without JGroups or raft, for the single-broker mode and tests. */
public final class SingleNodeCluster implements Cluster {
    private final TokenRing ring;
    private final Metadata metadata = new Metadata();
    private final ListenerNotifier notifier = new ListenerNotifier("runnel-cluster-notifier-0");
    private final Object lock = new Object();
    private volatile ClusterState state;
    private volatile boolean closed;
    private volatile java.time.Duration evictAfter;

    public SingleNodeCluster(int rangesPerBroker) {
        this.ring = new TokenRing(1, rangesPerBroker);
        metadata.apply(new MetadataCommand.InitGenerations(1, rangesPerBroker));
        this.state = stateOf(metadata.snapshot());
    }

    @Override
    public int ordinal() {
        return 0;
    }

    @Override
    public TokenRing ring() {
        return ring;
    }

    @Override
    public ClusterState state() {
        return state;
    }

    @Override
    public boolean ready() {
        return !closed;
    }

    @Override
    public void addListener(ClusterListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (lock) {
            notifier.add(listener, state);
        }
    }

    @Override
    public void removeListener(ClusterListener listener) {
        notifier.remove(listener);
    }

    @Override
    public CompletableFuture<Generation> proposeIsr(int range, int version, Set<Integer> isr) {
        if (range != 0) {
            throw new IllegalArgumentException("range " + range + " outside 0..0");
        }
        Objects.requireNonNull(isr, "isr");
        return apply(new MetadataCommand.SetIsr(range, version, 0, isr)).thenApply(Outcome::generation);
    }

    /** A single broker has nobody to hand its range to: always refused. */
    @Override
    public CompletableFuture<Generation> proposeLeader(int range, int version, int newLeader, Set<Integer> isr) {
        return CompletableFuture.failedFuture(new IllegalStateException("a single broker cannot hand its range over"));
    }

    @Override
    public CompletableFuture<Void> addTopic(String name) {
        if (!Metadata.validTopicName(name)) {
            throw new IllegalArgumentException("topic name '" + name
                    + "' must be 1-249 characters of [a-zA-Z0-9._-], not '.' or '..'");
        }
        return apply(new MetadataCommand.AddTopic(name)).thenApply(o -> null);
    }

    @Override
    public void reportLogEnd(int range, long logEndSum) {
        if (range != 0) {
            throw new IllegalArgumentException("range " + range + " outside 0..0");
        }
        // One broker: nobody to fail over to.
    }

    @Override
    public CompletableFuture<Void> registerConsumer(ConsumerRegistration registration) {
        Objects.requireNonNull(registration, "registration");
        return apply(new MetadataCommand.RegisterConsumer(registration)).thenApply(o -> null);
    }

    @Override
    public CompletableFuture<Void> removeConsumer(String group, String consumerId) {
        return apply(new MetadataCommand.RemoveConsumer(group, consumerId)).thenApply(o -> null);
    }

    @Override
    public CompletableFuture<Void> putBridge(BridgeEntry entry) {
        Objects.requireNonNull(entry, "entry");
        return apply(new MetadataCommand.PutBridge(entry)).thenApply(o -> null);
    }

    @Override
    public CompletableFuture<Void> removeBridge(String name) {
        Metadata.checkBridgeName(name);
        return apply(new MetadataCommand.RemoveBridge(name)).thenApply(o -> null);
    }

    /**
     * One broker sees every sign of life itself: a consumer it reports silent for the eviction timeout is removed
     * at once (before this returns), as the controller of a cluster removes one silent on every broker.
     */
    @Override
    public void reportConsumerActivity(String consumerId, long silentForMillis) {
        java.time.Duration timeout = evictAfter;
        if (timeout == null || silentForMillis < timeout.toMillis()) {
            return;
        }
        ConsumerRegistration r = state.consumers().get(consumerId);
        if (r != null) {
            apply(new MetadataCommand.RemoveConsumer(r.group(), consumerId));
        }
    }

    @Override
    public void evictSilentConsumers(java.time.Duration timeout) {
        this.evictAfter = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public void close() {
        closed = true;
        notifier.close();
    }

    private CompletableFuture<Outcome> apply(MetadataCommand command) {
        if (closed) {
            return CompletableFuture.failedFuture(new ClusterException("the single-node cluster is closed"));
        }
        Outcome outcome;
        synchronized (lock) {
            outcome = metadata.apply(command);
            if (outcome.isOk()) {
                state = stateOf(metadata.snapshot());
                notifier.publish(state);
            }
        }
        return outcome.isOk()
                ? CompletableFuture.completedFuture(outcome)
                : CompletableFuture.failedFuture(new MetadataRejectedException(outcome.rejection(), outcome.detail()));
    }

    private static ClusterState stateOf(Metadata.Snapshot s) {
        return new ClusterState(1, s.generations(), Set.of(0), s.topics(), s.consumers(), s.bridges());
    }
}
