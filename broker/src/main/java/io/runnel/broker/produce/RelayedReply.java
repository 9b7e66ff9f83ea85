package io.runnel.broker.produce;

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
}
