package io.runnel.broker.cluster.transport;

/**
 * The kinds of request a broker serves on its cluster port, each with its own frame and its own handler
 * ({@link ClusterDispatcher#register}), as Zeebe's transport registers request handlers by type.
 */
public enum RequestType {
    /** {@link ClusterMessage.Replicate}: a chunk for a follower (answered with a {@code ReplicateAck}). */
    REPLICATE,
    /** {@link ClusterMessage.Fetch}: where a joining follower truncates. */
    FETCH,
    /** {@link ClusterMessage.Follow}: a follower ready for the stream. */
    FOLLOW,
    /** {@link ClusterMessage.ProduceRequest}: a write for the partition's leader. */
    PRODUCE,
    /** {@link ClusterMessage.GroupPoll}: a consumer's share of its group at this leader. */
    GROUP_POLL,
    /** {@link ClusterMessage.GroupCommit}: commit that share now. */
    GROUP_COMMIT,
    /** {@link ClusterMessage.GroupLagRequest}: a group's lag in the partitions this broker leads. */
    GROUP_LAG,
    /** {@link ClusterMessage.GroupSeekRequest}: move a group's offsets in partitions this broker leads. */
    GROUP_SEEK,
    /** {@link ClusterMessage.BridgeStatusRequest}: the counters of a bridge this broker runs. */
    BRIDGE_STATUS,
    /** {@link ClusterMessage.Ping}: the connection is alive (answered by the transport itself, {@link Heartbeat}). */
    PING
}
