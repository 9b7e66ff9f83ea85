package io.runnel.broker.bridge;

import java.util.List;

/**
 * Where bridge definitions live durably, so that they survive a broker restart.
 *
 * <p>A single broker keeps them in a file ({@link FileBridgeRegistry}). In a cluster they become
 * part of the raft-replicated metadata (DESIGN.md §2), so that every broker sees the same set and the
 * {@link BridgePlacement} can move a bridge when its broker leaves; such a registry will also tell
 * the {@link BridgeManager} about changes made through other brokers.
 *
 * <p>Called by one thread at a time (the manager serialises its changes).
 */
public interface BridgeRegistry {

    /** Every stored bridge, in name order. */
    List<StoredBridge> all();

    /**
     * Stores {@code bridge} durably, replacing any of the same name; returns only once it would
     * survive a crash.
     *
     * @throws BridgeStoreException if it could not be stored (nothing changed then)
     */
    void put(StoredBridge bridge);

    /**
     * Removes the bridge named {@code name} durably; no-op if there is none.
     *
     * @throws BridgeStoreException if it could not be removed (nothing changed then)
     */
    void remove(String name);
}
