package io.runnel.broker.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The HTTP client of the test harnesses: HTTP/1.1, bodies as strings, failures as unchecked exceptions. */
public final class TestHttp implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http;

    public TestHttp() {
        this(null);
    }

    /** A client that speaks TLS with {@code tls} ({@code null}: the JDK's default context). */
    public TestHttp(javax.net.ssl.SSLContext tls) {
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            b.sslContext(tls);
        }
        http = b.build();
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code method} to {@code uri} with an optional body ({@code null}: none) of {@code contentType}. */
    public HttpResponse<String> send(String method, URI uri, String contentType, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b.build());
    }

    public HttpResponse<String> get(URI uri) {
        return send("GET", uri, null, null);
    }

    public HttpResponse<String> post(URI uri) {
        return send("POST", uri, null, null);
    }

    public HttpResponse<String> post(URI uri, String contentType, String body) {
        return send("POST", uri, contentType, body);
    }

    public HttpResponse<String> put(URI uri) {
        return send("PUT", uri, null, null);
    }

    /** The body as JSON. */
    public static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + response.body(), e);
        }
    }

    @Override
    public void close() {
        http.close();
    }

    /** {@code /v1/topic/{topic}/messages}, with the key as {@code partitionKey} unless {@code null}. */
    public static String messages(String topic, String key) {
        return "/v1/topic/" + topic + "/messages" + (key == null ? "" : "?partitionKey=" + key);
    }
}
