package io.runnel.discovery;

/**
 * Told about every change of the {@link ClusterState}: each applied metadata change and each membership view.
 * Calls come one at a time, in order, on the cluster's notifier thread (never a JGroups or raft thread);
 * a listener must not block for long, and must not wait for a {@link Cluster} proposal to complete.
 */
@FunctionalInterface
public interface ClusterListener {
    void onStateChanged(ClusterState state);
}
