package io.runnel.broker.consume;

import io.runnel.discovery.ConsumerRegistration;
import io.runnel.broker.security.Grant;
import io.runnel.broker.security.Principal;
import java.util.Optional;
import io.netty.handler.codec.http.HttpMethod;
import io.runnel.broker.common.TopicNames;
import io.runnel.broker.common.Futures;
import io.runnel.broker.common.RunnelException;
import io.runnel.broker.common.Errors;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.runnel.broker.http.ApiRequest;
import io.runnel.broker.http.HttpReply;
import io.runnel.broker.http.Router;
import io.runnel.broker.http.StatusRoute;
import io.runnel.broker.metrics.BrokerMetrics;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer API (port 9252), Barco's read flow over {@link ConsumerService}:
 * <ul>
 *   <li>{@code PUT /v1/consumer/register?consumerId=&group=&topic=&topic=&onNewGroup=}: 200.
 *       {@code group} defaults to {@code default}, {@code onNewGroup} to {@code startFromLatest};</li>
 *   <li>{@code POST /v1/consumer/poll?consumerId=&timeout=&maxBytes=}: 200 with the JSON array of
 *       {@link PollResponseEncoder}, or 204 with {@code Retry-After: 1} when there is nothing to read.
 *       {@code timeout} is how long to wait for data in ms (default 0: answer at once; capped at
 *       max-poll-wait-ms); {@code maxBytes} defaults to and is capped at max-poll-bytes. A broker that leads none
 *       of the consumer's partitions answers 204 at once. Both answers carry {@code Runnel-Broker} (this broker's
 *       ordinal) and {@code Runnel-Partition-Leaders} (the ordinals of the brokers leading the consumer's
 *       partitions, e.g. {@code 0,2}; see {@link PartitionLeaders});</li>
 *   <li>{@code POST /v1/consumer/commit?consumerId=}: 204;</li>
 *   <li>{@code POST /v1/consumer/goodbye?consumerId=}: 200.</li>
 * </ul>
 * An unknown consumer gets 409: register and retry. With client authentication on, registering needs
 * {@code consume} on every topic and {@code group} on the group; the registration records the principal, and
 * only it may register the same id again, poll, commit or say goodbye (403 for anyone else). The service does its work off the event loop;
 * this class only parses parameters and attaches callbacks.
 */
public final class ConsumerApi {
    private static final Logger log = LoggerFactory.getLogger(ConsumerApi.class);

    private final ConsumerService consumers;
    private final BrokerMetrics metrics;

    public ConsumerApi(ConsumerService consumers, BrokerMetrics metrics) {
        this.consumers = consumers;
        this.metrics = metrics;
    }

    public Router router(BooleanSupplier healthy) {
        return Router.builder("consumer")
                .open(HttpMethod.GET, "/status", StatusRoute.of("consumer", healthy))
                .put("/v1/consumer/register", this::register)
                .post("/v1/consumer/poll", this::poll)
                .post("/v1/consumer/commit", this::commit)
                .post("/v1/consumer/goodbye", this::goodbye)
                .build();
    }

    private CompletionStage<HttpReply> register(ApiRequest request) {
        request.query().allowOnly("consumerId", "group", "topic", "onNewGroup");
        String consumerId = request.query().required("consumerId");
        String group = request.query().optional("group").orElse("default");
        if (group.isBlank()) {
            throw Errors.BAD_QUERY.exception("query parameter 'group' must not be empty; leave it out for 'default'");
        }
        List<String> topics = request.query().all("topic");
        if (topics.isEmpty()) {
            throw Errors.BAD_QUERY.exception("query parameter 'topic' is required: subscribe to at least one topic (repeat it for more: ?topic=a&topic=b)");
        }
        for (String t : topics) {
            if (!TopicNames.isValid(t)) {
                throw Errors.INVALID_TOPIC.exception(TopicNames.problem(t));
            }
            if (TopicNames.isInternal(t)) {
                throw Errors.INVALID_TOPIC.exception("topic '" + t + "' is internal: names starting with '__' are reserved");
            }
        }
        Principal principal = request.principal();
        for (String t : topics) {
            principal.require(Grant.Kind.CONSUME, t);
        }
        principal.require(Grant.Kind.GROUP, group);
        StartPosition start;
        try {
            start = StartPosition.parse(request.query().optional("onNewGroup").orElse(StartPosition.LATEST.wireName()));
        } catch (IllegalArgumentException e) {
            throw Errors.BAD_QUERY.exception(e.getMessage());
        }
        CompletableFuture<Void> registered;
        try {
            registered = consumers.register(consumerId, group, topics, start, principal.owner());
        } catch (IllegalArgumentException e) {
            throw Errors.BAD_QUERY.exception(e.getMessage());
        } catch (IllegalStateException e) {
            throw closing();
        }
        // Answer only once the registration took effect: with startFromLatest, events produced
        // after this 200 must be read, so the start positions are fixed before it.
        return registered.handle((v, error) -> {
            if (error != null) {
                if (Errors.forException(error) == Errors.LIMIT_EXCEEDED) {
                    metrics.limitExceeded("consumers");
                }
                throw toError(error);
            }
            return HttpReply.json(HttpResponseStatus.OK, request.alloc(), json -> {
            json.writeStartObject();
            json.writeStringField("consumerId", consumerId);
            json.writeStringField("group", group);
            json.writeArrayFieldStart("topics");
            for (String t : topics) {
                json.writeString(t);
            }
            json.writeEndArray();
            json.writeStringField("onNewGroup", start.wireName());
            json.writeEndObject();
            });
        });
    }

    private CompletionStage<HttpReply> poll(ApiRequest request) {
        request.query().allowOnly("consumerId", "timeout", "maxBytes");
        String consumerId = request.query().required("consumerId");
        authorize(request.principal(), consumerId);
        long timeout = request.query().optionalLong("timeout", 0, Long.MAX_VALUE).orElse(0L);
        int maxBytes = request.query().optionalLong("maxBytes", 1, Integer.MAX_VALUE).orElse(0L).intValue();
        return consumers.poll(consumerId, timeout, maxBytes).handle((result, error) -> {
            if (error != null) {
                metrics.polled(Errors.forException(error) == Errors.NOT_REGISTERED ? "not_registered" : "error");
                throw toError(error);
            }
            if (result.isEmpty()) {
                metrics.polled("empty");
                return withLeaders(HttpReply.empty(HttpResponseStatus.NO_CONTENT)
                        .withHeader(HttpHeaderNames.RETRY_AFTER.toString(), "1"), result.leaders());
            }
            metrics.polled("data");
            return withLeaders(HttpReply.json(HttpResponseStatus.OK, PollResponseEncoder.encode(result, request.alloc())),
                    result.leaders());
        });
    }

    /** Says which broker answered and which lead the consumer's partitions (see {@link PartitionLeaders}). */
    private static HttpReply withLeaders(HttpReply reply, PartitionLeaders leaders) {
        if (!leaders.known()) {
            return reply;
        }
        return reply.withHeader(PartitionLeaders.BROKER_HEADER, Integer.toString(leaders.broker()))
                .withHeader(PartitionLeaders.LEADERS_HEADER, leaders.headerValue());
    }

    private CompletionStage<HttpReply> commit(ApiRequest request) {
        request.query().allowOnly("consumerId");
        String consumerId = request.query().required("consumerId");
        authorize(request.principal(), consumerId);
        return consumers.commit(consumerId).handle((v, error) -> {
            if (error != null) {
                throw toError(error);
            }
            return HttpReply.empty(HttpResponseStatus.NO_CONTENT);
        });
    }

    private CompletionStage<HttpReply> goodbye(ApiRequest request) {
        request.query().allowOnly("consumerId");
        String consumerId = request.query().required("consumerId");
        authorize(request.principal(), consumerId);
        return consumers.goodbye(consumerId).handle((v, error) -> {
            if (error != null) {
                throw toError(error);
            }
            return HttpReply.json(HttpResponseStatus.OK, request.alloc(), json -> {
                json.writeStartObject();
                json.writeStringField("consumerId", consumerId);
                json.writeStringField("status", "unregistered");
                json.writeEndObject();
            });
        });
    }

    /**
     * Whether {@code principal} may act as the consumer: it registered it, and still holds {@code consume} on each of
     * its topics and {@code group} on its group (a grant taken away stops its polls). An id this broker does not
     * know is left to the service, which answers {@code not_registered}.
     */
    private void authorize(Principal principal, String consumerId) {
        Optional<ConsumerRegistration> registration = consumers.registration(consumerId);
        if (registration.isEmpty()) {
            return;
        }
        ConsumerRegistration r = registration.get();
        if (!principal.owns(r.principal())) {
            throw Errors.FORBIDDEN.exception("consumer '" + consumerId + "' was registered by another principal");
        }
        for (String t : r.topics()) {
            principal.require(Grant.Kind.CONSUME, t);
        }
        principal.require(Grant.Kind.GROUP, r.group());
    }

    private static RunnelException toError(Throwable error) {
        Throwable cause = Futures.unwrap(error);
        if (cause instanceof RunnelException e) {
            return e;
        }
        if (cause instanceof IllegalArgumentException e) {
            return Errors.BAD_QUERY.exception(e.getMessage());
        }
        if (cause instanceof IllegalStateException) {
            return closing();
        }
        if (cause instanceof io.runnel.discovery.ClusterException e) {
            // No raft quorum (or this broker is leaving): the registration is not cluster-wide yet.
            return Errors.NO_QUORUM.exception("the cluster cannot record the consumer group change now ("
                    + e.getMessage() + "); retry").retryAfter(1);
        }
        if (cause instanceof io.runnel.storage.StorageException) {
            log.warn("consumer request failed in storage: {}", cause.toString());
            return Errors.STORAGE_UNAVAILABLE.exception("the broker's storage failed; retry later or on another broker");
        }
        log.error("consumer request failed", cause);
        return Errors.INTERNAL_ERROR.exception("unexpected error; see the broker's log");
    }

    private static RunnelException closing() {
        return Errors.SHUTTING_DOWN.exception("the broker is shutting down; retry on another broker");
    }
}
