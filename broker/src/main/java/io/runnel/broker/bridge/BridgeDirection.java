package io.runnel.broker.bridge;

import java.util.Locale;

/** Which way a bridge moves events. */
public enum BridgeDirection {
    /** From a Runnel topic into a Kafka topic. */
    EXPORT,
    /** From a Kafka topic into a Runnel topic. */
    IMPORT;

    /** The JSON spelling: {@code export} or {@code import}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code export} or {@code import}.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static BridgeDirection parse(String text) {
        for (BridgeDirection d : values()) {
            if (d.wireName().equals(text)) {
                return d;
            }
        }
        throw new IllegalArgumentException("direction must be 'export' (Runnel to Kafka) or 'import' (Kafka to Runnel), not '" + text + "'");
    }
}
