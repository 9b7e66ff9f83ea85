package io.runnel.broker;

import io.runnel.broker.testing.TestBroker;
import static io.runnel.broker.ApiAssertions.assertError;
import static io.runnel.broker.ApiAssertions.assertRawError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnel.broker.config.Option;
import io.runnel.discovery.TokenRing;
import io.runnel.storage.TopicInfo;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad request gets its status and a JSON error, and stores nothing. */
class BadInputIT {
    private static final String JSON = "application/json";
    private static final String NDJSON = "application/x-ndjson";

    @TempDir
    static Path dir;
    static TestBroker t;

    @BeforeAll
    static void start() {
        t = TestBroker.start(dir, Map.of(
                Option.MAX_BODY_BYTES, "4096",
                Option.MAX_HEADER_BYTES, "1024",
                Option.MAX_INITIAL_LINE_BYTES, "512",
                Option.MAX_PARTITION_KEY_BYTES, "100"));
    }

    @AfterAll
    static void stop() {
        if (t != null) {
            t.close();
        }
    }

    @Test
    void malformedJsonIs400() {
        for (String body : List.of("{\"productId\": 123,", "{\"a\":1} trailing", "{'a':1}", "[1,2,]", "nul")) {
            JsonNode error = assertError(t.produce("bad-json", "k", JSON, body), 400, "malformed_json");
            assertThat(error.path("message").asText()).as(body).startsWith("the body is not");
        }
        assertThat(t.broker().store().topic("bad-json")).as("a topic is only created by a stored write").isEmpty();
    }

    @Test
    void twoJsonValuesInAJsonBodyAre400() {
        JsonNode error = assertError(t.produce("bad-json2", null, JSON, "{\"a\":1}\n{\"b\":2}"), 400, "malformed_json");
        assertThat(error.path("message").asText()).contains("application/x-ndjson");
    }

    @Test
    void emptyBodiesAre400() {
        assertError(t.produce("empty", null, JSON, ""), 400, "no_events");
        assertError(t.produce("empty", null, NDJSON, "\n\r\n  \n"), 400, "no_events");
    }

    @Test
    void malformedNdjsonNamesTheLineAndStoresNothing() throws Exception {
        String topic = "nd-atomic";
        HttpResponse<String> ok = t.produce(topic, "k", JSON, "{\"n\":0}");
        assertThat(ok.statusCode()).isEqualTo(200);

        String body = "{\"n\":1}\n\n{\"n\":2\n{\"n\":3}\n";
        JsonNode error = assertError(t.produce(topic, "k", NDJSON, body), 400, "malformed_ndjson");
        assertThat(error.path("message").asText()).startsWith("line 3 ");

        TopicInfo info = t.broker().store().topic(topic).orElseThrow();
        int partition = new TokenRing(1, 4).partitionOf("k");
        assertThat(t.broker().store().state(info.id(), partition).logEndOffset()).isEqualTo(1);

        // And a consumer reading from the start sees only the first event.
        assertThat(t.put(t.consumer("/v1/consumer/register?consumerId=c-atomic&group=g-atomic&topic=" + topic
                + "&onNewGroup=startFromEarliest")).statusCode()).isEqualTo(200);
        HttpResponse<String> poll = t.post(t.consumer("/v1/consumer/poll?consumerId=c-atomic&timeout=5000"));
        assertThat(poll.statusCode()).isEqualTo(200);
        JsonNode batches = TestBroker.json(poll);
        assertThat(batches).hasSize(1);
        assertThat(batches.get(0).path("values").toString()).isEqualTo("[{\"n\":0}]");
    }

    @Test
    void aBodyOverTheLimitIs413() {
        String big = "{\"pad\":\"" + "x".repeat(5000) + "\"}";
        assertError(t.produce("big", null, JSON, big), 413, "request_too_large");
        assertThat(t.broker().store().topic("big")).isEmpty();
    }

    @Test
    void aDeclaredBodyOverTheLimitIs413WithoutContinue() {
        String response = TestBroker.rawExchange(t.broker().producerPort(),
                "POST /v1/topic/big2/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100000\r\nExpect: 100-continue\r\n\r\n", Duration.ofSeconds(10));
        assertThat(response).doesNotContain("100 Continue");
        assertRawError(response, 413, "request_too_large");
    }

    @Test
    void anotherContentTypeIs415() {
        assertError(t.produce("ct", null, "text/plain", "{}"), 415, "unsupported_media_type");
        assertError(t.produce("ct", null, "application/json; charset=latin1", "{}"), 415, "unsupported_media_type");
    }

    @Test
    void unknownPathsAre404OnEveryPort() {
        assertError(t.get(t.producer("/v1/topics/x/messages")), 404, "not_found");
        assertError(t.get(t.consumer("/v1/consumer")), 404, "not_found");
        assertError(t.get(t.discovery("/v2/brokers")), 404, "not_found");
    }

    @Test
    void aWrongMethodIs405WithAllow() {
        HttpResponse<String> r = t.get(t.producer("/v1/topic/x/messages"));
        assertError(r, 405, "method_not_allowed");
        assertThat(r.headers().firstValue("allow")).hasValue("POST");
        HttpResponse<String> poll = t.get(t.consumer("/v1/consumer/poll?consumerId=1"));
        assertError(poll, 405, "method_not_allowed");
        assertThat(poll.headers().firstValue("allow")).hasValue("POST");
        HttpResponse<String> register = t.post(t.consumer("/v1/consumer/register?consumerId=1&topic=a"));
        assertThat(register.headers().firstValue("allow")).hasValue("PUT");
        assertError(t.post(t.discovery("/status")), 405, "method_not_allowed");
    }

    @Test
    void invalidTopicNamesAre400() {
        for (String topic : List.of("bad%20topic", "%2E", "%2E%2E", "a%24b", "x".repeat(250), "caf%C3%A9")) {
            assertError(t.produce(topic, null, JSON, "{}"), 400, "invalid_topic");
        }
        assertError(t.put(t.consumer("/v1/consumer/register?consumerId=c&topic=a%2Fb")), 400, "invalid_topic");
        assertThat(t.produce("x".repeat(249), null, JSON, "{}").statusCode()).isEqualTo(200);
    }

    @Test
    void badOrMissingQueryParametersAre400() {
        assertError(t.post(t.producer("/v1/topic/q/messages?partitionkey=1"), JSON, "{}"), 400, "bad_query");
        assertError(t.post(t.producer("/v1/topic/q/messages?partitionKey="), JSON, "{}"), 400, "invalid_partition_key");
        assertError(t.post(t.producer("/v1/topic/q/messages?partitionKey=" + "k".repeat(101)), JSON, "{}"), 400,
                "invalid_partition_key");
        assertError(t.post(t.producer("/v1/topic/q/messages?partitionKey=a&partitionKey=b"), JSON, "{}"), 400, "bad_query");
        // java.net.URI refuses a malformed escape, so this one goes over a raw socket.
        ApiAssertions.assertErrorBody(TestBroker.rawBody(TestBroker.rawExchange(t.broker().producerPort(),
                "POST /v1/topic/q/messages?partitionKey=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                        + "Content-Length: 2\r\n\r\n{}", Duration.ofSeconds(10))), "bad_query");

        assertError(t.put(t.consumer("/v1/consumer/register?topic=a")), 400, "bad_query");
        assertError(t.put(t.consumer("/v1/consumer/register?consumerId=c")), 400, "bad_query");
        assertError(t.put(t.consumer("/v1/consumer/register?consumerId=c&topic=a&onNewGroup=startFromNowhere")), 400, "bad_query");
        assertError(t.put(t.consumer("/v1/consumer/register?consumerId=c&topic=a&group=")), 400, "bad_query");
        assertError(t.put(t.consumer("/v1/consumer/register?consumerId=c&topic=a&colour=blue")), 400, "bad_query");
        assertError(t.post(t.consumer("/v1/consumer/poll")), 400, "bad_query");
        assertError(t.post(t.consumer("/v1/consumer/poll?consumerId=")), 400, "bad_query");
        assertError(t.post(t.consumer("/v1/consumer/poll?consumerId=c&timeout=soon")), 400, "bad_query");
        assertError(t.post(t.consumer("/v1/consumer/poll?consumerId=c&timeout=-1")), 400, "bad_query");
        assertError(t.post(t.consumer("/v1/consumer/poll?consumerId=c&maxBytes=0")), 400, "bad_query");
        assertError(t.post(t.consumer("/v1/consumer/commit")), 400, "bad_query");
        assertError(t.post(t.consumer("/v1/consumer/goodbye?consumerId=a&consumerId=b")), 400, "bad_query");
        assertError(t.get(t.discovery("/v1/brokers?verbose=1")), 400, "bad_query");
    }

    @Test
    void unregisteredConsumersAre409() {
        assertError(t.post(t.consumer("/v1/consumer/poll?consumerId=ghost")), 409, "not_registered");
        assertError(t.post(t.consumer("/v1/consumer/commit?consumerId=ghost")), 409, "not_registered");
        assertError(t.post(t.consumer("/v1/consumer/goodbye?consumerId=ghost")), 409, "not_registered");
    }

    @Test
    void headersOverTheLimitAre431() {
        String response = TestBroker.rawExchange(t.broker().producerPort(),
                "POST /v1/topic/h/messages HTTP/1.1\r\nHost: x\r\nX-Padding: " + "p".repeat(2000)
                        + "\r\nContent-Length: 2\r\n\r\n{}", Duration.ofSeconds(10));
        assertRawError(response, 431, "headers_too_large");
        assertThat(t.broker().store().topic("h")).isEmpty();
    }

    @Test
    void aRequestLineOverTheLimitIs414() {
        String response = TestBroker.rawExchange(t.broker().producerPort(),
                "POST /v1/topic/h/messages?partitionKey=" + "k".repeat(1000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                Duration.ofSeconds(10));
        assertRawError(response, 414, "uri_too_long");
    }

    @Test
    void malformedHttpIs400() {
        String response = TestBroker.rawExchange(t.broker().producerPort(), "HELLO THERE\r\n\r\n", Duration.ofSeconds(10));
        assertRawError(response, 400, "bad_request");
    }

    @Test
    void errorsAreCountedByStatus() {
        assertError(t.get(t.producer("/nowhere")), 404, "not_found");
        String metrics = t.get(t.discovery("/metrics")).body();
        assertThat(metrics).containsPattern("runnel_http_errors_total\\{api=\"producer\",status=\"404\"\\} [1-9]");
    }
}
