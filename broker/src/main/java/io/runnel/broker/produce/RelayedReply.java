package io.runnel.broker.produce;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A produce answer passed between brokers: the leader's HTTP status and JSON body, relayed to the
 * producer unchanged.
 *
 * @param retryAfterSeconds the {@code Retry-After} header, 0 for none
 */
public record RelayedReply(int status, int retryAfterSeconds, byte[] json) {
    public RelayedReply {
        Objects.requireNonNull(json, "json");
    }

    /**
     * The body of a {@code 200}; for any other status an {@link IllegalStateException} that names broker
     * {@code from} and quotes its answer (for requests between brokers that need a success to go on).
     */
    public byte[] okJson(int from) {
        if (status != 200) {
            throw new IllegalStateException("broker " + from + " answered " + status + ": "
                    + new String(json, StandardCharsets.UTF_8));
        }
        return json;
    }
}
