package io.runnel.broker.bridge;

import java.time.Instant;

/**
 * A snapshot of what a bridge did, for the admin API.
 *
 * @param state         what it is doing now
 * @param lag           events not bridged yet: for an export, the Runnel topic's log end minus the
 *                      bridge group's committed offsets; for an import, the Kafka consumer group's lag
 *                      from the topic's end offsets (last measured); -1 when unknown
 * @param eventsBridged events moved and acknowledged by the other side since this broker started
 * @param bytesBridged  their value bytes
 * @param errors        failed attempts and records that could not be moved, since this broker started
 * @param lastError     what went wrong last, or {@code null}
 * @param lastErrorAt   when, or {@code null}
 */
public record BridgeStatus(BridgeState state, long lag, long eventsBridged, long bytesBridged, long errors,
        String lastError, Instant lastErrorAt) {
}
