package io.runnel.broker.http;

import io.runnel.broker.security.Grant;
import java.util.concurrent.CompletionStage;

/**
 * Answers the requests of one route. Runs on the connection's event loop, so it must not block:
 * slow work goes to another executor and comes back as the returned stage, which may complete on
 * any thread. Failing (or throwing) with an {@link io.runnel.broker.common.RunnelException} answers with that error; any other
 * failure is a logged 500.
 */
@FunctionalInterface
public interface RouteHandler {
    CompletionStage<HttpReply> handle(ApiRequest request);

    /** {@code handler}, for principals with a grant of {@code kind} only (403 for the others). */
    static RouteHandler requiring(Grant.Kind kind, RouteHandler handler) {
        return request -> {
            request.principal().require(kind, null);
            return handler.handle(request);
        };
    }
}
