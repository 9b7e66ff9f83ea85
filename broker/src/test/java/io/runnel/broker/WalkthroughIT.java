package io.runnel.broker;

import io.runnel.broker.testing.TestBroker;
import static io.runnel.broker.ApiAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnel.discovery.TokenRing;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The curl flow of the Barco REST API (seeds/003) against a real broker, step by step. */
class WalkthroughIT {
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

    @Test
    void produceRegisterPollCommitGoodbye() {
        // curl "http://barco.streams:9250/v1/brokers"
        JsonNode brokers = TestBroker.json(t.get(t.discovery("/v1/brokers")));
        assertThat(brokers.path("length").asInt()).isEqualTo(1);
        assertThat(brokers.path("producerPort").asInt()).isEqualTo(t.broker().producerPort());
        assertThat(brokers.path("consumerPort").asInt()).isEqualTo(t.broker().consumerPort());

        // curl -X PUT ".../v1/consumer/register?consumerId=1&group=product-stock-updater&topic=product-stock"
        HttpResponse<String> registered = t.put(t.consumer(
                "/v1/consumer/register?consumerId=1&group=product-stock-updater&topic=product-stock"));
        assertThat(registered.statusCode()).isEqualTo(200);
        assertThat(TestBroker.json(registered).path("group").asText()).isEqualTo("product-stock-updater");

        // Nothing yet: 204 with Retry-After.
        HttpResponse<String> nothing = t.post(t.consumer("/v1/consumer/poll?consumerId=1"));
        assertThat(nothing.statusCode()).isEqualTo(204);
        assertThat(nothing.headers().firstValue("retry-after")).hasValue("1");

        // curl -X POST -d '{"productId": 123, "units": -5}' -H "Content-Type: application/json" ".../messages?partitionKey=123"
        assertThat(t.produce("product-stock", "123", "application/json", "{\"productId\": 123, \"units\": -5}").statusCode())
                .isEqualTo(200);
        // The same key as NDJSON, two events in one request.
        assertThat(t.produce("product-stock", "123", "application/x-ndjson",
                "{\"productId\": 123, \"units\": -1}\n{\"productId\": 123, \"units\": 20}\n").statusCode()).isEqualTo(200);

        // curl -i -X POST -H "Accept: application/json" ".../v1/consumer/poll?consumerId=1"
        HttpResponse<String> polled = t.post(t.consumer("/v1/consumer/poll?consumerId=1&timeout=5000"));
        assertThat(polled.statusCode()).as(polled.body()).isEqualTo(200);
        assertThat(polled.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode batches = TestBroker.json(polled);
        TokenRing ring = new TokenRing(1, 4);
        int partition = ring.partitionOf("123");
        assertThat(batches.toString()).isEqualTo("[{\"topic\":\"product-stock\",\"token\":\"" + ring.rangeStartToken(0)
                + "\",\"rangeIndex\":" + ring.indexInRange(partition) + ",\"version\":1,\"startOffset\":\"0\",\"values\":["
                + "{\"productId\":123,\"units\":-5},{\"productId\":123,\"units\":-1},{\"productId\":123,\"units\":20}]}]");
        // The events come back byte for byte as produced.
        assertThat(polled.body()).contains("{\"productId\": 123, \"units\": -5},{\"productId\": 123, \"units\": -1}");

        // Everything was read: the next poll is empty.
        assertThat(t.post(t.consumer("/v1/consumer/poll?consumerId=1")).statusCode()).isEqualTo(204);

        // curl -i -X POST ".../v1/consumer/commit?consumerId=1"
        assertThat(t.post(t.consumer("/v1/consumer/commit?consumerId=1")).statusCode()).isEqualTo(204);

        // goodbye: 200, then the consumer is unknown.
        assertThat(t.post(t.consumer("/v1/consumer/goodbye?consumerId=1")).statusCode()).isEqualTo(200);
        assertError(t.post(t.consumer("/v1/consumer/poll?consumerId=1")), 409, "not_registered");

        // The group's committed position survives the consumer.
        JsonNode group = TestBroker.json(t.get(t.discovery("/v1/groups/product-stock-updater")));
        assertThat(group.path("committed").toString()).contains("\"offset\":\"3\"");
    }

    @Test
    void aLongPollAnswersAsSoonAsDataArrives() throws Exception {
        assertThat(t.put(t.consumer("/v1/consumer/register?consumerId=waiter&group=waiters&topic=wake")).statusCode())
                .isEqualTo(200);
        assertThat(t.post(t.consumer("/v1/consumer/poll?consumerId=waiter")).statusCode()).isEqualTo(204);
        CompletableFuture<HttpResponse<String>> poll = CompletableFuture.supplyAsync(
                () -> t.post(t.consumer("/v1/consumer/poll?consumerId=waiter&timeout=30000")));
        assertThat(t.produce("wake", "w", "application/json", "{\"n\":1}").statusCode()).isEqualTo(200);
        // Well before the poll's own 30 s timeout: the append woke it (or it found the event at once).
        HttpResponse<String> answer = poll.get(15, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(TestBroker.json(answer).get(0).path("values").toString()).isEqualTo("[{\"n\":1}]");
    }
}
