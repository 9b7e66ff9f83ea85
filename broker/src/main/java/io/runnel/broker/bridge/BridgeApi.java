package io.runnel.broker.bridge;

import io.runnel.broker.security.Grant;
import io.runnel.broker.http.RouteHandler;
import io.runnel.broker.common.Errors;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.runnel.broker.http.ApiRequest;
import io.runnel.broker.http.HttpReply;
import io.runnel.broker.http.Router;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge admin API on the discovery/admin port (9250):
 * <ul>
 *   <li>{@code PUT /v1/bridges/{name}} with a JSON definition: 201 when created, 200 when replaced,
 *       with the bridge as {@code GET} shows it;</li>
 *   <li>{@code GET /v1/bridges}: {@code {"bridges":[...]}}; {@code GET /v1/bridges/{name}}: the
 *       definition (secrets hidden) plus {@code state} (running, paused, failing, stopped),
 *       {@code lag}, {@code eventsBridged}, {@code bytesBridged}, {@code errors}, {@code lastError},
 *       {@code lastErrorAt};</li>
 *   <li>{@code POST /v1/bridges/{name}/pause} and {@code /resume}: 200 with the bridge;</li>
 *   <li>{@code DELETE /v1/bridges/{name}}: 204.</li>
 * </ul>
 * Errors: 400 {@code invalid_bridge} or {@code malformed_json}, 404 {@code unknown_bridge}, 415 for a
 * body that is not {@code application/json}, 500 {@code bridge_store_failed}, 503 while shutting down.
 *
 * <p>Changes stop and start worker threads, so they run on an admin thread of their own, one at a
 * time in arrival order, never on the event loop; reads run on another thread and never wait for them.
 */
public final class BridgeApi implements BridgeStatusSource, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BridgeApi.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int QUEUE = 256;

    private final BridgeManager manager;
    private final BridgeStatusRelay relay;
    /** Changes: they may block while a worker stops. */
    private final ExecutorService admin = singleThread("runnel-bridge-admin");
    /** Reads: never wait behind a change (they read the store for export lag). */
    private final ExecutorService reads = singleThread("runnel-bridge-read");

    /** @param relay asks the broker that runs a bridge placed elsewhere for its status */
    public BridgeApi(BridgeManager manager, BridgeStatusRelay relay) {
        this.manager = manager;
        this.relay = relay;
    }

    /** Adds the bridge routes to the admin port's router. */
    public Router.Builder addRoutes(Router.Builder router) {
        // Bridge administration is for admins only: a bridge reaches any address with the broker's credentials.
        return router
                .get("/v1/bridges", admin(this::list))
                .put("/v1/bridges/{name}", admin(this::put))
                .get("/v1/bridges/{name}", admin(this::get))
                .route(HttpMethod.DELETE, "/v1/bridges/{name}", admin(this::delete))
                .post("/v1/bridges/{name}/pause", admin(this::pause))
                .post("/v1/bridges/{name}/resume", admin(this::resume));
    }

    private static RouteHandler admin(RouteHandler handler) {
        return RouteHandler.requiring(Grant.Kind.ADMIN, handler);
    }

    private CompletionStage<HttpReply> list(ApiRequest request) {
        request.query().allowOnly();
        return on(reads, () -> {
            List<BridgeView> views = manager.list();
            return HttpReply.json(HttpResponseStatus.OK, request.alloc(), json -> {
                json.writeStartObject();
                json.writeArrayFieldStart("bridges");
                for (BridgeView v : views) {
                    write(json, v);
                }
                json.writeEndArray();
                json.writeEndObject();
            });
        });
    }

    private CompletionStage<HttpReply> get(ApiRequest request) {
        request.query().allowOnly();
        String name = name(request);
        CompletableFuture<BridgeView> local = on(reads, () -> manager.get(name).orElseThrow(() -> new UnknownBridgeException(name)));
        return local.thenCompose(v -> {
            if (v.status().state() != BridgeState.REMOTE) {
                return CompletableFuture.completedFuture(reply(request, HttpResponseStatus.OK, v));
            }
            // The runner has the counters; if it cannot be asked, this broker's own view still names it.
            return relay.ask(v.broker(), name).handle((status, e) -> {
                if (e != null) {
                    log.debug("cannot ask broker {} about bridge {}: {}", v.broker(), name, e.getMessage());
                    return reply(request, HttpResponseStatus.OK, v);
                }
                return reply(request, HttpResponseStatus.OK, new BridgeView(v.definition(), status, v.broker()));
            });
        });
    }

    /**
     * Another broker asks for the status of a bridge this broker runs: answered with this broker's own view,
     * never relayed further.
     */
    @Override
    public CompletableFuture<Optional<BridgeStatus>> status(String name) {
        return on(reads, () -> manager.get(name).map(BridgeView::status));
    }

    private CompletionStage<HttpReply> put(ApiRequest request) {
        request.query().allowOnly();
        String name = name(request);
        checkJson(request.header(HttpHeaderNames.CONTENT_TYPE));
        // The body stays valid until the returned stage completes (ApiRequest's contract).
        return on(admin, () -> {
            JsonNode body;
            try {
                body = MAPPER.readTree(ByteBufUtil.getBytes(request.body()));
            } catch (JsonProcessingException e) {
                throw Errors.MALFORMED_JSON.exception("the body is not valid JSON: " + e.getOriginalMessage());
            } catch (IOException e) {
                throw Errors.MALFORMED_JSON.exception("the body is not valid JSON: " + e.getMessage());
            }
            if (body == null || body.isMissingNode()) {
                throw Errors.INVALID_BRIDGE.exception("the body is empty: send the bridge definition as a JSON object");
            }
            BridgeDefinition d = BridgeDefinition.fromJson(body, name);
            boolean created = manager.put(d);
            BridgeView v = manager.get(name).orElseThrow(() -> new UnknownBridgeException(name));
            return reply(request, created ? HttpResponseStatus.CREATED : HttpResponseStatus.OK, v);
        });
    }

    private CompletionStage<HttpReply> pause(ApiRequest request) {
        request.query().allowOnly();
        String name = name(request);
        return on(admin, () -> reply(request, HttpResponseStatus.OK, manager.pause(name)));
    }

    private CompletionStage<HttpReply> resume(ApiRequest request) {
        request.query().allowOnly();
        String name = name(request);
        return on(admin, () -> reply(request, HttpResponseStatus.OK, manager.resume(name)));
    }

    private CompletionStage<HttpReply> delete(ApiRequest request) {
        request.query().allowOnly();
        String name = name(request);
        return on(admin, () -> {
            manager.delete(name);
            return HttpReply.empty(HttpResponseStatus.NO_CONTENT);
        });
    }

    private static String name(ApiRequest request) {
        String name = request.pathParam("name");
        if (!BridgeDefinition.validName(name)) {
            throw Errors.INVALID_BRIDGE.exception(BridgeDefinition.nameProblem(name));
        }
        return name;
    }

    private static void checkJson(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return;
        }
        String mime = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (!mime.equals("application/json")) {
            throw Errors.UNSUPPORTED_MEDIA_TYPE.exception("content type '" + mime + "' is not supported: send the bridge definition as application/json");
        }
    }

    private static HttpReply reply(ApiRequest request, HttpResponseStatus status, BridgeView v) {
        return HttpReply.json(status, request.alloc(), json -> write(json, v));
    }

    /** One bridge: the definition (secrets hidden) and its status. */
    static void write(JsonGenerator json, BridgeView v) throws IOException {
        BridgeDefinition d = v.definition();
        BridgeStatus s = v.status();
        json.writeStartObject();
        d.writeFields(json, true);
        if (d.direction() == BridgeDirection.EXPORT) {
            json.writeStringField("runnelGroup", d.runnelGroup());
        }
        json.writeStringField("state", s.state().wireName());
        if (v.broker() == BridgePlacement.NOBODY) {
            json.writeNullField("broker");
        } else {
            json.writeNumberField("broker", v.broker());
        }
        if (s.lag() < 0) {
            json.writeNullField("lag");
        } else {
            json.writeNumberField("lag", s.lag());
        }
        json.writeNumberField("eventsBridged", s.eventsBridged());
        json.writeNumberField("bytesBridged", s.bytesBridged());
        json.writeNumberField("errors", s.errors());
        json.writeStringField("lastError", s.lastError());
        json.writeStringField("lastErrorAt", s.lastErrorAt() == null ? null : s.lastErrorAt().toString());
        json.writeEndObject();
    }

    private static <T> CompletableFuture<T> on(ExecutorService executor, Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return work.get();
                } catch (InvalidBridgeException e) {
                    throw Errors.INVALID_BRIDGE.exception(e.getMessage());
                } catch (UnknownBridgeException e) {
                    throw Errors.UNKNOWN_BRIDGE.exception(e.getMessage());
                } catch (BridgeStoreException e) {
                    if (e.retriable()) {
                        throw Errors.NO_QUORUM.exception("the change was not applied: " + e.getMessage());
                    }
                    log.error("bridge definitions could not be stored", e);
                    throw Errors.BRIDGE_STORE_FAILED.exception("the change was not applied: " + e.getMessage());
                } catch (IllegalStateException e) {
                    throw Errors.SHUTTING_DOWN.exception(e.getMessage()).retryAfter(5);
                }
            }, executor);
        } catch (RejectedExecutionException e) {
            throw Errors.OVERLOADED.exception("too many bridge changes are queued; retry shortly");
        }
    }

    @Override
    public void close() {
        for (ExecutorService e : List.of(admin, reads)) {
            e.shutdown();
        }
        try {
            for (ExecutorService e : List.of(admin, reads)) {
                if (!e.awaitTermination(30, TimeUnit.SECONDS)) {
                    e.shutdownNow();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            admin.shutdownNow();
            reads.shutdownNow();
        }
    }

    private static ExecutorService singleThread(String name) {
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
