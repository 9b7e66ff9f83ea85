package io.runnel.broker.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;

/** Checks of admin API answers: status, and the JSON error contract {"error":kind,"message":text}. */
final class HttpResponseAssert {
    private HttpResponseAssert() {
    }

    static HttpResponse<String> status(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as("%s %s: %s", r.request().method(), r.uri(), r.body()).isEqualTo(status);
        return r;
    }

    static JsonNode error(HttpResponse<String> r, int status, String kind) {
        status(r, status);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode json = RunnelNode.json(r);
        assertThat(json.size()).as(r.body()).isEqualTo(2);
        assertThat(json.path("error").asText()).as(r.body()).isEqualTo(kind);
        assertThat(json.path("message").asText()).as(r.body()).isNotBlank();
        return json;
    }
}
