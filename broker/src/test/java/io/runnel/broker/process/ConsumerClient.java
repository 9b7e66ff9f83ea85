package io.runnel.broker.process;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnel.discovery.TokenRing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A stateless HTTP consumer of one broker's consumer API (register, poll, commit, goodbye) that
 * turns poll answers into {@link Record}s with their partition and offset.
 *
 * <p>The poll answer names a partition by Barco's {@code token} (first token of the range) and
 * {@code rangeIndex}; the {@link TokenRing} of the cluster's shape maps them back to the partition
 * id the producer API answers with. Every call asserts the documented status and throws
 * {@link AssertionError} otherwise, so a test fails with the broker's answer in the message.
 */
public final class ConsumerClient implements AutoCloseable {
    private final URI base;
    private final TokenRing ring;
    private final HttpClient http;

    /**
     * @param base {@code http://address:port} of the consumer API
     * @param ring the cluster's ring ({@code new TokenRing(brokers, ranges)})
     */
    public ConsumerClient(URI base, TokenRing ring) {
        this.base = base;
        this.ring = ring;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    /**
     * One event as read.
     *
     * @param version the generation the broker reported for its batch
     * @param value   the event as produced
     */
    public record Record(String topic, int partition, long offset, int version, JsonNode value) {
        /** The {@code id} field of a test event ({@link ProducerClient#event}), or null. */
        public String id() {
            JsonNode id = value.get("id");
            return id == null ? null : id.asText();
        }

        /** The {@code key} field of a test event, or null. */
        public String key() {
            JsonNode key = value.get("key");
            return key == null ? null : key.asText();
        }
    }

    /** A poll's answer: 200 with records, or 204 with none. */
    public record Poll(int status, List<Record> records) {
        public boolean empty() {
            return status == 204;
        }
    }

    /** {@code PUT /v1/consumer/register}; expects 200. */
    public void register(String consumerId, String group, String topic, String onNewGroup) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/v1/consumer/register?consumerId=" + enc(consumerId)
                        + "&group=" + enc(group) + "&topic=" + enc(topic) + "&onNewGroup=" + enc(onNewGroup)))
                .timeout(Duration.ofSeconds(30)).PUT(HttpRequest.BodyPublishers.noBody()));
        expect(r, 200, "register " + consumerId);
    }

    /**
     * {@code POST /v1/consumer/poll}; expects 200 or 204.
     *
     * @param timeout  how long the broker may wait for data
     * @param maxBytes most bytes to return, 0 for the broker's default
     */
    public Poll poll(String consumerId, Duration timeout, int maxBytes) {
        String query = "?consumerId=" + enc(consumerId) + "&timeout=" + timeout.toMillis()
                + (maxBytes > 0 ? "&maxBytes=" + maxBytes : "");
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/v1/consumer/poll" + query))
                .timeout(timeout.plusSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()));
        if (r.statusCode() == 204) {
            return new Poll(204, List.of());
        }
        expect(r, 200, "poll " + consumerId);
        return new Poll(200, parse(r.body()));
    }

    /** {@code POST /v1/consumer/commit}; expects 204. */
    public void commit(String consumerId) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/v1/consumer/commit?consumerId=" + enc(consumerId)))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()));
        expect(r, 204, "commit " + consumerId);
    }

    /** {@code POST /v1/consumer/goodbye}; expects 200. */
    public void goodbye(String consumerId) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/v1/consumer/goodbye?consumerId=" + enc(consumerId)))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()));
        expect(r, 200, "goodbye " + consumerId);
    }

    /**
     * Polls until {@code complete} holds for everything read so far <em>and</em> a poll found nothing
     * more (so events beyond the expected ones are read too), or until {@code deadline} passes.
     * Returns everything read, in the order it was read; the caller checks for what is missing.
     */
    public List<Record> pollUntilQuiet(String consumerId, Predicate<List<Record>> complete, Duration pollTimeout,
                                       Duration deadline) {
        List<Record> all = new ArrayList<>();
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            Poll p = poll(consumerId, pollTimeout, 0);
            all.addAll(p.records());
            if (p.empty() && complete.test(all)) {
                break;
            }
        }
        return all;
    }

    /** Parses a poll answer {@code [{topic, token, rangeIndex, version, startOffset, values}]}. */
    List<Record> parse(String body) {
        JsonNode batches;
        try {
            batches = ProducerClient.JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("poll answer is not JSON: " + body, e);
        }
        if (!batches.isArray()) {
            throw new AssertionError("poll answer is not an array: " + body);
        }
        List<Record> out = new ArrayList<>();
        for (JsonNode b : batches) {
            String topic = b.path("topic").asText();
            int partition = partitionOf(Long.parseLong(b.path("token").asText()), b.path("rangeIndex").asInt(-1));
            long start = Long.parseLong(b.path("startOffset").asText());
            int version = b.path("version").asInt(-1);
            JsonNode values = b.path("values");
            if (!values.isArray() || values.isEmpty()) {
                throw new AssertionError("poll batch without values: " + b);
            }
            for (int i = 0; i < values.size(); i++) {
                out.add(new Record(topic, partition, start + i, version, values.get(i)));
            }
        }
        return out;
    }

    private int partitionOf(long token, int rangeIndex) {
        for (int range = 0; range < ring.brokers(); range++) {
            if (ring.rangeStartToken(range) == token) {
                if (rangeIndex < 0 || rangeIndex >= ring.rangesPerBroker()) {
                    throw new AssertionError("rangeIndex " + rangeIndex + " outside 0.." + (ring.rangesPerBroker() - 1));
                }
                return ring.partitionsOfRange(range).get(rangeIndex);
            }
        }
        throw new AssertionError("token " + token + " is no range start of " + ring);
    }

    private URI uri(String pathAndQuery) {
        return URI.create(base + pathAndQuery);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void expect(HttpResponse<String> r, int status, String what) {
        if (r.statusCode() != status) {
            throw new AssertionError(what + ": expected " + status + " but got " + r.statusCode() + " " + r.body());
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
