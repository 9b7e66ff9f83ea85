package io.runnel.broker.bridge;

import java.util.Objects;

/**
 * A bridge as its {@link BridgeRegistry} keeps it: the definition and whether it is paused, so that a
 * paused bridge stays paused after a restart.
 */
public record StoredBridge(BridgeDefinition definition, boolean paused) {
    public StoredBridge {
        Objects.requireNonNull(definition, "definition");
    }

    public String name() {
        return definition.name();
    }
}
