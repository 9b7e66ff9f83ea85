package io.runnel.broker.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The whole per-connection pipeline on an {@link EmbeddedChannel}: raw bytes in, raw bytes out. */
class HttpPipelineTest {
    private static final HttpLimits LIMITS = new HttpLimits(256, 1024, 2048, 1000);

    private final List<String> statuses = new ArrayList<>();
    private final CompletableFuture<HttpReply> pending = new CompletableFuture<>();
    private final Router router = Router.builder("test")
            .get("/hello", r -> CompletableFuture.completedFuture(HttpReply.json(HttpResponseStatus.OK, r.alloc(),
                    json -> {
                        json.writeStartObject();
                        json.writeStringField("q", r.query().optional("q").orElse(""));
                        json.writeEndObject();
                    })))
            .post("/echo/{name}", r -> CompletableFuture.completedFuture(HttpReply.json(HttpResponseStatus.OK, r.alloc(),
                    json -> {
                        json.writeStartObject();
                        json.writeStringField("name", r.pathParam("name"));
                        json.writeNumberField("bytes", r.body().readableBytes());
                        json.writeEndObject();
                    })))
            .get("/later", r -> pending)
            .get("/boom", r -> {
                throw new IllegalStateException("bug");
            })
            .build();
    private final EmbeddedChannel channel = frozenChannel();

    /**
     * Time is frozen before the pipeline (and its deadline timer) exists, so only advanceTimeBy
     * moves the clock: wall time spent on a loaded machine cannot fire a deadline early.
     */
    private EmbeddedChannel frozenChannel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new HttpServerInitializer(router, LIMITS, (api, status) -> statuses.add(api + ":" + status), HttpSecurity.none(),
                HttpGuards.unlimited()));
        return ch;
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private String exchange(String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        channel.runPendingTasks();
        return readOutbound();
    }

    private String readOutbound() {
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.UTF_8));
            buf.release();
        }
        return out.toString();
    }

    @Test
    void routesAndKeepsTheConnectionAlive() {
        String first = exchange("GET /hello?q=x HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(first).startsWith("HTTP/1.1 200 OK\r\n").contains("content-type: application/json")
                .endsWith("{\"q\":\"x\"}");
        String second = exchange("POST /echo/a%2Fb HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
        assertThat(second).startsWith("HTTP/1.1 200 OK").endsWith("{\"name\":\"a/b\",\"bytes\":3}");
        assertThat(channel.isActive()).isTrue();
        assertThat(statuses).containsExactly("test:200", "test:200");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() {
        channel.writeInbound(Unpooled.copiedBuffer(
                "GET /later HTTP/1.1\r\nHost: a\r\n\r\nGET /hello?q=2 HTTP/1.1\r\nHost: a\r\n\r\n", StandardCharsets.US_ASCII));
        channel.runPendingTasks();
        assertThat(readOutbound()).isEmpty(); // the second waits for the first
        pending.complete(HttpReply.empty(HttpResponseStatus.NO_CONTENT));
        channel.runPendingTasks();
        String out = readOutbound();
        assertThat(out).startsWith("HTTP/1.1 204 No Content");
        assertThat(out.indexOf("HTTP/1.1 200 OK")).isGreaterThan(0);
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405WithAllow() {
        assertThat(exchange("GET /nope HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 404 Not Found")
                .contains("{\"error\":\"not_found\",\"message\":");
        assertThat(exchange("DELETE /hello HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 405 Method Not Allowed")
                .contains("allow: GET").contains("\"error\":\"method_not_allowed\"");
    }

    @Test
    void aFailingRouteIs500Json() {
        assertThat(exchange("GET /boom HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 500")
                .contains("\"error\":\"internal_error\"");
    }

    @Test
    void http10WithoutKeepAliveIsClosed() {
        assertThat(exchange("GET /hello HTTP/1.0\r\n\r\n")).contains("connection: close");
        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void headersOverTheLimitAre431() {
        String out = exchange("GET /hello HTTP/1.1\r\nHost: a\r\nX-Big: " + "x".repeat(2000) + "\r\n\r\n");
        assertThat(out).startsWith("HTTP/1.1 431").contains("\"error\":\"headers_too_large\"").contains("connection: close");
        assertThat(channel.isActive()).isFalse();
        assertThat(statuses).containsExactly("test:431");
    }

    @Test
    void aRequestLineOverTheLimitIs414() {
        String out = exchange("GET /hello?q=" + "x".repeat(400) + " HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(out).startsWith("HTTP/1.1 414").contains("\"error\":\"uri_too_long\"");
    }

    @Test
    void garbageIs400() {
        String out = exchange("HELLO\r\n\r\n");
        assertThat(out).startsWith("HTTP/1.1 400").contains("\"error\":\"bad_request\"");
    }

    @Test
    void aDeclaredBodyOverTheLimitIs413BeforeItIsRead() {
        String out = exchange("POST /echo/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n");
        assertThat(out).startsWith("HTTP/1.1 413").doesNotContain("100 Continue").contains("\"error\":\"request_too_large\"");
        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void aChunkedBodyGrowingOverTheLimitIs413() {
        String chunk = Integer.toHexString(1500) + "\r\n" + "y".repeat(1500) + "\r\n";
        String out = exchange("POST /echo/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk + "0\r\n\r\n");
        assertThat(out).startsWith("HTTP/1.1 413").contains("\"error\":\"request_too_large\"");
        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void aBodyWithinTheLimitWithExpectContinueGets100First() {
        channel.writeInbound(Unpooled.copiedBuffer(
                "POST /echo/x HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n", StandardCharsets.US_ASCII));
        assertThat(readOutbound()).startsWith("HTTP/1.1 100 Continue");
        String out = exchange("abcd");
        assertThat(out).startsWith("HTTP/1.1 200 OK").endsWith("\"bytes\":4}");
    }

    @Test
    void anIdleConnectionIsClosedAfterTheReadTimeout() {
        channel.advanceTimeBy(999, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isActive()).isTrue();
        channel.advanceTimeBy(2, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isActive()).isFalse();
        assertThat(readOutbound()).isEmpty();
    }

    @Test
    void aRequestTricklingInIsAnswered408AtItsDeadline() {
        channel.writeInbound(Unpooled.copiedBuffer("GET /hel", StandardCharsets.US_ASCII));
        for (int i = 0; i < 4; i++) {
            channel.advanceTimeBy(200, TimeUnit.MILLISECONDS);
            channel.runScheduledPendingTasks();
            channel.writeInbound(Unpooled.copiedBuffer("l", StandardCharsets.US_ASCII)); // more bytes do not extend it
        }
        channel.advanceTimeBy(201, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(readOutbound()).startsWith("HTTP/1.1 408").contains("\"error\":\"request_timeout\"");
        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void noTimeoutWhileARouteWorks() {
        channel.writeInbound(Unpooled.copiedBuffer("GET /later HTTP/1.1\r\nHost: a\r\n\r\n", StandardCharsets.US_ASCII));
        channel.advanceTimeBy(5, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isActive()).isTrue();
        pending.complete(HttpReply.empty(HttpResponseStatus.NO_CONTENT));
        channel.runPendingTasks();
        assertThat(readOutbound()).startsWith("HTTP/1.1 204");
        // Idle again: the timer restarts from the answer.
        channel.advanceTimeBy(1001, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isActive()).isFalse();
    }
}
