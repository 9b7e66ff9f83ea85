package io.runnel.benchmarks.loadgen;

import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Consumer side of a run: {@link LoadOptions#consumers()} consumers of one group. Each registers with every
 * consumer endpoint, then, once the run starts, long-polls all of them concurrently: one lane (connection) per
 * endpoint, each with one poll in flight. Deliveries are counted exactly ({@link Deliveries}).
 *
 * <p><b>Where to poll.</b> A Runnel poll answer names the broker that answered ({@code Runnel-Broker}) and
 * the brokers that lead the consumer's partitions ({@code Runnel-Partition-Leaders}); a broker that leads none
 * answers at once. A lane whose broker leads none of the consumer's partitions then waits for its
 * {@code Retry-After} (1 s) before polling again, or less if another broker's answer names it as a leader
 * (a rebalance or failover moved partitions there). Other answers are followed by the next poll at once.
 *
 * <p><b>Stop.</b> Each lane finishes its poll and commits on its broker (a poll commits only the previous
 * poll's positions); then the consumer says goodbye once.
 *
 * <p>Threads: each consumer's lanes run on one event loop.
 */
public final class ConsumeDriver {
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long DEFAULT_IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MAX_IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final String BROKER_HEADER = "Runnel-Broker";
    private static final String LEADERS_HEADER = "Runnel-Partition-Leaders";

    private final LoadOptions options;
    private final ClientTransport transport;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final Deliveries deliveries = new Deliveries();
    private final List<Member> members = new ArrayList<>();
    private final CountDownLatch registered;
    private final CountDownLatch done;
    private volatile boolean stopping;

    public ConsumeDriver(LoadOptions options, ClientTransport transport) {
        this.options = options;
        this.transport = transport;
        this.registered = new CountDownLatch(options.consumers());
        this.done = new CountDownLatch(options.consumers());
    }

    /**
     * Anchors the run's phases and starts polling at {@code startNanos} (consumers register first, so that
     * polling starts with the group's final assignment).
     *
     * @param startNanos        {@link System#nanoTime()} the run (and its warmup) starts
     * @param measureStartNanos when the warmup ends
     */
    public void schedule(long startNanos, long measureStartNanos) {
        deliveries.schedule(startNanos, measureStartNanos);
        for (Member m : members) {
            m.loop.schedule(m::startPolling, Math.max(0, startNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /** Registers the consumers with every endpoint; polling starts with {@link #schedule}. */
    public void start() {
        var loops = transport.group().iterator();
        for (int c = 0; c < options.consumers(); c++) {
            if (!loops.hasNext()) {
                loops = transport.group().iterator();
            }
            EventLoop loop = (EventLoop) loops.next();
            members.add(new Member("loadgen-" + runId + "-" + c, loop));
        }
        for (Member m : members) {
            m.loop.execute(m::begin);
        }
    }

    /** Waits until every consumer registered with every endpoint at least once. */
    public boolean awaitRegistered(Duration timeout) throws InterruptedException {
        return registered.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Stops polling; each consumer finishes its polls, commits and says goodbye. */
    public void stop() {
        stopping = true;
        for (Member m : members) {
            m.loop.execute(m::wakeIdleLanes);
        }
    }

    public boolean awaitDone(Duration timeout) throws InterruptedException {
        return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    public void close() {
        for (Member m : members) {
            for (Lane lane : m.lanes) {
                lane.conn.close();
            }
        }
    }

    /** What the consumers received. */
    public Deliveries deliveries() {
        return deliveries;
    }

    /** One consumer: a lane per endpoint, all on one event loop. */
    private final class Member {
        final String id;
        final EventLoop loop;
        final List<Lane> lanes = new ArrayList<>();
        /** The leaders of this consumer's partitions per the newest answer that named them; null until one did. */
        List<Integer> leaders;
        boolean polling;
        boolean countedRegistered;
        int lanesStopped;

        Member(String id, EventLoop loop) {
            this.id = id;
            this.loop = loop;
            int maxResponse = Math.max(16 << 20, options.maxBytes() * 2 + (64 << 10));
            for (Endpoint e : options.consumerBrokers()) {
                lanes.add(new Lane(this, new HttpConnection(transport, loop, e, maxResponse)));
            }
        }

        void begin() {
            for (Lane lane : lanes) {
                lane.register();
            }
        }

        void onRegistered() {
            if (!countedRegistered && lanes.stream().allMatch(l -> l.registered)) {
                countedRegistered = true;
                registered.countDown();
            }
        }

        void startPolling() {
            polling = true;
            for (Lane lane : lanes) {
                lane.step();
            }
        }

        /** An answer named the leaders of this consumer's partitions: wake lanes idling on a broker among them. */
        void onLeaders(List<Integer> named) {
            if (named.equals(leaders)) {
                return;
            }
            leaders = named;
            for (Lane lane : lanes) {
                if (lane.idle != null && named.contains(lane.broker)) {
                    lane.wake();
                }
            }
        }

        /** Stopping: every lane that is not waiting for an answer goes on to its commit. */
        void wakeIdleLanes() {
            for (Lane lane : lanes) {
                if (lane.idle != null) {
                    lane.wake();
                } else {
                    lane.step();
                }
            }
        }

        void laneStopped() {
            if (++lanesStopped < lanes.size()) {
                return;
            }
            Lane first = lanes.stream().filter(l -> l.registered && !l.busy).findFirst().orElse(null);
            if (first == null) {
                finished();
                return;
            }
            first.send(HttpMethod.POST, "/v1/consumer/goodbye?consumerId=" + enc(id), options.requestTimeout().toMillis())
                    .whenComplete((r, err) -> finished());
        }

        private void finished() {
            done.countDown();
            if (!countedRegistered) {
                countedRegistered = true;
                registered.countDown();
            }
        }
    }

    /** One consumer's connection to one endpoint, with at most one request in flight. */
    private final class Lane {
        final Member member;
        final HttpConnection conn;
        boolean registered;
        boolean stopped;
        /** A request is in flight. */
        boolean busy;
        /** The broker's ordinal from its answers ({@code Runnel-Broker}), -1 until one said. */
        int broker = -1;
        /** Set while the lane waits before polling a broker that leads none of the consumer's partitions. */
        ScheduledFuture<?> idle;

        Lane(Member member, HttpConnection conn) {
            this.member = member;
            this.conn = conn;
        }

        void register() {
            String uri = "/v1/consumer/register?consumerId=" + enc(member.id) + "&group=" + enc(options.group())
                    + "&topic=" + enc(options.topic())
                    + "&onNewGroup=" + (options.startFromEarliest() ? "startFromEarliest" : "startFromLatest");
            send(HttpMethod.PUT, uri, options.requestTimeout().toMillis()).whenComplete((r, err) -> {
                if (err == null && r.status() == 200) {
                    registered = true;
                    member.onRegistered();
                    step();
                } else {
                    deliveries.phaseAt(System.nanoTime())
                            .error("register " + (err != null ? ProduceDriver.errorKind(err) : "HTTP " + r.status()));
                    after(RETRY_NANOS);
                }
            });
        }

        /** The lane's next request, unless one is in flight or it waits: register, poll, or commit once stopping. */
        void step() {
            if (stopped || busy || idle != null) {
                return;
            }
            if (stopping) {
                stop();
            } else if (!registered) {
                register();
            } else if (member.polling) {
                poll();
            }
        }

        /** Steps again after {@code nanos} (or when woken). */
        void after(long nanos) {
            if (stopping) {
                step();
                return;
            }
            idle = member.loop.schedule(() -> {
                idle = null;
                step();
            }, nanos, TimeUnit.NANOSECONDS);
        }

        void wake() {
            if (idle != null) {
                idle.cancel(false);
                idle = null;
                step();
            }
        }

        void poll() {
            String uri = "/v1/consumer/poll?consumerId=" + enc(member.id) + "&timeout=" + options.pollTimeoutMillis()
                    + "&maxBytes=" + options.maxBytes();
            long timeout = options.pollTimeoutMillis() + options.requestTimeout().toMillis();
            send(HttpMethod.POST, uri, timeout).whenComplete((r, err) -> {
                long now = System.nanoTime();
                PhaseStats arrival = deliveries.phaseAt(now);
                long delay = 0;
                if (err != null) {
                    arrival.error("poll " + ProduceDriver.errorKind(err));
                    delay = RETRY_NANOS;
                } else if (r.status() == 200) {
                    arrival.request();
                    learn(r);
                    try {
                        receive(r.body(), now);
                    } catch (RuntimeException e) {
                        arrival.error("poll unreadable answer");
                    }
                } else if (r.status() == 204) {
                    arrival.request();
                    if (learn(r) && member.leaders != null && !member.leaders.contains(broker)) {
                        delay = retryAfterNanos(r);
                    }
                } else if (r.status() == 409) {
                    registered = false;
                } else {
                    arrival.error("poll HTTP " + r.status());
                    delay = RETRY_NANOS;
                }
                if (delay > 0) {
                    after(delay);
                } else {
                    step();
                }
            });
        }

        /** Reads the broker and leader headers of an answer; whether it had them. */
        private boolean learn(HttpResult r) {
            String b = r.header(BROKER_HEADER);
            String l = r.header(LEADERS_HEADER);
            if (b == null || l == null) {
                return false;
            }
            try {
                broker = Integer.parseInt(b.trim());
                List<Integer> named = new ArrayList<>();
                for (String s : l.split(",")) {
                    if (!s.isBlank()) {
                        named.add(Integer.parseInt(s.trim()));
                    }
                }
                member.onLeaders(List.copyOf(named));
                return true;
            } catch (NumberFormatException e) {
                return false;
            }
        }

        private void receive(byte[] body, long arrivalNanos) {
            long arrivalMicros = WallClock.microsAt(arrivalNanos);
            PollResponseParser.parse(body, new PollResponseParser.EventSink() {
                Deliveries.Partition partition;
                long offset;

                @Override
                public void batch(String topic, String token, int rangeIndex, long startOffset) {
                    partition = topic == null || token == null ? null : deliveries.partition(topic + "/" + token + "/" + rangeIndex);
                    offset = startOffset;
                }

                @Override
                public void event(long tsMicros, int bytes) {
                    deliveries.event(partition, offset, tsMicros, bytes, arrivalNanos, arrivalMicros);
                    if (offset >= 0) {
                        offset++;
                    }
                }
            });
        }

        /** Commits this broker's positions (the last poll's data is committed only by the next poll), then stops. */
        void stop() {
            if (!registered) {
                stopped();
                return;
            }
            send(HttpMethod.POST, "/v1/consumer/commit?consumerId=" + enc(member.id), options.requestTimeout().toMillis())
                    .whenComplete((r, err) -> stopped());
        }

        private void stopped() {
            if (!stopped) {
                stopped = true;
                member.laneStopped();
            }
        }

        /** Sends on this lane's connection; {@link #busy} until the answer (callbacks see it cleared). */
        CompletableFuture<HttpResult> send(HttpMethod method, String uri, long timeoutMillis) {
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.EMPTY_BUFFER);
            request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            busy = true;
            return conn.send(request, timeoutMillis).whenComplete((r, e) -> busy = false);
        }
    }

    /** The answer's {@code Retry-After} (seconds), else 1 s; at most a minute. */
    private long retryAfterNanos(HttpResult r) {
        long nanos = DEFAULT_IDLE_NANOS;
        String h = r.header(HttpHeaderNames.RETRY_AFTER);
        if (h != null) {
            try {
                nanos = TimeUnit.SECONDS.toNanos(Math.max(0, Long.parseLong(h.trim())));
            } catch (NumberFormatException e) {
                // keep the default
            }
        }
        return Math.min(nanos, MAX_IDLE_NANOS);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
