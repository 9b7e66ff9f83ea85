package io.runnel.broker.bridge;

/**
 * Decides which broker runs a bridge: exactly one should, or two brokers would both move the same
 * events.
 *
 * <p>A single broker runs every bridge ({@link #thisBroker()}). In a cluster the choice will be a
 * rendezvous (highest random weight) hash of the bridge name over the live brokers: every broker
 * computes the same owner from the same membership view without coordination, and when a broker
 * leaves only its bridges move (to the next-highest broker), which resume from their committed
 * progress (the Runnel group of an export, the Kafka group of an import).
 */
@FunctionalInterface
public interface BridgePlacement {

    /** Whether this broker should run the bridge named {@code bridgeName}. */
    boolean runsHere(String bridgeName);

    /** Every bridge runs on this broker (a single broker). */
    static BridgePlacement thisBroker() {
        return name -> true;
    }
}
