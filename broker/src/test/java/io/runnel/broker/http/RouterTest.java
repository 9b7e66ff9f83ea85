package io.runnel.broker.http;

import io.runnel.broker.common.RunnelException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class RouterTest {
    private final RouteHandler h = r -> CompletableFuture.completedFuture(null);
    private final Router router = Router.builder("producer")
            .get("/status", h)
            .post("/v1/topic/{topic}/messages", h)
            .put("/v1/topic/{topic}/messages", h)
            .build();

    @Test
    void matchesPathParametersPercentDecoded() {
        assertThat(router.match(HttpMethod.POST, "/v1/topic/a%2Eb/messages").pathParams()).containsEntry("topic", "a.b");
        assertThat(router.match(HttpMethod.POST, "/v1/topic/a+b/messages").pathParams()).containsEntry("topic", "a+b");
        assertThat(router.match(HttpMethod.GET, "/status").pathParams()).isEmpty();
    }

    @Test
    void unknownPathsAre404() {
        for (String path : List.of("/", "/v1/topic//messages", "/v1/topic/a/messages/", "/status/x", "/v1/topic/a")) {
            assertThatThrownBy(() -> router.match(HttpMethod.POST, path)).as(path)
                    .isInstanceOfSatisfying(RunnelException.class, e -> assertThat(e.error().httpStatus()).isEqualTo(404));
        }
    }

    @Test
    void wrongMethodIs405ListingTheAllowedOnes() {
        assertThatThrownBy(() -> router.match(HttpMethod.GET, "/v1/topic/a/messages"))
                .isInstanceOfSatisfying(RunnelException.class, e -> {
                    assertThat(e.error().httpStatus()).isEqualTo(405);
                    assertThat(e.allow()).isEqualTo("POST, PUT");
                });
    }

    @Test
    void queryParamsAreStrict() {
        QueryParams q = QueryParams.parse("/x?a=1&b=&c=1&c=2");
        assertThat(q.optional("a")).contains("1");
        assertThat(q.all("c")).containsExactly("1", "2");
        assertThatThrownBy(() -> q.optional("c")).hasMessageContaining("at most once");
        assertThatThrownBy(() -> q.required("b")).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> q.required("z")).hasMessageContaining("is required");
        assertThatThrownBy(() -> q.allowOnly("a", "b")).hasMessageContaining("unknown query parameter 'c'");
        assertThatThrownBy(() -> QueryParams.parse("/x?a=%zz")).isInstanceOf(RunnelException.class);
        assertThatThrownBy(() -> QueryParams.parse("/x?n=abc").optionalLong("n", 0, 10)).hasMessageContaining("whole number");
        assertThatThrownBy(() -> QueryParams.parse("/x?n=11").optionalLong("n", 0, 10)).hasMessageContaining("between 0 and 10");
    }
}
