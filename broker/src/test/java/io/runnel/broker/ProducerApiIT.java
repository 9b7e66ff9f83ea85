package io.runnel.broker;

import io.runnel.broker.testing.TestBroker;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnel.discovery.TokenRing;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The happy paths of the producer and discovery APIs on a real broker. */
class ProducerApiIT {
    private static final TokenRing RING = new TokenRing(1, 4);

    @TempDir
    static Path dir;
    static TestBroker t;

    @BeforeAll
    static void start() {
        t = TestBroker.start(dir, Map.of());
    }

    @AfterAll
    static void stop() {
        if (t != null) {
            t.close();
        }
    }

    private static JsonNode ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        return TestBroker.json(r);
    }

    @Test
    void aJsonEventWithAKeyLandsOnTheKeysPartitionAtConsecutiveOffsets() {
        JsonNode first = ok(t.produce("product-stock", "123", "application/json", "{\"productId\": 123, \"units\": -5}"));
        assertThat(first.size()).isEqualTo(4);
        assertThat(first.path("topic").asText()).isEqualTo("product-stock");
        assertThat(first.path("partition").asInt()).isEqualTo(RING.partitionOf("123"));
        assertThat(first.path("offset").isTextual()).isTrue();
        assertThat(first.path("offset").asText()).isEqualTo("0");
        assertThat(first.path("count").asInt()).isEqualTo(1);
        JsonNode second = ok(t.produce("product-stock", "123", "application/json; charset=utf-8", "{\"productId\": 123, \"units\": 2}"));
        assertThat(second.path("offset").asText()).isEqualTo("1");
    }

    @Test
    void ndjsonStoresEveryLineAsOneEvent() {
        JsonNode r = ok(t.produce("nd", "key-1", "application/x-ndjson",
                "{\"n\":1}\r\n\n{\"n\":2}\n   \n{\"n\":3}\n"));
        assertThat(r.path("count").asInt()).isEqualTo(3);
        assertThat(r.path("offset").asText()).isEqualTo("0");
        assertThat(r.path("partition").asInt()).isEqualTo(RING.partitionOf("key-1"));
        JsonNode next = ok(t.produce("nd", "key-1", "application/x-ndjson", "{\"n\":4}"));
        assertThat(next.path("offset").asText()).isEqualTo("3");
    }

    @Test
    void aMissingContentTypeMeansJson() {
        assertThat(ok(t.produce("no-type", null, null, "[1,2,3]")).path("count").asInt()).isEqualTo(1);
    }

    @Test
    void keylessRequestsRoundRobinOverThePartitions() {
        Set<Integer> partitions = new HashSet<>();
        for (int i = 0; i < RING.partitionCount(); i++) {
            partitions.add(ok(t.produce("rr", null, "application/json", "{\"i\":" + i + "}")).path("partition").asInt());
        }
        assertThat(partitions).containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    @Test
    void topicsAreListedWithTheirPartitions() {
        ok(t.produce("listed.topic_A-1", null, "application/json", "{}"));
        JsonNode topics = ok(t.get(t.discovery("/v1/topics"))).path("topics");
        assertThat(topics.isArray()).isTrue();
        JsonNode listed = null;
        for (JsonNode topic : topics) {
            if (topic.path("name").asText().equals("listed.topic_A-1")) {
                listed = topic;
            }
        }
        assertThat(listed).as(topics.toString()).isNotNull();
        assertThat(listed.path("partitions").asInt()).isEqualTo(4);
    }

    @Test
    void brokersHaveBarcosShape() {
        JsonNode brokers = ok(t.get(t.discovery("/v1/brokers")));
        assertThat(brokers.toString()).isEqualTo("{\"length\":1,\"names\":[\"127.0.0.1\"],\"producerPort\":"
                + t.broker().producerPort() + ",\"consumerPort\":" + t.broker().consumerPort() + "}");
    }

    @Test
    void everyPortAnswersStatus() {
        assertThat(ok(t.get(t.discovery("/status"))).toString()).isEqualTo("{\"status\":\"ok\",\"api\":\"discovery\"}");
        assertThat(ok(t.get(t.producer("/status"))).toString()).isEqualTo("{\"status\":\"ok\",\"api\":\"producer\"}");
        assertThat(ok(t.get(t.consumer("/status"))).toString()).isEqualTo("{\"status\":\"ok\",\"api\":\"consumer\"}");
    }

    @Test
    void metricsArePrometheusTextWithRunnelNames() {
        ok(t.produce("metered", "m", "application/x-ndjson", "1\n2\n"));
        HttpResponse<String> r = t.get(t.discovery("/metrics"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        assertThat(r.body())
                .containsPattern("(?m)^runnel_produce_requests_total [1-9]")
                .containsPattern("(?m)^runnel_produce_events_total [2-9]")
                .contains("runnel_produce_bytes_total")
                .contains("runnel_produce_latency_seconds_count")
                .contains("runnel_http_responses_total{api=\"producer\",status=\"200\"}")
                .containsPattern("(?m)^runnel_storage_corrupt_chunks 0")
                .containsPattern("(?m)^runnel_storage_writer_appends_total [1-9]")
                .contains("runnel_storage_writer_batches_total")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void aKeptAliveConnectionServesManyRequests() {
        // java.net.http reuses one connection for sequential requests to the same port.
        for (int i = 0; i < 20; i++) {
            ok(t.produce("kept-alive", "k", "application/json", "{\"i\":" + i + "}"));
        }
        JsonNode last = ok(t.produce("kept-alive", "k", "application/json", "{}"));
        assertThat(last.path("offset").asText()).isEqualTo("20");
    }
}
