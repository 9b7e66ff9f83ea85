package io.runnel.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.broker.config.Option;
import io.runnel.broker.testing.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A three-broker cluster with TLS and a client CA: the HTTP ports speak HTTPS, and the cluster port speaks mutual
 * TLS under the secret handshake, so forwarding and replication run over it; a peer without a certificate the CA
 * signed is refused.
 */
class ClusterTlsIT {
    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static TestCertificates ca;
    static TestCertificates.Leaf client;

    @BeforeAll
    static void start() {
        ca = TestCertificates.newCa(dir.resolve("certs"), "cluster-ca");
        TestCertificates.Leaf broker = ca.issue("runnel-broker", "broker");
        client = ca.issue("test-client", "client");
        cluster = new LocalCluster(dir, 3, 1, Map.of(Option.TLS_CERT, broker.certPem().toString(),
                Option.TLS_KEY, broker.keyPem().toString(), Option.TLS_CLIENT_CA, ca.caPem().toString()))
                .withTls(TestCertificates.clientContext(ca.caPem(), client));
        cluster.startAll();
        cluster.awaitSettled(Duration.ofSeconds(60)); // every leader acknowledged a write: replication over TLS
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void keyedWritesAreForwardedAndReplicatedOverTls() {
        for (int i = 0; i < 30; i++) {
            // Most keys belong to a range another broker leads: broker 0 forwards them on the cluster port.
            assertThat(cluster.produce(0, "tls-topic", "key-" + i, "{\"n\":" + i + "}").statusCode()).isEqualTo(200);
        }
        assertThat(cluster.get(cluster.discovery(2, "/v1/topics")).body()).contains("tls-topic");
    }

    @Test
    void aPeerWithoutACertificateIsRefusedOnTheClusterPort() throws Exception {
        SSLContext noCertificate = TestCertificates.clientContext(ca.caPem(), null);
        assertThatThrownBy(() -> {
            try (SSLSocket s = (SSLSocket) noCertificate.getSocketFactory().createSocket(LocalCluster.address(1),
                    cluster.clusterPort())) {
                s.setSoTimeout(15_000);
                s.startHandshake();
                // TLS 1.3 reports a refused client certificate on the first read.
                if (s.getInputStream().read() < 0) {
                    throw new IOException("closed");
                }
            }
        }).isInstanceOf(IOException.class);

        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(LocalCluster.address(1), cluster.clusterPort()), 2000);
            plain.setSoTimeout(15_000);
            plain.getOutputStream().write(new byte[] {0, 0, 0, 9, 20, 0, 0, 0, 0, 0, 0, 0, 1}); // a plain Hello
            InputStream in = plain.getInputStream();
            int answered = 0;
            try {
                int b;
                while ((b = in.read()) >= 0 && answered < 1 << 16) {
                    answered++;
                }
            } catch (IOException reset) {
                // closed with a reset
            }
            // Whatever came back is a TLS alert at most, never a handshake frame.
            assertThat(answered).isLessThan(64);
        }
    }
}
