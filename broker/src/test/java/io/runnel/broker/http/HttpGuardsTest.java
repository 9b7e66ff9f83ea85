package io.runnel.broker.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.runnel.broker.common.InFlightBudget;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The budget of bytes in flight and the connection caps, on the whole pipeline of {@link EmbeddedChannel}s. */
class HttpGuardsTest {
    private static final HttpLimits LIMITS = new HttpLimits(256, 1024, 4096, 60_000);

    private final List<CompletableFuture<HttpReply>> waiting = new ArrayList<>();
    private final Router router = Router.builder("test")
            .post("/hold", r -> {
                CompletableFuture<HttpReply> f = new CompletableFuture<>();
                waiting.add(f);
                return f;
            })
            .get("/big", r -> CompletableFuture.completedFuture(HttpReply.json(HttpResponseStatus.OK, r.alloc(), json -> {
                json.writeStartObject();
                json.writeStringField("pad", "x".repeat(3000));
                json.writeEndObject();
            })))
            .build();
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    private EmbeddedChannel connect(HttpGuards guards) {
        // Registered (and active) only once the pipeline is there, as an accepted connection is.
        EmbeddedChannel ch = new EmbeddedChannel(false, false);
        ch.pipeline().addLast(new HttpServerInitializer(router, LIMITS, (api, status) -> { }, HttpSecurity.none(), guards));
        try {
            ch.register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        ch.freezeTime(); // the read timeout (60 s) cannot fire during the test
        channels.add(ch);
        return ch;
    }

    @AfterEach
    void close() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    private static String send(EmbeddedChannel ch, String request) {
        ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        ch.runPendingTasks();
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = ch.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.UTF_8));
            buf.release();
        }
        return out.toString();
    }

    private static String post(int bodyBytes) {
        return "POST /hold HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: " + bodyBytes + "\r\n\r\n"
                + "1".repeat(bodyBytes);
    }

    @Test
    void aBodyThatDoesNotFitTheBudgetGets429UnreadAndTheBudgetComesBack() {
        InFlightBudget budget = new InFlightBudget(3000);
        HttpGuards guards = new HttpGuards(budget, new ConnectionLimiter.Counts(100, 100));
        EmbeddedChannel first = connect(guards);
        assertThat(send(first, post(2000))).isEmpty(); // held by the route
        assertThat(budget.used()).isEqualTo(2000);

        EmbeddedChannel second = connect(guards);
        String refused = send(second, post(2000));
        assertThat(refused).startsWith("HTTP/1.1 429 Too Many Requests\r\n").contains("retry-after: 1")
                .contains("\"error\":\"too_many_requests\"").contains("max-in-flight-mb");
        assertThat(waiting).as("the refused request never reached its route").hasSize(1);
        assertThat(budget.used()).isEqualTo(2000);
        assertThat(budget.refused()).isEqualTo(1);

        EmbeddedChannel small = connect(guards);
        assertThat(send(small, post(500))).isEmpty();
        assertThat(budget.used()).isEqualTo(2500);

        waiting.get(0).complete(HttpReply.empty(HttpResponseStatus.NO_CONTENT));
        first.runPendingTasks();
        assertThat(first.<ByteBuf>readOutbound()).satisfies(b -> {
            assertThat(b.toString(StandardCharsets.UTF_8)).startsWith("HTTP/1.1 204");
            b.release();
        });
        assertThat(budget.used()).isEqualTo(500);
        small.close();
        assertThat(budget.used()).as("its route still holds the body").isEqualTo(500);
        waiting.get(1).complete(HttpReply.empty(HttpResponseStatus.NO_CONTENT));
        small.runPendingTasks();
        assertThat(budget.used()).as("a closed connection gives back what its requests held").isEqualTo(0);
    }

    @Test
    void anAnswerCountsUntilItIsWritten() {
        InFlightBudget budget = new InFlightBudget(1 << 20);
        EmbeddedChannel ch = connect(new HttpGuards(budget, new ConnectionLimiter.Counts(100, 100)));
        assertThat(send(ch, "GET /big HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 200");
        assertThat(budget.used()).isZero();
    }

    @Test
    void connectionsOverTheCapAreAnswered503AndClosed() {
        ConnectionLimiter.Counts counts = new ConnectionLimiter.Counts(2, 100);
        HttpGuards guards = new HttpGuards(InFlightBudget.unlimited(), counts);
        connect(guards);
        connect(guards);
        assertThat(counts.open()).isEqualTo(2);
        EmbeddedChannel third = connect(guards);
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = third.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.UTF_8));
            buf.release();
        }
        assertThat(out.toString()).startsWith("HTTP/1.1 503 Service Unavailable\r\n").contains("max-connections")
                .contains("retry-after: 1");
        assertThat(third.isOpen()).isFalse();
        assertThat(counts.refused()).isEqualTo(1);
        assertThat(counts.open()).as("the refused one is not counted once closed").isEqualTo(2);
        channels.get(0).close();
        assertThat(counts.open()).isEqualTo(1);
        assertThat(connect(guards).isOpen()).isTrue();
    }
}
