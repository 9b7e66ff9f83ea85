package io.runnel.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.runnel.broker.config.Option;
import io.runnel.broker.testing.TestBroker;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client authentication on a real broker with a credentials file: every endpoint answers 401 without credentials
 * and with wrong ones, 403 to a valid principal without the grant, and its usual answer with it; {@code /status}
 * stays open.
 */
class ClientAuthIT {
    private static final int ITERATIONS = 1_000; // the hash's strength is not under test
    private static final String NDJSON = "application/x-ndjson";

    @TempDir
    static Path dir;
    static TestBroker t;
    static Path authFile;
    static Credentials credentials = Credentials.empty();
    static final Map<String, String> KEYS = new java.util.HashMap<>();

    static void principal(String name, String password, String... grants) {
        Credentials.IssuedKey key = Credentials.newKey(ITERATIONS);
        KEYS.put(name, key.text());
        credentials = credentials.with(new Credentials.Entry(name, List.of(grants).stream().map(Grant::parse).toList(),
                List.of(key.key()), password == null ? null : SecretHash.hash(password, ITERATIONS)));
    }

    @BeforeAll
    static void start() throws Exception {
        principal("admin", null, "admin");
        principal("app", null, "produce:a*", "consume:a*", "group:g*");
        principal("writer", null, "produce:a*");
        principal("nogrant", null, "group:unrelated");
        principal("scraper", null, "metrics");
        principal("alice", "alice's password", "consume:a*", "group:g*");
        authFile = dir.resolve("auth.json");
        credentials.write(authFile);
        t = TestBroker.start(dir.resolve("data"), Map.of(Option.AUTH_FILE, authFile.toString()));
    }

    @AfterAll
    static void stop() {
        if (t != null) {
            t.close();
        }
    }

    private static HttpResponse<String> call(String method, URI uri, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", body.startsWith("{\"direction") ? "application/json" : NDJSON);
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return t.send(b.build());
    }

    private static String[] bearer(String principal) {
        return new String[] {"Authorization", "Bearer " + KEYS.get(principal)};
    }

    /** One endpoint of the matrix. */
    private record Endpoint(String method, Function<TestBroker, URI> uri, String body, String granted, String denied,
                            int expected) {
    }

    private static void check(Endpoint e) {
        URI uri = e.uri().apply(t);
        String what = e.method() + " " + uri.getPath();
        HttpResponse<String> none = call(e.method(), uri, e.body());
        assertThat(none.statusCode()).as(what + " without credentials: " + none.body()).isEqualTo(401);
        assertThat(TestBroker.json(none).path("error").asText()).isEqualTo("unauthorized");
        assertThat(none.headers().firstValue("WWW-Authenticate")).as(what).hasValueSatisfying(v ->
                assertThat(v).contains("Bearer realm=\"runnel\"").contains("Basic"));
        String wrongKey = KEYS.get("app").substring(0, KEYS.get("app").length() - 2) + "xx";
        assertThat(call(e.method(), uri, e.body(), "Authorization", "Bearer " + wrongKey).statusCode()).as(what + " wrong key")
                .isEqualTo(401);
        assertThat(call(e.method(), uri, e.body(), "X-API-Key", "rnl_0123456789ab_nope").statusCode()).as(what + " unknown key")
                .isEqualTo(401);
        if (e.denied() != null) {
            HttpResponse<String> denied = call(e.method(), uri, e.body(), bearer(e.denied()));
            assertThat(denied.statusCode()).as(what + " by " + e.denied() + ": " + denied.body()).isEqualTo(403);
            assertThat(TestBroker.json(denied).path("error").asText()).isEqualTo("forbidden");
        }
        HttpResponse<String> granted = call(e.method(), uri, e.body(), bearer(e.granted()));
        assertThat(granted.statusCode()).as(what + " by " + e.granted() + ": " + granted.body()).isEqualTo(e.expected());
    }

    @Test
    void everyEndpointNeedsCredentialsAndItsGrant() {
        String bridge = "{\"direction\":\"export\",\"topic\":\"a1\",\"kafkaTopic\":\"k\",\"bootstrapServers\":\"127.0.0.1:1\","
                + "\"properties\":{\"max.block.ms\":\"500\"}}"; // nothing listens there: stopping waits no longer
        List<Endpoint> matrix = new ArrayList<>(List.of(
                new Endpoint("POST", b -> b.producer("/v1/topic/a1/messages"), "{\"n\":1}\n", "app", "nogrant", 200),
                new Endpoint("PUT", b -> b.consumer("/v1/consumer/register?consumerId=c1&group=g1&topic=a1&onNewGroup=startFromEarliest"),
                        null, "app", "nogrant", 200),
                new Endpoint("POST", b -> b.consumer("/v1/consumer/poll?consumerId=c1"), null, "app", "nogrant", 200),
                new Endpoint("POST", b -> b.consumer("/v1/consumer/commit?consumerId=c1"), null, "app", "nogrant", 204),
                // Any principal may see the cluster's shape.
                new Endpoint("GET", b -> b.discovery("/v1/brokers"), null, "nogrant", null, 200),
                new Endpoint("GET", b -> b.discovery("/v1/topology"), null, "nogrant", null, 200),
                new Endpoint("GET", b -> b.discovery("/v1/topics"), null, "nogrant", null, 200),
                new Endpoint("GET", b -> b.discovery("/v1/groups"), null, "admin", "app", 200),
                new Endpoint("GET", b -> b.discovery("/v1/groups/g1"), null, "app", "nogrant", 200),
                new Endpoint("POST", b -> b.discovery("/v1/groups/g1/seek?topic=a1&to=earliest"), null, "admin", "app", 200),
                new Endpoint("GET", b -> b.discovery("/metrics"), null, "scraper", "app", 200),
                new Endpoint("GET", b -> b.discovery("/v1/bridges"), null, "admin", "app", 200),
                new Endpoint("PUT", b -> b.discovery("/v1/bridges/out"), bridge, "admin", "app", 201),
                new Endpoint("GET", b -> b.discovery("/v1/bridges/out"), null, "admin", "app", 200),
                new Endpoint("POST", b -> b.discovery("/v1/bridges/out/pause"), null, "admin", "app", 200),
                new Endpoint("POST", b -> b.discovery("/v1/bridges/out/resume"), null, "admin", "app", 200),
                new Endpoint("DELETE", b -> b.discovery("/v1/bridges/out"), null, "admin", "app", 204),
                new Endpoint("POST", b -> b.consumer("/v1/consumer/goodbye?consumerId=c1"), null, "app", "nogrant", 200)));
        matrix.forEach(ClientAuthIT::check);
    }

    @Test
    void statusStaysOpenForProbes() {
        for (URI status : List.of(t.discovery("/status"), t.producer("/status"), t.consumer("/status"))) {
            HttpResponse<String> r = t.get(status);
            assertThat(r.statusCode()).as(status.toString()).isEqualTo(200);
        }
        assertThat(t.get(t.discovery("/v1/topicsx")).statusCode()).as("an unknown path still says 404 first").isEqualTo(404);
    }

    @Test
    void aProducePrefixGrantCoversNothingElse() {
        assertThat(call("POST", t.producer("/v1/topic/a-writer/messages"), "{\"n\":1}\n", bearer("writer")).statusCode()).isEqualTo(200);
        HttpResponse<String> b = call("POST", t.producer("/v1/topic/b/messages"), "{\"n\":1}\n", bearer("writer"));
        assertThat(b.statusCode()).isEqualTo(403);
        assertThat(TestBroker.json(b).path("message").asText()).contains("produce:b");
        HttpResponse<String> read = call("PUT", t.consumer("/v1/consumer/register?consumerId=w1&topic=a-writer&group=g-w"), null,
                bearer("writer"));
        assertThat(read.statusCode()).isEqualTo(403);
        assertThat(TestBroker.json(read).path("message").asText()).contains("consume:a-writer");
        // Nothing of the refused write was stored: topic b does not exist.
        assertThat(call("GET", t.discovery("/v1/topics"), null, bearer("admin")).body()).doesNotContain("\"b\"");
    }

    @Test
    void aConsumerIdBelongsToThePrincipalThatRegisteredIt() {
        assertThat(call("PUT", t.consumer("/v1/consumer/register?consumerId=mine&group=g2&topic=a2"), null, bearer("app"))
                .statusCode()).isEqualTo(200);
        String basic = "Basic " + Base64.getEncoder().encodeToString("alice:alice's password".getBytes(StandardCharsets.UTF_8));
        // alice holds the same grants, but the id is app's.
        HttpResponse<String> poll = call("POST", t.consumer("/v1/consumer/poll?consumerId=mine"), null, "Authorization", basic);
        assertThat(poll.statusCode()).as(poll.body()).isEqualTo(403);
        assertThat(TestBroker.json(poll).path("message").asText()).contains("registered by another principal");
        assertThat(call("POST", t.consumer("/v1/consumer/commit?consumerId=mine"), null, "Authorization", basic).statusCode())
                .isEqualTo(403);
        assertThat(call("POST", t.consumer("/v1/consumer/goodbye?consumerId=mine"), null, "Authorization", basic).statusCode())
                .isEqualTo(403);
        assertThat(call("PUT", t.consumer("/v1/consumer/register?consumerId=mine&group=g2&topic=a2"), null, "Authorization", basic)
                .statusCode()).isEqualTo(403);
        // Her own id works, with HTTP Basic; a wrong password does not.
        assertThat(call("PUT", t.consumer("/v1/consumer/register?consumerId=hers&group=g2&topic=a2"), null, "Authorization", basic)
                .statusCode()).isEqualTo(200);
        assertThat(call("POST", t.consumer("/v1/consumer/poll?consumerId=hers"), null, "Authorization", basic).statusCode())
                .isIn(200, 204);
        String wrong = "Basic " + Base64.getEncoder().encodeToString("alice:guess".getBytes(StandardCharsets.UTF_8));
        assertThat(call("POST", t.consumer("/v1/consumer/poll?consumerId=hers"), null, "Authorization", wrong).statusCode())
                .isEqualTo(401);
        // And app still polls its own.
        assertThat(call("POST", t.consumer("/v1/consumer/poll?consumerId=mine"), null, bearer("app")).statusCode()).isIn(200, 204);
    }

    @Test
    void aNewKeyInTheFileWorksWithoutARestart() throws Exception {
        Credentials.IssuedKey key = Credentials.newKey(ITERATIONS);
        URI topics = t.discovery("/v1/topics");
        assertThat(call("GET", topics, null, "X-API-Key", key.text()).statusCode()).isEqualTo(401);
        synchronized (ClientAuthIT.class) {
            Credentials.Entry app = credentials.principal("app").orElseThrow();
            List<Credentials.Key> keys = new ArrayList<>(app.keys());
            keys.add(key.key());
            credentials = credentials.with(new Credentials.Entry("app", app.grants(), keys, null));
            credentials.write(authFile);
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> call("GET", topics, null, "X-API-Key", key.text()).statusCode() == 200);
    }
}
