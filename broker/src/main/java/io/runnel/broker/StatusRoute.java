package io.runnel.broker;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.runnel.broker.http.HttpReply;
import io.runnel.broker.http.RouteHandler;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /status} of every port: 200 {@code {"status":"ok","api":...}} while the broker serves,
 * 503 {@code {"status":"failed"}} once its storage failed (readiness probes take it out).
 */
final class StatusRoute {
    private StatusRoute() {
    }

    static RouteHandler of(String api, BooleanSupplier healthy) {
        return request -> {
            request.query().allowOnly();
            boolean ok = healthy.getAsBoolean();
            return CompletableFuture.completedFuture(HttpReply.json(
                    ok ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, request.alloc(), json -> {
                        json.writeStartObject();
                        json.writeStringField("status", ok ? "ok" : "failed");
                        json.writeStringField("api", api);
                        json.writeEndObject();
                    }));
        };
    }
}
