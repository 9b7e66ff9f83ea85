package io.runnel.broker.admin;

import io.runnel.broker.security.Grant;
import io.runnel.broker.http.RouteHandler;
import io.netty.handler.codec.http.HttpMethod;
import io.runnel.broker.common.TopicNames;
import io.runnel.broker.common.Errors;
import io.runnel.broker.common.Futures;
import io.runnel.broker.common.RunnelException;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.runnel.broker.consume.ConsumerService;
import io.runnel.broker.consume.GroupView;
import io.runnel.broker.http.ApiRequest;
import io.runnel.broker.http.HttpReply;
import io.runnel.broker.http.Router;
import io.runnel.broker.http.StatusRoute;
import io.runnel.broker.metrics.BrokerMetrics;
import io.runnel.broker.node.Topology;
import io.runnel.storage.TopicInfo;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The discovery and admin API (port 9250): {@code GET /status}, {@code GET /v1/brokers} (Barco's
 * shape: every broker of the cluster), {@code GET /v1/topology} (generations, ISRs, offsets),
 * {@code GET /v1/topics} (internal topics left out), {@code GET /v1/groups}, {@code GET /v1/groups/{group}}
 * (committed offsets, and the lag of the partitions this broker leads: each broker answers for its own),
 * {@code POST /v1/groups/{group}/seek} ({@link GroupSeek}) and
 * {@code GET /metrics} (Prometheus text). Store reads and scrapes run on the worker pool. The bridge
 * admin API ({@code /v1/bridges}, {@link io.runnel.broker.bridge.BridgeApi}) is added to the same router.
 */
public final class DiscoveryApi {
    private final AdminContext ctx;
    private final GroupSeek seek;
    private final GroupLag groupLag;

    /** What {@code /v1/brokers} tells: names and the ports actually bound. */
    public record BrokerView(List<String> names, int producerPort, int consumerPort) {
    }

    public DiscoveryApi(AdminContext ctx) {
        this.ctx = ctx;
        this.seek = new GroupSeek(ctx.consumers(), ctx.cluster(), ctx.remoteGroups());
        this.groupLag = new GroupLag(ctx.consumers(), ctx.cluster(), ctx.remoteGroups());
    }

    /**
     * The routes above plus those {@code more} adds (the bridge admin API, {@code /v1/bridges}).
     *
     * @param healthy what {@code /status} reports
     */
    public Router router(BooleanSupplier healthy, boolean metricsOpen, UnaryOperator<Router.Builder> more) {
        Router.Builder routes = Router.builder("discovery")
                .open(HttpMethod.GET, "/status", StatusRoute.of("discovery", healthy))
                .get("/v1/brokers", this::brokers)
                .get("/v1/topology", this::topology)
                .get("/v1/topics", this::topics)
                .get("/v1/groups", RouteHandler.requiring(Grant.Kind.ADMIN, this::groups))
                .get("/v1/groups/{group}", this::group)
                .post("/v1/groups/{group}/seek", RouteHandler.requiring(Grant.Kind.ADMIN, this::seek));
        routes = metricsOpen ? routes.open(HttpMethod.GET, "/metrics", this::metrics)
                : routes.get("/metrics", RouteHandler.requiring(Grant.Kind.METRICS, this::metrics));
        return more.apply(routes).build();
    }

    private CompletionStage<HttpReply> brokers(ApiRequest request) {
        request.query().allowOnly();
        BrokerView view = ctx.brokers().get();
        return CompletableFuture.completedFuture(HttpReply.json(HttpResponseStatus.OK, request.alloc(), json -> {
            json.writeStartObject();
            json.writeNumberField("length", view.names().size());
            json.writeArrayFieldStart("names");
            for (String name : view.names()) {
                json.writeString(name);
            }
            json.writeEndArray();
            json.writeNumberField("producerPort", view.producerPort());
            json.writeNumberField("consumerPort", view.consumerPort());
            json.writeEndObject();
        }));
    }

    private CompletionStage<HttpReply> topology(ApiRequest request) {
        request.query().allowOnly();
        return onWorker(() -> {
            Topology t = ctx.topology().get();
            return HttpReply.json(HttpResponseStatus.OK, request.alloc(), json -> TopologyWriter.write(json, t));
        });
    }

        private CompletionStage<HttpReply> topics(ApiRequest request) {
        request.query().allowOnly();
        return onWorker(() -> {
            List<TopicInfo> topics = ctx.store().topics().stream().filter(t -> !TopicNames.isInternal(t.name()))
                    .sorted(Comparator.comparing(TopicInfo::name)).toList();
            return HttpReply.json(HttpResponseStatus.OK, request.alloc(), json -> {
                json.writeStartObject();
                json.writeArrayFieldStart("topics");
                for (TopicInfo t : topics) {
                    json.writeStartObject();
                    json.writeStringField("name", t.name());
                    json.writeNumberField("partitions", ctx.cluster().ring().partitionCount());
                    json.writeNumberField("retentionMs", t.config().retention().toMillis());
                    json.writeNumberField("retentionBytes", t.config().retentionBytes());
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeEndObject();
            });
        });
    }

    private CompletionStage<HttpReply> groups(ApiRequest request) {
        request.query().allowOnly();
        return ctx.consumers().groups().thenApply(groups -> HttpReply.json(HttpResponseStatus.OK, request.alloc(), json -> {
            json.writeStartObject();
            json.writeArrayFieldStart("groups");
            for (GroupView g : groups) {
                writeGroup(json, g, null);
            }
            json.writeEndArray();
            json.writeEndObject();
        }));
    }

    private CompletionStage<HttpReply> group(ApiRequest request) {
        request.query().allowOnly();
        String name = request.pathParam("group");
        request.principal().require(Grant.Kind.GROUP, name);
        return groupLag.view(name).thenApply(group -> {
            GroupLag.View v = group.orElseThrow(() -> Errors.UNKNOWN_GROUP.exception("no consumer group '" + name + "' on this broker"));
            return HttpReply.json(HttpResponseStatus.OK, request.alloc(), json -> writeGroup(json, v.group(), v.unanswered()));
        });
    }

    /**
     * {@code POST /v1/groups/{group}/seek?topic=T&to=earliest|latest|timestamp|offset[&timestamp=ms]
     * [&partition=P][&offset=O]}: moves the group's committed offsets (backwards too) in every partition
     * of {@code T}, or only {@code P} ({@code to=offset} needs both {@code partition} and {@code offset}).
     * 200 {@code {"group","topic","partitions":[{"partition","offset"}]}}.
     */
    private CompletionStage<HttpReply> seek(ApiRequest request) {
        request.query().allowOnly("topic", "to", "timestamp", "partition", "offset");
        String group = request.pathParam("group");
        String topic = request.query().required("topic");
        if (!TopicNames.isValid(topic) || TopicNames.isInternal(topic)) {
            throw Errors.INVALID_TOPIC.exception(TopicNames.isInternal(topic)
                    ? "topics starting with '__' are internal" : TopicNames.problem(topic));
        }
        String to = request.query().required("to");
        java.util.Optional<Long> partition = request.query().optionalLong("partition", 0, seek.partitionCount() - 1);
        ConsumerService.SeekTarget target = switch (to) {
            case "earliest" -> new ConsumerService.SeekTarget.Earliest();
            case "latest" -> new ConsumerService.SeekTarget.Latest();
            case "timestamp" -> new ConsumerService.SeekTarget.Timestamp(request.query().optionalLong("timestamp", 0, Long.MAX_VALUE)
                    .orElseThrow(() -> Errors.BAD_QUERY.exception("to=timestamp needs timestamp=<epoch ms>")));
            case "offset" -> {
                if (partition.isEmpty()) {
                    throw Errors.BAD_QUERY.exception("to=offset needs partition=<p> and offset=<o>");
                }
                yield new ConsumerService.SeekTarget.Offset(request.query().optionalLong("offset", 0, Long.MAX_VALUE)
                        .orElseThrow(() -> Errors.BAD_QUERY.exception("to=offset needs offset=<o>")));
            }
            default -> throw Errors.BAD_QUERY.exception("to must be earliest, latest, timestamp or offset, not '" + to + "'");
        };
        List<Integer> partitions = partition.isPresent() ? List.of(partition.get().intValue())
                : java.util.stream.IntStream.range(0, seek.partitionCount()).boxed().toList();
        return seek.seek(new GroupSeek.Request(group, topic, target, partitions)).handle((commits, error) -> {
            if (error != null) {
                throw seekError(error);
            }
            return HttpReply.json(HttpResponseStatus.OK, request.alloc(), json -> {
                json.writeStartObject();
                json.writeStringField("group", group);
                json.writeStringField("topic", topic);
                json.writeArrayFieldStart("partitions");
                for (io.runnel.broker.consume.OffsetCommit c : commits) {
                    json.writeStartObject();
                    json.writeNumberField("partition", c.partition());
                    json.writeStringField("offset", Long.toString(c.offset()));
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeEndObject();
            });
        });
    }

    /**
     * @param unanswered leaders whose partitions' lag is missing ({@code GET /v1/groups/{group}}), or {@code null}
     *                   for the list ({@code GET /v1/groups}), where each broker answers for the partitions it leads
     */
    private static void writeGroup(com.fasterxml.jackson.core.JsonGenerator json, GroupView g, Set<Integer> unanswered)
            throws java.io.IOException {
        json.writeStartObject();
        json.writeStringField("group", g.group());
        json.writeArrayFieldStart("members");
        for (GroupView.Member m : g.members()) {
            json.writeStartObject();
            json.writeStringField("consumerId", m.consumerId());
            json.writeArrayFieldStart("topics");
            for (String t : m.topics()) {
                json.writeString(t);
            }
            json.writeEndArray();
            json.writeStringField("onNewGroup", m.onNewGroup().wireName());
            json.writeStringField("lastSeen", m.lastSeen().toString());
            json.writeArrayFieldStart("assignment");
            for (GroupView.Assigned a : m.assignment()) {
                json.writeStartObject();
                json.writeStringField("topic", a.topic());
                json.writeNumberField("partition", a.partition());
                json.writeStringField("position", Long.toString(a.position()));
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeArrayFieldStart("committed");
        for (GroupView.CommittedOffset c : g.committed()) {
            json.writeStartObject();
            json.writeStringField("topic", c.topic());
            json.writeNumberField("partition", c.partition());
            json.writeStringField("offset", Long.toString(c.offset()));
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeArrayFieldStart("partitions");
        for (GroupView.Lag l : g.lag()) {
            json.writeStartObject();
            json.writeStringField("topic", l.topic());
            json.writeNumberField("partition", l.partition());
            json.writeStringField("committed", Long.toString(l.committed()));
            json.writeStringField("highWatermark", Long.toString(l.highWatermark()));
            json.writeStringField("lag", Long.toString(l.lag()));
            json.writeNumberField("leader", l.leader());
            json.writeEndObject();
        }
        json.writeEndArray();
        if (unanswered != null && !unanswered.isEmpty()) {
            json.writeArrayFieldStart("lagMissingFrom");
            for (int b : unanswered) {
                json.writeNumber(b);
            }
            json.writeEndArray();
        }
        json.writeEndObject();
    }

    private CompletionStage<HttpReply> metrics(ApiRequest request) {
        request.query().allowOnly();
        return onWorker(() -> {
            byte[] text = ctx.metrics().scrape().getBytes(StandardCharsets.UTF_8);
            ByteBuf body = request.alloc().buffer(text.length).writeBytes(text);
            return HttpReply.of(HttpResponseStatus.OK, BrokerMetrics.contentType(), body);
        });
    }

    private static RuntimeException seekError(Throwable error) {
        Throwable cause = Futures.unwrap(error);
        return switch (cause) {
            case RunnelException e -> e;
            case IllegalArgumentException e -> Errors.BAD_QUERY.exception(e.getMessage());
            case IllegalStateException e -> Errors.SHUTTING_DOWN.exception("the broker is shutting down; retry");
            default -> cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        };
    }

    private CompletionStage<HttpReply> onWorker(Supplier<HttpReply> work) {
        try {
            return CompletableFuture.supplyAsync(work, ctx.workers());
        } catch (RejectedExecutionException e) {
            throw Errors.OVERLOADED.exception("the broker is busy; retry shortly");
        }
    }
}
