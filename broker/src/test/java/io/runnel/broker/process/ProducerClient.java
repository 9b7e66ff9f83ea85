package io.runnel.broker.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Sends one NDJSON batch at a time to a broker's producer API
 * ({@code POST /v1/topic/{topic}/messages?partitionKey=}) and parses the acknowledgement. Test
 * events are small JSON objects carrying their own partition key and a unique id, so that a reader
 * can tell exactly which acknowledged event it sees ({@link #event}).
 *
 * <p>Thread-safe (one {@link HttpClient} shared by all callers).
 */
public final class ProducerClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final Duration requestTimeout;
    private final HttpClient http;

    /**
     * @param base           {@code http://address:port} of the producer API
     * @param requestTimeout how long one request may take before it counts as failed
     */
    public ProducerClient(URI base, Duration requestTimeout) {
        this.base = base;
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    /** What the broker answered with 200: where the batch was stored. */
    public record Ack(String topic, int partition, long offset, int count) {
    }

    /** The broker answered, but not with 200: nothing was acknowledged. */
    public static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;

        Rejected(int status, String body) {
            super("HTTP " + status + ": " + body);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** A test event: {@code {"key":...,"id":...}} (ids must be unique within a test). */
    public static String event(String key, String id) {
        ObjectNode e = JSON.createObjectNode();
        e.put("key", key);
        e.put("id", id);
        return e.toString();
    }

    /**
     * Posts {@code events} (JSON objects, one per line) with {@code key} as partition key.
     *
     * @throws IOException if no answer arrived (refused, reset, timed out): the batch may or may not
     *                     have been stored
     * @throws Rejected    for any status but 200
     * @throws IllegalStateException for a 200 whose body is not {@code {"topic","partition","offset","count"}}
     */
    public Ack send(String topic, String key, List<String> events) throws IOException, Rejected, InterruptedException {
        StringBuilder body = new StringBuilder();
        for (String e : events) {
            body.append(e).append('\n');
        }
        URI uri = URI.create(base + "/v1/topic/" + topic + "/messages?partitionKey="
                + URLEncoder.encode(key, StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new Rejected(response.statusCode(), response.body());
        }
        try {
            JsonNode ack = JSON.readTree(response.body());
            return new Ack(ack.path("topic").asText(), ack.path("partition").asInt(-1),
                    Long.parseLong(ack.path("offset").asText()), ack.path("count").asInt(-1));
        } catch (IOException | NumberFormatException e) {
            // A 200 was received: the batch is acknowledged, but the answer breaks the contract.
            throw new IllegalStateException("200 with a body that is not an acknowledgement: " + response.body(), e);
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
