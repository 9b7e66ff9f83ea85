package io.runnel.broker.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnel.broker.Broker;
import io.runnel.broker.config.BrokerConfig;
import io.runnel.broker.config.Option;
import io.runnel.storage.Chunk;
import io.runnel.storage.LogStore;
import io.runnel.storage.ReadResult;
import io.runnel.storage.TopicInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real Runnel broker in this JVM on 127.0.0.1 with free ports, which can be stopped and started
 * again on the same data directory, plus HTTP helpers for the producer and bridge admin APIs.
 */
final class RunnelNode implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Partitions of every topic with one broker and the default 4 ranges. */
    static final int PARTITIONS = 4;

    private final BrokerConfig config;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private volatile Broker broker;

    private RunnelNode(BrokerConfig config) {
        this.config = config;
    }

    static RunnelNode start(Path dataDir) {
        return start(dataDir, Map.of());
    }

    static RunnelNode start(Path dataDir, Map<Option, String> overrides) {
        RunnelNode node = new RunnelNode(config(dataDir, overrides));
        node.broker = Broker.start(node.config);
        return node;
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

    Broker broker() {
        return broker;
    }

    /** Stops the broker (as a shutdown would) and starts it again on the same data directory. */
    void restart() {
        broker.close();
        broker = Broker.start(config);
    }

    // ------------------------------------------------------------------ HTTP

    URI admin(String path) {
        return URI.create("http://127.0.0.1:" + broker.discoveryPort() + path);
    }

    URI producer(String path) {
        return URI.create("http://127.0.0.1:" + broker.producerPort() + path);
    }

    HttpResponse<String> send(String method, URI uri, String contentType, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> putBridge(String name, String definition) {
        return send("PUT", admin("/v1/bridges/" + name), "application/json", definition);
    }

    /** GET /v1/bridges/{name}, which must answer 200. */
    JsonNode bridge(String name) {
        HttpResponse<String> r = send("GET", admin("/v1/bridges/" + name), null, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    HttpResponse<String> bridgeAction(String name, String action) {
        return send("POST", admin("/v1/bridges/" + name + "/" + action), null, null);
    }

    /** Produces events (one JSON value each) with one key as NDJSON; must answer 200. */
    void produce(String topic, String key, List<String> events) {
        String query = key == null ? "" : "?partitionKey=" + key;
        HttpResponse<String> r = send("POST", producer("/v1/topic/" + topic + "/messages" + query), "application/x-ndjson",
                String.join("\n", events) + "\n");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + r.body(), e);
        }
    }

    // ------------------------------------------------------------------ store

    /** One stored event. */
    record StoredEvent(int partition, long offset, String key, String value) {
    }

    /** Every event of {@code topic}, partition by partition in offset order. */
    List<StoredEvent> readTopic(String topic) {
        LogStore store = broker.store();
        Optional<TopicInfo> info = store.topic(topic);
        List<StoredEvent> out = new ArrayList<>();
        if (info.isEmpty()) {
            return out;
        }
        for (int p = 0; p < PARTITIONS; p++) {
            long offset = store.state(info.get().id(), p).logStartOffset();
            while (true) {
                ReadResult r = store.read(info.get().id(), p, offset, 1 << 20);
                if (r.chunks().isEmpty()) {
                    break;
                }
                for (Chunk c : r.chunks()) {
                    Chunk.RecordCursor cursor = c.cursor();
                    while (cursor.next()) {
                        if (cursor.offset() < offset) {
                            continue;
                        }
                        byte[] key = cursor.key();
                        out.add(new StoredEvent(p, cursor.offset(), key == null ? null : new String(key, StandardCharsets.UTF_8),
                                new String(cursor.array(), cursor.valueOffset(), cursor.valueLength(), StandardCharsets.UTF_8)));
                    }
                    offset = c.nextOffset();
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        http.close();
        broker.close();
    }
}
