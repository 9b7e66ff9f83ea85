package io.runnel.broker.bridge;

import io.runnel.broker.testing.TestHttp;
import io.runnel.broker.testing.TestBroker;
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
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real Runnel broker in this JVM on 127.0.0.1 with free ports ({@link TestBroker}), which can be stopped and
 * started again on the same data directory, plus helpers for the producer and bridge admin APIs.
 */
final class RunnelNode implements AutoCloseable {
    static final ObjectMapper JSON = TestHttp.JSON;
    /** Partitions of every topic with one broker and the default 4 ranges. */
    static final int PARTITIONS = 4;

    private final TestBroker node;

    private RunnelNode(TestBroker node) {
        this.node = node;
    }

    static RunnelNode start(Path dataDir) {
        return start(dataDir, Map.of());
    }

    static RunnelNode start(Path dataDir, Map<Option, String> overrides) {
        return new RunnelNode(TestBroker.start(dataDir, overrides));
    }

    static BrokerConfig config(Path dataDir, Map<Option, String> overrides) {
        return TestBroker.config(dataDir, overrides);
    }

    Broker broker() {
        return node.broker();
    }

    /** Stops the broker (as a shutdown would) and starts it again on the same data directory. */
    void restart() {
        node.stop(0);
        node.start(0);
    }

    URI admin(String path) {
        return node.discovery(path);
    }

    URI producer(String path) {
        return node.producer(path);
    }

    HttpResponse<String> send(String method, URI uri, String contentType, String body) {
        return node.http().send(method, uri, contentType, body);
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
        HttpResponse<String> r = send("POST", producer(TestHttp.messages(topic, key)), "application/x-ndjson",
                String.join("\n", events) + "\n");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    static JsonNode json(HttpResponse<String> r) {
        return TestHttp.json(r);
    }

    /** One stored event. */
    record StoredEvent(int partition, long offset, String key, String value) {
    }

    /** Every event of {@code topic}, partition by partition in offset order. */
    List<StoredEvent> readTopic(String topic) {
        LogStore store = broker().store();
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
        node.close();
    }
}
