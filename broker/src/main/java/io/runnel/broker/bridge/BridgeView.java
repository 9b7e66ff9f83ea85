package io.runnel.broker.bridge;

/**
 * A bridge as the admin API shows it: its definition, a snapshot of its status on this broker, and the
 * broker that runs it.
 *
 * @param broker the ordinal of the broker that runs it now, or {@link BridgePlacement#NOBODY} (paused,
 *               or no broker can)
 */
public record BridgeView(BridgeDefinition definition, BridgeStatus status, int broker) {
}
