package io.runnel.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnel.broker.cluster.transport.ClusterMessage;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster port trusts only brokers that know the cluster secret (issue: one connection posing as both
 * followers could make a leader acknowledge writes only it held). A stranger's frames are never handled: the
 * connection is closed during the handshake, before any request is read, and the leader's high watermarks do not
 * move. Raw sockets, bytes written by hand, as an attacker would.
 */
class ClusterChannelAuthIT {
    @TempDir
    static Path dir;
    static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new LocalCluster(dir, 3, 1, Map.of()).startAll();
        cluster.awaitSettled(Duration.ofSeconds(30));
        for (int i = 0; i < 20; i++) {
            assertThat(cluster.produce(0, "guarded", "k" + i, "{\"n\":" + i + "}").statusCode()).isEqualTo(200);
        }
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Socket connect() throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress("127.0.0.4", 0)); // a stranger's address
        s.connect(new InetSocketAddress(LocalCluster.address(0), cluster.clusterPort()), 2000);
        s.setSoTimeout((int) Duration.ofSeconds(15).toMillis());
        return s;
    }

    /** A frame: length, type, request id, then the body. */
    private static byte[] frame(int type, long id, byte[] body) throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(1 + 8 + body.length);
        d.writeByte(type);
        d.writeLong(id);
        d.write(body);
        return out.toByteArray();
    }

    private static byte[] hello(int ordinal) throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(ClusterMessage.PROTOCOL_VERSION);
        d.writeInt(ordinal);
        byte[] nonce = new byte[32];
        new Random(1).nextBytes(nonce);
        d.writeInt(nonce.length);
        d.write(nonce);
        return frame(1, 0, out.toByteArray());
    }

    /** A Follow of range 0 posing as {@code broker}, claiming it holds everything up to a huge offset. */
    private static byte[] forgedFollow(int broker) throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(0); // range
        d.writeInt(1); // version
        d.writeInt(1);
        byte[] topic = "guarded".getBytes(StandardCharsets.UTF_8);
        d.writeShort(topic.length);
        d.write(topic);
        d.writeInt(0);
        d.writeLong(1_000_000);
        return frame(8, 77 + broker, out.toByteArray());
    }

    /** Reads until the server closes the connection; returns the bytes it sent. */
    private static int readUntilClosed(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        int n = 0;
        try {
            while (in.read() >= 0) {
                n++;
            }
        } catch (SocketException reset) {
            // closed with a reset: closed all the same
        }
        return n;
    }

    private static String highWatermarks() {
        JsonNode t = LocalCluster.json(cluster.get(cluster.discovery(0, "/v1/topology")));
        return t.path("ranges").toString().replaceAll("\"isr\":\\[[^]]*]", "");
    }

    @Test
    void aConnectionWithoutTheSecretIsClosedBeforeAnyRequestIsReadAndNothingMoves() throws Exception {
        String before = highWatermarks();
        try (Socket s = connect()) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.write(hello(1));
            out.write(frame(23, 0, new byte[] {0, 0, 0, 32, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
                    19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32})); // a Proof it cannot make
            out.write(forgedFollow(1));
            out.write(forgedFollow(2));
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            int length = in.readInt();
            assertThat(in.readByte()).as("the only answer is the server's Challenge").isEqualTo((byte) 22);
            in.skipBytes(length - 1);
            assertThat(readUntilClosed(s)).as("nothing after the Challenge").isZero();
        }
        assertThat(highWatermarks()).isEqualTo(before);
        assertThat(cluster.produce(0, "guarded", "after", "{}").statusCode()).as("the cluster still works").isEqualTo(200);
    }

    @Test
    void aRequestBeforeTheHandshakeClosesTheConnection() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write(forgedFollow(1));
            s.getOutputStream().flush();
            assertThat(readUntilClosed(s)).isZero();
        }
    }

    @Test
    void aHugeFrameBeforeTheHandshakeIsRefusedUnread() throws Exception {
        try (Socket s = connect()) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(100 << 20); // announces 100 MiB: refused on the length alone
            out.write(new byte[1000]);
            out.flush();
            assertThat(readUntilClosed(s)).isZero();
        }
    }

    @Test
    void aSilentConnectionIsClosedAfterTheHandshakeTimeout() throws Exception {
        try (Socket s = connect()) {
            // The socket's read timeout (15 s, three handshake timeouts) fails the test if the server keeps it open.
            assertThat(readUntilClosed(s)).isZero();
        }
    }
}
