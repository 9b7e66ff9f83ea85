package io.runnel.broker;

import io.runnel.broker.testing.TestBroker;
import static io.runnel.broker.ApiAssertions.assertRawError;
import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.broker.config.Option;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Idle and slow connections are closed by read-timeout-ms; long polls are not. */
class ReadTimeoutIT {
    @TempDir
    static Path dir;
    static TestBroker t;

    @BeforeAll
    static void start() {
        t = TestBroker.start(dir, Map.of(Option.READ_TIMEOUT_MS, "400"));
    }

    @AfterAll
    static void stop() {
        if (t != null) {
            t.close();
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        // Far above the read timeout: a read that times out here means the server did not close.
        socket.setSoTimeout(10_000);
        return socket;
    }

    @Test
    void anIdleConnectionIsClosed() throws Exception {
        try (Socket socket = connect(t.broker().producerPort())) {
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void aKeptAliveConnectionIsClosedOnceIdle() throws Exception {
        try (Socket socket = connect(t.broker().discoveryPort())) {
            socket.getOutputStream().write("GET /status HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String all = TestBroker.readUntilClosed(socket.getInputStream());
            assertThat(all).startsWith("HTTP/1.1 200 OK").contains("{\"status\":\"ok\",\"api\":\"discovery\"}");
        }
    }

    @Test
    void aRequestTricklingInIsAnswered408AndClosed() throws Exception {
        byte[] request = ("POST /v1/topic/slow/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"a\":\""
                + "x".repeat(900)).getBytes(StandardCharsets.US_ASCII);
        ScheduledExecutorService trickler = Executors.newSingleThreadScheduledExecutor();
        try (Socket socket = connect(t.broker().producerPort())) {
            OutputStream out = socket.getOutputStream();
            AtomicInteger sent = new AtomicInteger();
            // One byte every 50 ms: the connection is never idle for the 400 ms timeout, but the
            // request would take 50 s to arrive.
            trickler.scheduleAtFixedRate(() -> {
                int i = sent.getAndIncrement();
                if (i < request.length) {
                    try {
                        out.write(request[i]);
                        out.flush();
                    } catch (IOException closed) {
                        throw new IllegalStateException("stop", closed);
                    }
                }
            }, 0, 50, TimeUnit.MILLISECONDS);
            String response = TestBroker.readUntilClosed(socket.getInputStream());
            assertRawError(response, 408, "request_timeout");
            assertThat(sent.get()).isLessThan(request.length);
        } finally {
            trickler.shutdownNow();
        }
        assertThat(t.broker().store().topic("slow")).isEmpty();
    }

    @Test
    void aLongPollOutlastsTheReadTimeout() {
        assertThat(t.put(t.consumer("/v1/consumer/register?consumerId=lp&topic=lp-topic")).statusCode()).isEqualTo(200);
        long started = System.nanoTime();
        var poll = t.post(t.consumer("/v1/consumer/poll?consumerId=lp&timeout=1000"));
        assertThat(poll.statusCode()).isEqualTo(204);
        assertThat(poll.headers().firstValue("retry-after")).hasValue("1");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }
}
