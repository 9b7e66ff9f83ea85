package io.runnel.broker.produce;

import io.runnel.broker.security.Grant;
import io.runnel.broker.common.Futures;
import io.runnel.broker.common.RunnelException;
import io.runnel.broker.common.Errors;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.runnel.broker.common.TopicNames;
import io.runnel.broker.http.ApiRequest;
import io.runnel.broker.http.HttpReply;
import io.runnel.broker.metrics.BrokerMetrics;
import io.runnel.storage.StorageException;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/topic/{topic}/messages[?partitionKey=]}: checks the request on the event loop
 * (query, topic name, content type: cheap), then validates and encodes the body on a worker
 * thread and appends it. Answers 200 {@code {"topic","partition","offset","count"}} once the chunk
 * is durable, the offset as a decimal string (Barco's convention for int64 values).
 *
 * <p>In a cluster the {@link ProduceRouter} decides first: a keyed write whose partition another
 * broker leads is relayed there unparsed over the inter-broker channel ({@link #produceForwarded} stores it
 * there), and the leader's answer or error is this broker's answer.
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
    private final ProduceRouter router;
    private final ProducerLimits limits;

    /** @param router where writes go in a cluster (keyed writes to their partition's leader) */
    public ProducerApi(ProduceService service, EventBodyParser parser, Executor workers, BrokerMetrics metrics,
            ProduceRouter router, ProducerLimits limits) {
        this.limits = limits;
        this.service = service;
        this.parser = parser;
        this.workers = workers;
        this.metrics = metrics;
        this.router = router;
    }

    public CompletionStage<HttpReply> produce(ApiRequest request) {
        long started = System.nanoTime();
        request.query().allowOnly("partitionKey");
        String key = request.query().optional("partitionKey").orElse(null);
        checkKey(key);
        String topic = request.pathParam("topic");
        if (!TopicNames.isValid(topic)) {
            throw Errors.INVALID_TOPIC.exception(TopicNames.problem(topic));
        }
        if (TopicNames.isInternal(topic)) {
            throw Errors.INVALID_TOPIC.exception("topic '" + topic + "' is internal: names starting with '__' are reserved");
        }
        request.principal().require(Grant.Kind.PRODUCE, topic);
        String contentType = request.header(HttpHeaderNames.CONTENT_TYPE);
        BodyFormat format = BodyFormat.of(contentType);
        ProduceRouter.Route route = router.route(key);
        if (route instanceof ProduceRouter.Route.Unavailable(Errors error, String message)) {
            throw error.exception(message);
        }
        CompletableFuture<ProduceService.Produced> produced = route instanceof ProduceRouter.Route.Forward(int broker)
                // Relayed as it came: the leader validates the body itself.
                ? router.forward(broker, topic, key, format, ByteBufUtil.getBytes(request.body()))
                : produceLocally(topic, key, format, () -> ByteBufUtil.getBytes(request.body()), started);
        // The append completes on a storage or replication thread; the answer is built on the event loop.
        return produced.handleAsync((p, error) -> {
            if (error != null) {
                throw toError(error, topic);
            }
            return HttpReply.json(HttpResponseStatus.OK, request.alloc(), json -> writeProduced(json, p));
        }, request.eventLoop());
    }

    private CompletableFuture<ProduceService.Produced> produceLocally(String topic, String key, BodyFormat format,
            Supplier<byte[]> body, long started) {
        try {
            // The request body stays valid until the returned stage completes (ApiRequest's contract).
            return CompletableFuture
                    .supplyAsync(() -> parser.parse(format, body.get()), workers)
                    .thenCompose(batch -> service.produce(topic, key, batch).thenApply(p -> {
                        metrics.produced(p.count(), batch.valueBytes(), System.nanoTime() - started);
                        return p;
                    }));
        } catch (RejectedExecutionException e) {
            throw overloaded();
        }
    }

    private void checkKey(String key) {
        if (key == null) {
            return;
        }
        if (key.isEmpty()) {
            throw Errors.INVALID_PARTITION_KEY.exception("partitionKey must not be empty; leave it out for round robin");
        }
        int bytes = key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > limits.maxPartitionKeyBytes()) {
            metrics.limitExceeded("max-partition-key-bytes");
            throw Errors.INVALID_PARTITION_KEY.exception("partitionKey has " + bytes + " bytes; at most "
                    + limits.maxPartitionKeyBytes() + " (max-partition-key-bytes)");
        }
    }

    private static void writeProduced(JsonGenerator json, ProduceService.Produced p) throws IOException {
        json.writeStartObject();
        json.writeStringField("topic", p.topic());
        json.writeNumberField("partition", p.partition());
        json.writeStringField("offset", Long.toString(p.offset()));
        json.writeNumberField("count", p.count());
        json.writeEndObject();
    }

    /**
     * A produce request another broker forwarded here (this broker leads the key's partition, or takes
     * a keyless write). Validated like {@link #produce}, never forwarded again. Any thread; never blocks.
     */
    public CompletableFuture<ProduceService.Produced> produceForwarded(String topic, String key, BodyFormat format,
                                                                      byte[] body) {
        long started = System.nanoTime();
        long deadline = started + limits.forwardedDeadline().toNanos();
        try {
            checkKey(key);
            if (!TopicNames.isValid(topic) || TopicNames.isInternal(topic)) {
                throw Errors.INVALID_TOPIC.exception(TopicNames.problem(topic));
            }
            if (!(router.route(key) instanceof ProduceRouter.Route.Local)) {
                throw Errors.NOT_LEADER.exception("the partition's leader changed while the request was forwarded; retry");
            }
            // The forwarding broker holds the body too, but on its own budget: this broker's memory needs its own.
            if (!limits.budget().tryAcquire(body.length)) {
                throw limits.budget().exhausted(body.length);
            }
            Supplier<byte[]> unlessLate = () -> {
                if (System.nanoTime() - deadline > 0) {
                    // The forwarding broker stopped waiting: storing it now would acknowledge nobody.
                    throw Errors.REQUEST_TIMEOUT.exception("the forwarded request waited here longer than its sender"
                            + " waits for the answer; it was not stored; retry");
                }
                return body;
            };
            CompletableFuture<ProduceService.Produced> produced;
            try {
                produced = produceLocally(topic, key, format, unlessLate, started);
            } catch (RuntimeException e) {
                limits.budget().release(body.length);
                throw e;
            }
            return produced.whenComplete((p, e) -> limits.budget().release(body.length))
                    .exceptionallyCompose(error -> CompletableFuture.failedFuture(toError(error, topic)));
        } catch (RunnelException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static RunnelException toError(Throwable error, String topic) {
        Throwable cause = Futures.unwrap(error);
        if (cause instanceof MalformedEventsException m) {
            return m.toException();
        }
        if (cause instanceof RunnelException h) {
            return h;
        }
        if (cause instanceof RejectedExecutionException) {
            return overloaded();
        }
        if (cause instanceof StorageException) {
            log.warn("append to {} failed: {}", topic, cause.toString());
            return Errors.STORAGE_UNAVAILABLE.exception("the events were not stored: the broker's storage failed; retry later or on another broker");
        }
        log.error("produce to {} failed", topic, cause);
        return Errors.INTERNAL_ERROR.exception("the events were not stored: unexpected error; see the broker's log");
    }

    private static RunnelException overloaded() {
        return Errors.OVERLOADED.exception("the broker is busy; retry shortly");
    }
}
