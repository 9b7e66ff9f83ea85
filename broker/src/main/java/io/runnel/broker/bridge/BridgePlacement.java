package io.runnel.broker.bridge;

/**
 * Decides which broker runs a bridge: exactly one should, or two brokers would both move the same
 * events.
 *
 * <p>A single broker runs every bridge ({@link #thisBroker()}). In a cluster the choice is a rendezvous
 * hash of the bridge name over the live brokers ({@link RendezvousPlacement}): every broker computes
 * the same owner from the same membership view without coordination, and when a broker leaves only
 * its bridges move, resuming from their committed progress (the Runnel group of an export, the Kafka
 * group of an import).
 */
public interface BridgePlacement {

    /** No broker can run the bridge now (this broker is not in a majority of the cluster). */
    int NOBODY = -1;

    /** This broker's ordinal. */
    int self();

    /** The ordinal of the broker that should run the bridge named {@code bridgeName} now, or {@link #NOBODY}. */
    int owner(String bridgeName);

    /** Whether this broker should run the bridge named {@code bridgeName}. */
    default boolean runsHere(String bridgeName) {
        return owner(bridgeName) == self();
    }

    /** Every bridge runs on this broker (a single broker, ordinal 0). */
    static BridgePlacement thisBroker() {
        return new BridgePlacement() {
            @Override
            public int self() {
                return 0;
            }

            @Override
            public int owner(String bridgeName) {
                return 0;
            }
        };
    }
}
