package io.runnel.broker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnel.broker.config.Option;
import io.runnel.broker.testing.TestHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A broker started with the launcher's memory settings (256 MiB heap, 128 MiB of direct memory) under what clients
 * can throw at it: hundreds of maximum-size bodies at once, thousands of idle and half-open connections, a reader
 * that never reads its answer, and thousands of topic names and consumer ids. It answers only 200, 429 or 503
 * (with {@code Retry-After}), never drops a connection unanswered for lack of memory, stays under 512 MiB of
 * resident memory, and serves normally once the load stops.
 */
class OverloadIT {
    private static final Duration READY = Duration.ofSeconds(60);
    private static final long MAX_RSS_BYTES = 512L << 20;
    /** The launcher's JVM options (bin/runnel). */
    private static final String[] LAUNCHER_JVM = {"-Xms256m", "-XX:MaxDirectMemorySize=128m", "-XX:+UseParallelGC"};

    @RegisterExtension
    final BrokerProcesses processes = new BrokerProcesses();

    private final TestHttp http = new TestHttp();

    private BrokerProcess broker(String name, Option option, String value) {
        BrokerProcess.Builder b = processes.broker(name).address("127.0.0.1").jvmArgs(LAUNCHER_JVM);
        if (option != null) {
            b.option(option, value);
        }
        return b.build().start().awaitReady(READY);
    }

    /** One answer read off a raw socket: the status, or -1 when the connection ended without one. */
    private record Answer(int status, String headers, String body) {
    }

    /** Sends raw bytes on a fresh connection (from {@code source}) and reads one answer. */
    private static Answer exchange(String source, int port, byte[] head, byte[] body) {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(head);
                out.write(body);
                out.flush();
            } catch (IOException e) {
                // The server may answer and stop reading before the body is all sent: read its answer anyway.
            }
            return read(s.getInputStream());
        } catch (IOException e) {
            return new Answer(-1, e.toString(), "");
        }
    }

    private static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4 && (b = in.read()) >= 0) {
            head.write(b);
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        if (matched < 4) {
            return new Answer(-1, h, "");
        }
        Matcher length = Pattern.compile("(?i)content-length: *(\\d+)").matcher(h);
        byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : new byte[0];
        return new Answer(Integer.parseInt(h.substring(9, 12)), h, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] ndjson(int bytes) {
        StringBuilder sb = new StringBuilder(bytes);
        int n = 0;
        while (sb.length() < bytes - 1100) {
            sb.append("{\"n\":").append(n++).append(",\"pad\":\"").append("x".repeat(1000)).append("\"}\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static long peakRss(BrokerProcess broker) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(broker.pid()), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmHWM for " + broker.pid());
    }

    private static double metric(TestHttp http, BrokerProcess broker, String name) {
        String text = http.get(URI.create("http://127.0.0.1:" + broker.discoveryPort() + "/metrics")).body();
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(2)) : Double.NaN;
    }

    @Test
    void hundredsOfMaximumSizeBodiesAtOnceGetAnAnswerEachAndEveryAcknowledgedOneIsReadable() throws Exception {
        BrokerProcess broker = broker("flood", null, null);
        byte[] body = ndjson(1_000_000);
        byte[] head = ("POST /v1/topic/flood/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
                + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        int clients = 300;
        List<Answer> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Answer>> futures = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                // Spread over source addresses: this test is about memory, not the per-client connection cap.
                String source = "127.0." + (1 + i / 200) + "." + (2 + i % 200);
                futures.add(pool.submit(() -> exchange(source, broker.producerPort(), head, body)));
            }
            for (Future<Answer> f : futures) {
                answers.add(f.get());
            }
        }
        Map<Integer, Integer> statuses = new TreeMap<>();
        long acknowledged = 0;
        for (Answer a : answers) {
            statuses.merge(a.status(), 1, Integer::sum);
            assertThat(a.status()).as("every request is answered 200, 429 or 503: %s %s", a.headers(), a.body())
                    .isIn(200, 429, 503);
            if (a.status() == 200) {
                acknowledged += TestHttp.JSON.readTree(a.body()).path("count").asLong();
            } else {
                assertThat(a.headers().toLowerCase()).as(a.body()).contains("retry-after:");
            }
        }
        System.out.println("OverloadIT: " + clients + " bodies of " + body.length + " bytes: " + statuses
                + "; peak RSS " + (peakRss(broker) >> 20) + " MiB");
        assertThat(statuses.getOrDefault(200, 0)).as("some got through").isPositive();
        assertThat(peakRss(broker)).as("peak RSS").isLessThan(MAX_RSS_BYTES);
        assertThat(Files.readString(broker.log())).doesNotContain("OutOfDirectMemoryError").doesNotContain("OutOfMemoryError");

        // The load is over: the broker answers normally at once, and every acknowledged event, and only those, reads back.
        HttpResponse<String> after = http.post(URI.create("http://127.0.0.1:" + broker.producerPort()
                + "/v1/topic/after/messages"), "application/json", "{\"ok\":true}");
        assertThat(after.statusCode()).isEqualTo(200);
        URI consumer = URI.create("http://127.0.0.1:" + broker.consumerPort());
        assertThat(http.put(consumer.resolve("/v1/consumer/register?consumerId=check&group=check&topic=flood"
                + "&onNewGroup=startFromEarliest")).statusCode()).isEqualTo(200);
        long read = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (read < acknowledged && System.nanoTime() < deadline) {
            HttpResponse<String> poll = http.post(consumer.resolve("/v1/consumer/poll?consumerId=check&timeout=1000"));
            if (poll.statusCode() == 200) {
                for (JsonNode batch : TestHttp.json(poll)) {
                    read += batch.path("values").size();
                }
            }
        }
        HttpResponse<String> more = http.post(consumer.resolve("/v1/consumer/poll?consumerId=check&timeout=500"));
        assertThat(read).as("events read back").isEqualTo(acknowledged);
        assertThat(more.statusCode()).as("nothing of a refused request was stored").isEqualTo(204);
    }

    @Test
    void idleHalfOpenAndSlowReadingClientsAreCappedAndReaped() throws Exception {
        BrokerProcess broker = processes.broker("idle").address("127.0.0.1").jvmArgs(LAUNCHER_JVM)
                .option(Option.READ_TIMEOUT_MS, "3000").option(Option.MAX_CONNECTIONS_PER_CLIENT, "500")
                .build().start().awaitReady(READY);
        // A backlog of 1 MiB answers for a reader that never reads.
        byte[] body = ndjson(900_000);
        for (int i = 0; i < 4; i++) {
            assertThat(http.post(URI.create("http://127.0.0.1:" + broker.producerPort() + "/v1/topic/slow/messages"),
                    "application/x-ndjson", new String(body, StandardCharsets.UTF_8)).statusCode()).isEqualTo(200);
        }
        URI consumer = URI.create("http://127.0.0.1:" + broker.consumerPort());
        assertThat(http.put(consumer.resolve("/v1/consumer/register?consumerId=slow&group=slow&topic=slow"
                + "&onNewGroup=startFromEarliest")).statusCode()).isEqualTo(200);

        List<Socket> sockets = new ArrayList<>();
        try {
            // 600 idle connections from one address: 500 are kept, the rest answered 429 and closed at once.
            for (int i = 0; i < 600; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", broker.producerPort()), 5_000);
                sockets.add(s);
            }
            // 300 half-open ones from another: a request head that never ends.
            for (int i = 0; i < 300; i++) {
                Socket s = new Socket();
                s.bind(new InetSocketAddress("127.0.0.2", 0));
                s.connect(new InetSocketAddress("127.0.0.1", broker.producerPort()), 5_000);
                s.getOutputStream().write("POST /v1/topic/x/messages HTTP/1.1\r\nHost: x\r\nContent-Len".getBytes(StandardCharsets.US_ASCII));
                sockets.add(s);
            }
            // The slow reader: asks for 1 MiB and reads nothing.
            Socket slow = new Socket();
            slow.setReceiveBufferSize(4096);
            slow.bind(new InetSocketAddress("127.0.0.3", 0));
            slow.connect(new InetSocketAddress("127.0.0.1", broker.consumerPort()), 5_000);
            slow.getOutputStream().write(("POST /v1/consumer/poll?consumerId=slow&maxBytes=1048576 HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            sockets.add(slow);

            // The last ones opened are over the cap: answered at once.
            Socket last = sockets.get(599);
            last.setSoTimeout(10_000);
            Answer over = read(last.getInputStream());
            assertThat(over.status()).as(over.body()).isEqualTo(429);
            assertThat(over.body()).contains("max-connections-per-client");
            await("100 connections refused").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> metric(http, broker, "runnel_http_connections_refused_total") >= 100);

            // Meanwhile another client is served normally.
            assertThat(exchange("127.0.0.9", broker.discoveryPort(), "GET /status HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII), new byte[0]).status()).isEqualTo(200);

            // The read timeout reaps the idle, half-open and slow ones; what they held is given back.
            await("connections reaped").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> metric(http, broker, "runnel_http_connections") <= 1);
            await("bytes in flight given back").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> metric(http, broker, "runnel_inflight_bytes") == 0);
            assertThat(peakRss(broker)).as("peak RSS").isLessThan(MAX_RSS_BYTES);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        // The consumer whose answer was never read polls on (what that answer held counts as delivered: a poll
        // commits what the previous one returned).
        assertThat(http.post(consumer.resolve("/v1/consumer/poll?consumerId=slow&timeout=1000")).statusCode()).isIn(200, 204);
    }

    @Test
    void thousandsOfTopicNamesAndConsumerIdsFromOneClientMeetTheLimits() throws Exception {
        BrokerProcess broker = broker("many", null, null);
        URI producer = URI.create("http://127.0.0.1:" + broker.producerPort());
        URI consumer = URI.create("http://127.0.0.1:" + broker.consumerPort());
        Map<Integer, Integer> topics = new TreeMap<>();
        AtomicLong firstRefused = new AtomicLong(-1);
        for (int i = 0; i < 10_000; i++) {
            HttpResponse<String> r = http.post(producer.resolve("/v1/topic/t" + i + "/messages"), "application/json", "{}");
            topics.merge(r.statusCode(), 1, Integer::sum);
            if (r.statusCode() == 409 && firstRefused.get() < 0) {
                firstRefused.set(i);
                assertThat(TestHttp.json(r).path("error").asText()).isEqualTo("limit_exceeded");
                assertThat(r.body()).contains("max-topics");
            }
        }
        assertThat(topics).containsOnlyKeys(200, 409);
        assertThat(topics.get(200)).as("topics created").isEqualTo(1000);

        Map<Integer, Integer> consumers = new TreeMap<>();
        for (int i = 0; i < 5_000; i++) {
            HttpResponse<String> r = http.put(consumer.resolve("/v1/consumer/register?consumerId=big-" + i + "&group=big&topic=t0"));
            consumers.merge(r.statusCode(), 1, Integer::sum);
            if (r.statusCode() != 200) {
                assertThat(r.body()).contains("max-consumers-per-group");
            }
        }
        assertThat(consumers).as("one group").containsEntry(200, 1000).containsEntry(409, 4000);
        Map<Integer, Integer> groups = new TreeMap<>();
        for (int i = 0; i < 5_000; i++) {
            HttpResponse<String> r = http.put(consumer.resolve("/v1/consumer/register?consumerId=own-" + i + "&group=g" + i + "&topic=t0"));
            groups.merge(r.statusCode(), 1, Integer::sum);
            if (r.statusCode() != 200) {
                assertThat(r.body()).contains("max-groups");
            }
        }
        assertThat(groups).as("a group each (\"big\" is one)").containsEntry(200, 999).containsEntry(409, 4001);
        assertThat(metric(http, broker, "runnel_limit_exceeded_total")).isPositive();
        assertThat(http.get(URI.create("http://127.0.0.1:" + broker.discoveryPort() + "/status")).statusCode()).isEqualTo(200);
        assertThat(peakRss(broker)).as("peak RSS").isLessThan(MAX_RSS_BYTES);
    }
}
