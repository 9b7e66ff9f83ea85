package io.runnel.broker.consume;

import io.runnel.discovery.BridgeEntry;
import io.runnel.discovery.Cluster;
import io.runnel.discovery.ClusterListener;
import io.runnel.discovery.ClusterState;
import io.runnel.discovery.ConsumerRegistration;
import io.runnel.discovery.Generation;
import io.runnel.discovery.TokenRing;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** A cluster as another broker sees it: {@code delegate}'s metadata, but {@link #ordinal()} is {@code ordinal}. */
final class OrdinalOverride implements Cluster {
    private final Cluster delegate;
    private final int ordinal;

    OrdinalOverride(Cluster delegate, int ordinal) {
        this.delegate = delegate;
        this.ordinal = ordinal;
    }

    @Override
    public int ordinal() {
        return ordinal;
    }

    @Override
    public TokenRing ring() {
        return delegate.ring();
    }

    @Override
    public ClusterState state() {
        return delegate.state();
    }

    @Override
    public boolean ready() {
        return delegate.ready();
    }

    @Override
    public void addListener(ClusterListener listener) {
        delegate.addListener(listener);
    }

    @Override
    public void removeListener(ClusterListener listener) {
        delegate.removeListener(listener);
    }

    @Override
    public CompletableFuture<Generation> proposeIsr(int range, int version, Set<Integer> isr) {
        return delegate.proposeIsr(range, version, isr);
    }

    @Override
    public CompletableFuture<Generation> proposeLeader(int range, int version, int newLeader, Set<Integer> isr) {
        return delegate.proposeLeader(range, version, newLeader, isr);
    }

    @Override
    public CompletableFuture<Void> addTopic(String name) {
        return delegate.addTopic(name);
    }

    @Override
    public void reportLogEnd(int range, long logEndSum) {
        delegate.reportLogEnd(range, logEndSum);
    }

    @Override
    public CompletableFuture<Void> registerConsumer(ConsumerRegistration registration) {
        return delegate.registerConsumer(registration);
    }

    @Override
    public CompletableFuture<Void> removeConsumer(String group, String consumerId) {
        return delegate.removeConsumer(group, consumerId);
    }

    @Override
    public CompletableFuture<Void> putBridge(BridgeEntry entry) {
        return delegate.putBridge(entry);
    }

    @Override
    public CompletableFuture<Void> removeBridge(String name) {
        return delegate.removeBridge(name);
    }

    @Override
    public void reportConsumerActivity(String consumerId, long silentForMillis) {
        delegate.reportConsumerActivity(consumerId, silentForMillis);
    }

    @Override
    public void evictSilentConsumers(Duration timeout) {
        delegate.evictSilentConsumers(timeout);
    }

    @Override
    public void close() {
        // the delegate belongs to the test
    }
}
