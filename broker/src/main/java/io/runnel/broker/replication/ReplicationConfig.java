package io.runnel.broker.replication;

import java.time.Duration;
import java.util.Objects;

/**
 * The timing of replication.
 *
 * @param replicaLag     how long an in-sync follower may leave a chunk unacknowledged before the leader
 *                       proposes it out of the ISR; also how long a hand-over waits for the writes taken
 * @param pendingTimeout how long a producer waits for the high watermark to pass its chunk before it is
 *                       answered 503 (the chunk may still become durable: the outcome is unknown)
 */
public record ReplicationConfig(Duration replicaLag, Duration pendingTimeout) {
    public ReplicationConfig {
        Objects.requireNonNull(replicaLag, "replicaLag");
        Objects.requireNonNull(pendingTimeout, "pendingTimeout");
    }
}
