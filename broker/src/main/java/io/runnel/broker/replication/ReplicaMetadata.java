package io.runnel.broker.replication;

import io.runnel.discovery.Cluster;
import io.runnel.discovery.Generation;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What replication needs of the cluster metadata: who is in the view, ISR and leader proposals, and the
 * log-end reports the controller fails over by. A narrow view of {@link Cluster}, so the roles can be driven
 * by a fake in unit tests.
 */
public interface ReplicaMetadata {

    /** The brokers in this broker's view now (any thread; cheap). */
    Set<Integer> live();

    /** See {@link Cluster#proposeIsr}. */
    CompletableFuture<Generation> proposeIsr(int range, int version, Set<Integer> isr);

    /** See {@link Cluster#proposeLeader}. */
    CompletableFuture<Generation> proposeLeader(int range, int version, int newLeader, Set<Integer> isr);

    /** See {@link Cluster#reportLogEnd}. */
    void reportLogEnd(int range, long logEndSum);

    /** The metadata of {@code cluster}. */
    static ReplicaMetadata of(Cluster cluster) {
        return new ReplicaMetadata() {
            @Override
            public Set<Integer> live() {
                return cluster.state().live();
            }

            @Override
            public CompletableFuture<Generation> proposeIsr(int range, int version, Set<Integer> isr) {
                return cluster.proposeIsr(range, version, isr);
            }

            @Override
            public CompletableFuture<Generation> proposeLeader(int range, int version, int newLeader, Set<Integer> isr) {
                return cluster.proposeLeader(range, version, newLeader, isr);
            }

            @Override
            public void reportLogEnd(int range, long logEndSum) {
                cluster.reportLogEnd(range, logEndSum);
            }
        };
    }
}
