package io.runnel.broker.bridge;

/** A bridge as the admin API shows it: its definition and a snapshot of its status. */
public record BridgeView(BridgeDefinition definition, BridgeStatus status) {
}
