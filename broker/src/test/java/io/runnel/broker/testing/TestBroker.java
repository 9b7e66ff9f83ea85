package io.runnel.broker.testing;

import io.runnel.broker.Broker;

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
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A real broker on loopback with ephemeral ports and a temporary data directory, plus HTTP helpers: the single
 * broker {@link RunnelCluster} (ordinal 0).
 */
public final class TestBroker implements RunnelCluster {
    public static final ObjectMapper JSON = TestHttp.JSON;

    private Broker broker;
    private final TestHttp http = new TestHttp();
    private final Supplier<Broker> starter;

    /** The broker running now (it changes with a restart). */
    public Broker broker() {
        if (broker == null) {
            throw new IllegalStateException("the broker is down");
        }
        return broker;
    }

    /** The harness's HTTP client. */
    public TestHttp http() {
        return http;
    }

    private TestBroker(Supplier<Broker> starter) {
        this.starter = starter;
        this.broker = starter.get();
    }

    public static BrokerConfig config(Path dataDir, Map<Option, String> overrides) {
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

    public static TestBroker start(Path dataDir, Map<Option, String> overrides) {
        BrokerConfig config = config(dataDir, overrides);
        return new TestBroker(() -> Broker.start(config));
    }

    /** A broker started by {@code starter} (a builder with a faulty store, say); a restart calls it again. */
    public static TestBroker start(Supplier<Broker> starter) {
        return new TestBroker(starter);
    }

    public URI producer(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + broker.producerPort() + pathAndQuery);
    }

    public URI consumer(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + broker.consumerPort() + pathAndQuery);
    }

    public URI discovery(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + broker.discoveryPort() + pathAndQuery);
    }

    public HttpResponse<String> send(HttpRequest request) {
        return http.send(request);
    }

    public HttpResponse<String> get(URI uri) {
        return http.get(uri);
    }

    public HttpResponse<String> post(URI uri, String contentType, String body) {
        return http.post(uri, contentType, body);
    }

    public HttpResponse<String> post(URI uri) {
        return http.post(uri);
    }

    public HttpResponse<String> put(URI uri) {
        return http.put(uri);
    }

    /** Produces JSON (one event) or NDJSON (several) to {@code topic}. */
    public HttpResponse<String> produce(String topic, String key, String contentType, String body) {
        return post(producer(TestHttp.messages(topic, key)), contentType, body);
    }

    public static JsonNode json(HttpResponse<String> response) {
        return TestHttp.json(response);
    }

    public static String rawExchange(int port, String request, Duration timeout) {
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

    public static String readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The body of a raw HTTP response. */
    public static String rawBody(String response) {
        int i = response.indexOf("\r\n\r\n");
        return i < 0 ? "" : response.substring(i + 4);
    }

    // ------------------------------------------------------------------ RunnelCluster (one broker, ordinal 0)

    @Override
    public int size() {
        return 1;
    }

    @Override
    public URI discovery(int b, String pathAndQuery) {
        return discovery(pathAndQuery);
    }

    @Override
    public URI producer(int b, String pathAndQuery) {
        return producer(pathAndQuery);
    }

    @Override
    public URI consumer(int b, String pathAndQuery) {
        return consumer(pathAndQuery);
    }

    @Override
    public boolean running(int b) {
        return broker != null;
    }

    @Override
    public void start(int b) {
        if (broker != null) {
            throw new IllegalStateException("the broker runs");
        }
        broker = starter.get();
    }

    @Override
    public void stop(int b) {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    /** One broker has nobody to hand over to: a kill is a stop. */
    @Override
    public void kill(int b) {
        stop(b);
    }

    @Override
    public void close() {
        stop(0);
        http.close();
    }
}
