package io.runnel.broker.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.runnel.broker.common.InFlightBudget;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * The whole HTTP pipeline (decoder, limits, budget, aggregator, router, query and path parsing) against any bytes
 * and against mangled requests: every answer is a well-formed HTTP answer below 500, nothing escapes the pipeline
 * as an exception, and every byte of the budget comes back. Tries: {@code jqwik.tries.default}.
 */
class HttpRequestFuzzTest {
    private static final HttpLimits LIMITS = new HttpLimits(512, 2048, 4096, 60_000);
    private final Router router = Router.builder("fuzz")
            .get("/v1/things/{name}", r -> {
                r.query().allowOnly("a", "b");
                String a = r.query().optional("a").orElse("");
                long b = r.query().optionalLong("b", 0, 1000).orElse(0L);
                return CompletableFuture.completedFuture(HttpReply.json(HttpResponseStatus.OK, r.alloc(), json -> {
                    json.writeStartObject();
                    json.writeStringField("name", r.pathParam("name"));
                    json.writeStringField("a", a);
                    json.writeNumberField("b", b);
                    json.writeEndObject();
                }));
            })
            .post("/v1/things/{name}", r -> CompletableFuture.completedFuture(HttpReply.empty(HttpResponseStatus.NO_CONTENT)))
            .build();

    @Property
    void anyBytes(@ForAll @Size(max = 600) byte[] input) {
        check(input);
    }

    @Property
    void mangledRequests(@ForAll("requests") String request) {
        check(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Provide
    Arbitrary<String> requests() {
        Arbitrary<String> method = Arbitraries.of("GET", "POST", "PUT", "DELETE", "get", "", "G\u0000T", "OPTIONS");
        Arbitrary<String> path = Arbitraries.of("/v1/things/x", "/v1/things/%", "/v1/things/%zz", "/v1/things/a%2Fb",
                "/v1/things/", "/v1//things/x", "//", "*", "/v1/things/x?a=1&b=2", "/v1/things/x?b=-1", "/v1/things/x?b=x",
                "/v1/things/x?a=%", "/v1/things/x?c=1", "/v1/things/" + "x".repeat(600), "/v1/things/x?a=1&a=2", "/%00");
        Arbitrary<String> header = Arbitraries.of("Host: a", "Content-Length: 5", "Content-Length: -1",
                "Content-Length: 99999999999", "Content-Length: 5, 6", "Transfer-Encoding: chunked", "Expect: 100-continue",
                "Connection: close", "X: " + "y".repeat(3000), "Bad Header", ": x", "Content-Type: application/json");
        Arbitrary<String> body = Arbitraries.of("", "hello", "5\r\nhello\r\n0\r\n\r\n", "zz\r\n", "{\"a\":1}");
        return net.jqwik.api.Combinators.combine(method, path, header.list().ofMaxSize(4), body, Arbitraries.of(" HTTP/1.1", " HTTP/1.0", "", " HTTP/2"))
                .as((m, p, hs, b, v) -> m + " " + p + v + "\r\n" + String.join("\r\n", hs) + (hs.isEmpty() ? "" : "\r\n") + "\r\n" + b);
    }

    /** Answers back to back: a status line below 500, headers, and a body of exactly its Content-Length. */
    private static void assertWellFormedAnswers(String out) {
        int at = 0;
        while (at < out.length()) {
            String rest = out.substring(at);
            assertThat(rest).as("an answer").matches("(?s)HTTP/1\\.[01] [1-4]\\d\\d .*");
            int headEnd = rest.indexOf("\r\n\r\n");
            assertThat(headEnd).as("the end of the headers of " + rest).isPositive();
            java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)\r\ncontent-length: *(\\d+)")
                    .matcher(rest.substring(0, headEnd));
            boolean bodiless = rest.startsWith("HTTP/1.1 1") || rest.startsWith("HTTP/1.1 204");
            boolean hasLength = length.find();
            assertThat(hasLength || bodiless).as("a Content-Length in " + rest).isTrue();
            at += headEnd + 4 + (hasLength ? Integer.parseInt(length.group(1)) : 0);
        }
        assertThat(at).as("no bytes beyond the last answer's body").isEqualTo(out.length());
    }

    private void check(byte[] input) {
        InFlightBudget budget = new InFlightBudget(1 << 20);
        HttpGuards guards = new HttpGuards(budget, new ConnectionLimiter.Counts(10, 10));
        EmbeddedChannel ch = new EmbeddedChannel(false, false);
        ch.pipeline().addLast(new HttpServerInitializer(router, LIMITS, (api, status) -> { }, HttpSecurity.none(), guards));
        try {
            ch.register();
            ch.writeInbound(Unpooled.wrappedBuffer(input));
            ch.runPendingTasks();
            ch.checkException();
            StringBuilder out = new StringBuilder();
            ByteBuf buf;
            while ((buf = ch.readOutbound()) != null) {
                out.append(buf.toString(StandardCharsets.ISO_8859_1));
                buf.release();
            }
            assertWellFormedAnswers(out.toString());
        } catch (Exception e) {
            throw new AssertionError("the pipeline threw on " + new String(input, StandardCharsets.ISO_8859_1), e);
        } finally {
            ch.finishAndReleaseAll();
            ch.close();
        }
        assertThat(budget.used()).as("budget given back").isZero();
    }
}
