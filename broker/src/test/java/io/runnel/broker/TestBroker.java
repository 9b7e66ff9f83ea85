package io.runnel.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnel.broker.config.BrokerConfig;
import io.runnel.broker.config.Option;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/** A real broker on loopback with ephemeral ports and a temporary data directory, plus HTTP helpers. */
final class TestBroker implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final Broker broker;
    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private TestBroker(Broker broker) {
        this.broker = broker;
    }

    static BrokerConfig config(Path dataDir, Map<Option, String> overrides) {
        Map<Option, String> values = new EnumMap<>(Option.class);
        values.put(Option.BIND_ADDRESS, "127.0.0.1");
        values.put(Option.DISCOVERY_PORT, "0");
        values.put(Option.PRODUCER_PORT, "0");
        values.put(Option.CONSUMER_PORT, "0");
        values.put(Option.DATA_DIR, dataDir.toString());
        values.put(Option.IO_THREADS, "2");
        values.put(Option.WORKER_THREADS, "2");
        values.put(Option.BLOCK_CACHE_MB, "8");
        values.put(Option.WRITE_BUFFER_MB, "4");
        values.putAll(overrides);
        return BrokerConfig.of(values);
    }

    static TestBroker start(Path dataDir, Map<Option, String> overrides) {
        return new TestBroker(Broker.start(config(dataDir, overrides)));
    }

    static TestBroker start(Broker broker) {
        return new TestBroker(broker);
    }

    URI producer(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + broker.producerPort() + pathAndQuery);
    }

    URI consumer(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + broker.consumerPort() + pathAndQuery);
    }

    URI discovery(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + broker.discoveryPort() + pathAndQuery);
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(URI uri) {
        return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build());
    }

    HttpResponse<String> post(URI uri, String contentType, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b.build());
    }

    HttpResponse<String> post(URI uri) {
        return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    HttpResponse<String> put(URI uri) {
        return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).PUT(HttpRequest.BodyPublishers.noBody()).build());
    }

    /** Produces JSON (one event) or NDJSON (several) to {@code topic}. */
    HttpResponse<String> produce(String topic, String key, String contentType, String body) {
        String query = key == null ? "" : "?partitionKey=" + key;
        return post(producer("/v1/topic/" + topic + "/messages" + query), contentType, body);
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + response.body(), e);
        }
    }

    /**
     * Sends raw bytes over a new connection and returns everything the server writes until it
     * closes the connection (or {@code timeout} passes without a byte).
     */
    static String rawExchange(int port, String request, Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout((int) timeout.toMillis());
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return readUntilClosed(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The body of a raw HTTP response. */
    static String rawBody(String response) {
        int i = response.indexOf("\r\n\r\n");
        return i < 0 ? "" : response.substring(i + 4);
    }

    @Override
    public void close() {
        http.close();
        broker.close();
    }
}
