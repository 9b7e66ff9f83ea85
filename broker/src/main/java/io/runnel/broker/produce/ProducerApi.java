package io.runnel.broker.produce;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.runnel.broker.TopicNames;
import io.runnel.broker.http.ApiRequest;
import io.runnel.broker.http.HttpError;
import io.runnel.broker.http.HttpReply;
import io.runnel.broker.metrics.BrokerMetrics;
import io.runnel.storage.StorageException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/topic/{topic}/messages[?partitionKey=]}: checks the request on the event loop
 * (query, topic name, content type: cheap), then validates and encodes the body on a worker
 * thread and appends it. Answers 200 {@code {"topic","partition","offset","count"}} once the chunk
 * is durable, the offset as a decimal string (Barco's convention for int64 values).
 *
 * <p>Errors: 400 for bad query, topic or body (naming the NDJSON line), 415 for the content type,
 * 503 with {@code Retry-After} when the workers are saturated or storage fails; never a 200 for
 * something not stored.
 */
public final class ProducerApi {
    private static final Logger log = LoggerFactory.getLogger(ProducerApi.class);

    private final ProduceService service;
    private final EventBodyParser parser;
    private final Executor workers;
    private final BrokerMetrics metrics;

    public ProducerApi(ProduceService service, EventBodyParser parser, Executor workers, BrokerMetrics metrics) {
        this.service = service;
        this.parser = parser;
        this.workers = workers;
        this.metrics = metrics;
    }

    public CompletionStage<HttpReply> produce(ApiRequest request) {
        long started = System.nanoTime();
        request.query().allowOnly("partitionKey");
        String key = request.query().optional("partitionKey").orElse(null);
        if (key != null && key.isEmpty()) {
            throw HttpError.badRequest("invalid_partition_key", "partitionKey must not be empty; leave it out for round robin");
        }
        String topic = request.pathParam("topic");
        if (!TopicNames.isValid(topic)) {
            throw HttpError.badRequest("invalid_topic", TopicNames.problem(topic));
        }
        BodyFormat format = BodyFormat.of(request.header(HttpHeaderNames.CONTENT_TYPE));
        CompletableFuture<ProduceService.Produced> produced;
        try {
            // The body stays valid until the returned stage completes (ApiRequest's contract).
            produced = CompletableFuture
                    .supplyAsync(() -> parser.parse(format, ByteBufUtil.getBytes(request.body())), workers)
                    .thenCompose(batch -> service.produce(topic, key, batch).thenApply(p -> {
                        metrics.produced(p.count(), batch.valueBytes(), System.nanoTime() - started);
                        return p;
                    }));
        } catch (RejectedExecutionException e) {
            throw overloaded();
        }
        // The append completes on the storage writer thread; the answer is built on the event loop.
        return produced.handleAsync((p, error) -> {
            if (error != null) {
                throw toHttpError(error, topic);
            }
            return HttpReply.json(HttpResponseStatus.OK, request.alloc(), json -> {
                json.writeStartObject();
                json.writeStringField("topic", p.topic());
                json.writeNumberField("partition", p.partition());
                json.writeStringField("offset", Long.toString(p.offset()));
                json.writeNumberField("count", p.count());
                json.writeEndObject();
            });
        }, request.eventLoop());
    }

    private static HttpError toHttpError(Throwable error, String topic) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof MalformedEventsException m) {
            return HttpError.badRequest(m.kind(), m.getMessage());
        }
        if (cause instanceof HttpError h) {
            return h;
        }
        if (cause instanceof RejectedExecutionException) {
            return overloaded();
        }
        if (cause instanceof StorageException) {
            log.warn("append to {} failed: {}", topic, cause.toString());
            return HttpError.unavailable("storage_unavailable",
                    "the events were not stored: the broker's storage failed; retry later or on another broker", 5);
        }
        log.error("produce to {} failed", topic, cause);
        return HttpError.internal("the events were not stored: unexpected error; see the broker's log");
    }

    private static HttpError overloaded() {
        return HttpError.unavailable("overloaded", "the broker is busy; retry shortly", 1);
    }
}
