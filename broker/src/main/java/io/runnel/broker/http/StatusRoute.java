package io.runnel.broker.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /status} of every port: 200 {@code {"status":"ok","api":...}} while the broker serves,
 * 503 {@code {"status":"failed"}} once its storage failed, 503 {@code {"status":"starting"}} while a
 * cluster broker does not know its generations yet (readiness probes take it out).
 */
public final class StatusRoute {
    private StatusRoute() {
    }

    /**
     * A health check that can also say why it fails: {@code "failed"} (storage) or {@code "starting"}
     * (a cluster broker that does not know its generations yet).
     */
    public interface Health extends BooleanSupplier {
        String problem();
    }

    public static RouteHandler of(String api, BooleanSupplier healthy) {
        return request -> {
            request.query().allowOnly();
            boolean ok = healthy.getAsBoolean();
            String status = ok ? "ok" : healthy instanceof Health h ? h.problem() : "failed";
            return CompletableFuture.completedFuture(HttpReply.json(
                    ok ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, request.alloc(), json -> {
                        json.writeStartObject();
                        json.writeStringField("status", status);
                        json.writeStringField("api", api);
                        json.writeEndObject();
                    }));
        };
    }
}
