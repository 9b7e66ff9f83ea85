package io.runnel.broker.http;

import io.runnel.broker.common.InFlightBudget;
import java.util.Objects;

/**
 * What keeps a broker's HTTP ports within their memory: the budget of bytes in flight, and the connection caps.
 * Shared by every port.
 */
public record HttpGuards(InFlightBudget budget, ConnectionLimiter.Counts connections) {
    public HttpGuards {
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(connections, "connections");
    }

    /** No limits (tests of other things). */
    public static HttpGuards unlimited() {
        return new HttpGuards(InFlightBudget.unlimited(), new ConnectionLimiter.Counts(Integer.MAX_VALUE, Integer.MAX_VALUE));
    }
}
