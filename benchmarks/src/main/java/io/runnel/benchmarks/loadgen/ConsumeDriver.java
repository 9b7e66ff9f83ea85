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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Consumer side of a run: {@link LoadOptions#consumers()} consumers of one group, each registering
 * with every consumer endpoint and long-polling them in turn (one request in flight per consumer).
 *
 * <p>Events are counted by when they arrive (warmup or measured). Produce-to-consume latency is
 * the arrival time minus the event's {@code "ts"}; it is recorded for events produced in this run
 * only (ts at or after the run start), into the phase the event was produced in. Older events are
 * counted as backlog.
 */
public final class ConsumeDriver {
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final LoadOptions options;
    private final ClientTransport transport;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final PhaseStats warmup = new PhaseStats();
    private final PhaseStats measured = new PhaseStats();
    private final LongAdder runEvents = new LongAdder();
    private final LongAdder backlogEvents = new LongAdder();
    private final List<Member> members = new ArrayList<>();
    private final CountDownLatch registered;
    private final CountDownLatch done;
    private volatile boolean stopping;
    // Until schedule() anchors the run, everything received is warmup arrival and backlog.
    private volatile long runStartMicros = Long.MAX_VALUE;
    private volatile long measureStartNanos = Long.MAX_VALUE;
    private volatile long measureStartMicros = Long.MAX_VALUE;

    public ConsumeDriver(LoadOptions options, ClientTransport transport) {
        this.options = options;
        this.transport = transport;
        this.registered = new CountDownLatch(options.consumers());
        this.done = new CountDownLatch(options.consumers());
    }

    /**
     * Anchors the run's phases (callable while polling).
     *
     * @param startNanos        {@link System#nanoTime()} the run (and its warmup) starts
     * @param measureStartNanos when the warmup ends
     */
    public void schedule(long startNanos, long measureStartNanos) {
        this.measureStartMicros = WallClock.microsAt(measureStartNanos);
        this.runStartMicros = WallClock.microsAt(startNanos);
        this.measureStartNanos = measureStartNanos;
    }

    /** Registers the consumers and starts polling. */
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

    /** Stops polling; each consumer finishes its poll and says goodbye. */
    public void stop() {
        stopping = true;
    }

    public boolean awaitDone(Duration timeout) throws InterruptedException {
        return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    public void close() {
        for (Member m : members) {
            for (HttpConnection c : m.conns) {
                c.close();
            }
        }
    }

    public PhaseStats warmupStats() {
        return warmup;
    }

    public PhaseStats measuredStats() {
        return measured;
    }

    /** Events received that were produced since the run started (by their ts). */
    public long runEvents() {
        return runEvents.sum();
    }

    /** Events received that were produced before the run started, or carry no ts. */
    public long backlogEvents() {
        return backlogEvents.sum();
    }

    /** One consumer: a connection per endpoint, all on one event loop. */
    private final class Member {
        final String id;
        final EventLoop loop;
        final List<HttpConnection> conns = new ArrayList<>();
        final boolean[] registeredWith;
        int turn;
        boolean counted;

        Member(String id, EventLoop loop) {
            this.id = id;
            this.loop = loop;
            int maxResponse = Math.max(16 << 20, options.maxBytes() * 2 + (64 << 10));
            for (Endpoint e : options.consumerBrokers()) {
                conns.add(new HttpConnection(transport, loop, e, maxResponse));
            }
            registeredWith = new boolean[conns.size()];
        }

        void begin() {
            step();
        }

        /** Registers where needed, else polls the next endpoint. */
        void step() {
            if (stopping) {
                goodbye(0);
                return;
            }
            for (int j = 0; j < conns.size(); j++) {
                if (!registeredWith[j]) {
                    register(j);
                    return;
                }
            }
            if (!counted) {
                counted = true;
                registered.countDown();
            }
            poll(turn++ % conns.size());
        }

        void register(int j) {
            String uri = "/v1/consumer/register?consumerId=" + enc(id) + "&group=" + enc(options.group())
                    + "&topic=" + enc(options.topic())
                    + "&onNewGroup=" + (options.startFromEarliest() ? "startFromEarliest" : "startFromLatest");
            send(j, HttpMethod.PUT, uri, options.requestTimeout().toMillis()).whenComplete((r, err) -> {
                if (err == null && r.status() == 200) {
                    registeredWith[j] = true;
                    step();
                } else {
                    stats().error("register " + (err != null ? ProduceDriver.errorKind(err) : "HTTP " + r.status()));
                    loop.schedule(this::step, RETRY_NANOS, TimeUnit.NANOSECONDS);
                }
            });
        }

        void poll(int j) {
            String uri = "/v1/consumer/poll?consumerId=" + enc(id) + "&timeout=" + options.pollTimeoutMillis()
                    + "&maxBytes=" + options.maxBytes();
            long timeout = options.pollTimeoutMillis() + options.requestTimeout().toMillis();
            send(j, HttpMethod.POST, uri, timeout).whenComplete((r, err) -> {
                long now = System.nanoTime();
                long nowMicros = WallClock.microsAt(now);
                PhaseStats arrival = now >= measureStartNanos ? measured : warmup;
                long delay = 0;
                if (err != null) {
                    arrival.error("poll " + ProduceDriver.errorKind(err));
                    delay = RETRY_NANOS;
                } else if (r.status() == 200) {
                    arrival.request();
                    try {
                        PollResponseParser.parse(r.body(), (ts, bytes) -> {
                            arrival.received(1, bytes);
                            if (ts >= measureStartMicros) {
                                runEvents.increment();
                                measured.latencyMicros(nowMicros - ts);
                            } else if (ts >= runStartMicros) {
                                runEvents.increment();
                                warmup.latencyMicros(nowMicros - ts);
                            } else {
                                backlogEvents.increment();
                            }
                        });
                    } catch (RuntimeException e) {
                        arrival.error("poll unreadable answer");
                    }
                } else if (r.status() == 204) {
                    arrival.request();
                } else if (r.status() == 409) {
                    registeredWith[j] = false;
                } else {
                    arrival.error("poll HTTP " + r.status());
                    delay = RETRY_NANOS;
                }
                if (delay > 0) {
                    loop.schedule(this::step, delay, TimeUnit.NANOSECONDS);
                } else {
                    step();
                }
            });
        }

        void goodbye(int j) {
            if (j >= conns.size()) {
                done.countDown();
                if (!counted) {
                    counted = true;
                    registered.countDown();
                }
                return;
            }
            if (!registeredWith[j]) {
                goodbye(j + 1);
                return;
            }
            send(j, HttpMethod.POST, "/v1/consumer/goodbye?consumerId=" + enc(id),
                    options.requestTimeout().toMillis()).whenComplete((r, err) -> {
                        registeredWith[j] = false;
                        goodbye(j + 1);
                    });
        }

        private CompletableFuture<HttpResult> send(int j, HttpMethod method, String uri, long timeoutMillis) {
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.EMPTY_BUFFER);
            request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            return conns.get(j).send(request, timeoutMillis);
        }

        private PhaseStats stats() {
            return System.nanoTime() >= measureStartNanos ? measured : warmup;
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
