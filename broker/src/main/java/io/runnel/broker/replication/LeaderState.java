package io.runnel.broker.replication;

/**
 * Where a {@link LeaderRole} stands. Written on the range's thread only; read from produce threads too.
 *
 * <pre>
 * TAKING_OVER --generation begun--> AWAITING_FOLLOWERS --minIsr-1 joined--> SERVING --fence--> FENCED
 *      any state but CLOSED --a newer generation exists--> DEPOSED;   any state --close--> CLOSED
 * </pre>
 */
enum LeaderState {
    /** Recording the generation in every partition's history; followers cannot join yet. */
    TAKING_OVER,
    /** Followers may join; no writes until enough have (a stale broker never writes what it must truncate). */
    AWAITING_FOLLOWERS,
    /** Takes producers' writes. */
    SERVING,
    /** Handing the range over: no new writes; the ones taken are still acknowledged. */
    FENCED,
    /** The metadata holds a newer generation this broker has not applied yet: no writes, no proposals. */
    DEPOSED,
    /** Ended: a newer generation named another leader, or the broker stops. */
    CLOSED;

    /** Followers may join and be streamed to. */
    boolean takenOver() {
        return this != TAKING_OVER && this != CLOSED;
    }

    /** The high watermark advances and waiting writes are acknowledged. */
    boolean acknowledges() {
        return this == SERVING || this == FENCED;
    }
}
