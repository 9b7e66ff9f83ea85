package io.runnel.broker;

import io.runnel.broker.testing.TestBroker;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;

/** Checks of the API's error contract: status, JSON content type, {"error":kind,"message":text}. */
final class ApiAssertions {
    private ApiAssertions() {
    }

    static JsonNode assertError(HttpResponse<String> response, int status, String kind) {
        assertThat(response.statusCode()).as("status of %s: %s", response.uri(), response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        return assertErrorBody(response.body(), kind);
    }

    static JsonNode assertErrorBody(String body, String kind) {
        JsonNode json;
        try {
            json = TestBroker.JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("error body is not JSON: " + body, e);
        }
        assertThat(json.isObject()).as(body).isTrue();
        assertThat(json.size()).as(body).isEqualTo(2);
        assertThat(json.path("error").asText()).as(body).isEqualTo(kind);
        assertThat(json.path("message").asText()).as(body).isNotBlank();
        return json;
    }

    /** For raw responses: status line, JSON error body and that the server closed the connection. */
    static JsonNode assertRawError(String response, int status, String kind) {
        assertThat(response).as(response).startsWith("HTTP/1.1 " + status + " ");
        assertThat(response.toLowerCase()).contains("content-type: application/json").contains("connection: close");
        return assertErrorBody(TestBroker.rawBody(response), kind);
    }
}
