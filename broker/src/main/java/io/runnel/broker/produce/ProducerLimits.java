package io.runnel.broker.produce;

import io.runnel.broker.common.InFlightBudget;
import java.time.Duration;
import java.util.Objects;

/**
 * What bounds the produce path.
 *
 * @param budget               the broker's bytes in flight: a forwarded request's body is taken from it too
 * @param maxPartitionKeyBytes longest partition key (UTF-8 bytes)
 * @param forwardedDeadline    how long a forwarded request may wait here before it is started: past it the
 *                             forwarding broker has given up, so it is refused unstored rather than run late
 */
public record ProducerLimits(InFlightBudget budget, int maxPartitionKeyBytes, Duration forwardedDeadline) {
    public ProducerLimits {
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(forwardedDeadline, "forwardedDeadline");
    }

    /** No limits but the key length's default (tests). */
    public static ProducerLimits unlimited() {
        return new ProducerLimits(InFlightBudget.unlimited(), 1024, Duration.ofDays(1));
    }
}
