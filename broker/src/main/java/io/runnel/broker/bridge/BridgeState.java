package io.runnel.broker.bridge;

import java.util.Locale;

/** What a bridge is doing, as {@code GET /v1/bridges/{name}} reports it. */
public enum BridgeState {
    /** Its worker runs and its last attempt succeeded (or it has not failed yet). */
    RUNNING,
    /** Paused through the admin API: the definition is kept, nothing moves until it is resumed. */
    PAUSED,
    /** Its last attempt failed (see {@code lastError}); it retries with exponential backoff. */
    FAILING,
    /** Not running on this broker: the broker is shutting down, or no broker can run it (no majority in view). */
    STOPPED,
    /** Runs on another broker of the cluster ({@code broker} in the answer); its counters are there. */
    REMOTE;

    /** The JSON spelling, e.g. {@code running}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
