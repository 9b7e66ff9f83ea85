package io.runnel.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.runnel.broker.config.Option;
import io.runnel.broker.testing.TestBroker;
import io.runnel.broker.testing.TestCertificates;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS on the HTTP ports of a real broker, with certificates made by keytool. */
class TlsIT {
    @TempDir
    Path dir;

    private static HttpResponse<String> get(SSLContext tls, URI uri, String... headers) throws Exception {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls)
                .connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
            if (headers.length > 0) {
                b.headers(headers);
            }
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static HttpResponse<String> post(SSLContext tls, URI uri, String body) throws Exception {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls).build()) {
            return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static URI https(int port, String path) {
        return URI.create("https://127.0.0.1:" + port + path);
    }

    /** The subject CN the server presents to a new connection. */
    private static String presented(SSLContext tls, int port) throws IOException {
        try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    @Test
    void httpsWorksTheWrongCaFailsPlainHttpIsToldAndARotatedCertificateIsServedWithoutARestart() throws Exception {
        TestCertificates ca = TestCertificates.newCa(dir.resolve("certs"), "runnel-test-ca");
        TestCertificates otherCa = TestCertificates.newCa(dir.resolve("other"), "someone-else");
        TestCertificates.Leaf server = ca.issue("broker-first", "server");
        try (TestBroker t = TestBroker.start(dir.resolve("data"), Map.of(Option.TLS_CERT, server.certPem().toString(),
                Option.TLS_KEY, server.keyPem().toString()))) {
            SSLContext trusting = TestCertificates.clientContext(ca.caPem(), null);
            for (int port : List.of(t.broker().discoveryPort(), t.broker().producerPort(), t.broker().consumerPort())) {
                assertThat(get(trusting, https(port, "/status")).statusCode()).isEqualTo(200);
            }
            assertThat(post(trusting, https(t.broker().producerPort(), "/v1/topic/tls/messages"), "{\"n\":1}").statusCode())
                    .isEqualTo(200);

            SSLContext wrongCa = TestCertificates.clientContext(otherCa.caPem(), null);
            assertThatThrownBy(() -> get(wrongCa, https(t.broker().discoveryPort(), "/status")))
                    .isInstanceOf(IOException.class);

            String plain = TestBroker.rawExchange(t.broker().discoveryPort(), "GET /status HTTP/1.1\r\nHost: x\r\n\r\n",
                    Duration.ofSeconds(10));
            assertThat(plain).startsWith("HTTP/1.1 400 ");
            assertThat(TestBroker.rawBody(plain)).contains("\"error\":\"bad_request\"").contains("use https://");

            assertThat(presented(trusting, t.broker().discoveryPort())).isEqualTo("CN=broker-first");
            ca.issue("broker-rotated", "server"); // same files, new certificate and key
            await().atMost(Duration.ofSeconds(20)).until(() -> presented(trusting, t.broker().discoveryPort()),
                    "CN=broker-rotated"::equals);
            assertThat(get(trusting, https(t.broker().consumerPort(), "/status")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void withAClientCaTheCertificatesCommonNameIsThePrincipal() throws Exception {
        TestCertificates ca = TestCertificates.newCa(dir.resolve("certs"), "runnel-test-ca");
        TestCertificates.Leaf server = ca.issue("broker", "server");
        TestCertificates.Leaf alice = ca.issue("alice", "alice");
        TestCertificates.Leaf mallory = ca.issue("mallory", "mallory");
        Path auth = dir.resolve("auth.json");
        Credentials.empty().with(new Credentials.Entry("alice", List.of(Grant.parse("produce:a*")), List.of(), null)).write(auth);
        try (TestBroker t = TestBroker.start(dir.resolve("data"), Map.of(Option.TLS_CERT, server.certPem().toString(),
                Option.TLS_KEY, server.keyPem().toString(), Option.TLS_CLIENT_CA, ca.caPem().toString(),
                Option.AUTH_FILE, auth.toString()))) {
            int producer = t.broker().producerPort();
            SSLContext anonymous = TestCertificates.clientContext(ca.caPem(), null);
            assertThatThrownBy(() -> get(anonymous, https(producer, "/status"))).as("no client certificate")
                    .isInstanceOf(IOException.class);

            SSLContext asAlice = TestCertificates.clientContext(ca.caPem(), alice);
            assertThat(get(asAlice, https(producer, "/status")).statusCode()).isEqualTo(200);
            assertThat(post(asAlice, https(producer, "/v1/topic/a1/messages"), "{\"n\":1}").statusCode()).isEqualTo(200);
            HttpResponse<String> b = post(asAlice, https(producer, "/v1/topic/b/messages"), "{\"n\":1}");
            assertThat(b.statusCode()).isEqualTo(403);

            SSLContext asMallory = TestCertificates.clientContext(ca.caPem(), mallory);
            HttpResponse<String> m = post(asMallory, https(producer, "/v1/topic/a1/messages"), "{\"n\":1}");
            assertThat(m.statusCode()).as(m.body()).isEqualTo(401);
            assertThat(m.body()).contains("'mallory' is not a principal");
        }
    }
}
