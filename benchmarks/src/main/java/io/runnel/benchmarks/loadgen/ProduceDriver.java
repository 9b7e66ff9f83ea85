package io.runnel.benchmarks.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.ConnectException;
import java.net.URLEncoder;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Producer side of a run: {@link LoadOptions#connections()} lanes, each a connection with one
 * request in flight that claims the next request from a shared counter as soon as it is free.
 *
 * <p><b>Schedule.</b> At a fixed rate, measured request {@code i} is due at
 * {@code measureStart + i·batch/rate}; a lane that claims it early waits for that moment, a lane
 * that claims it late sends at once, and its latency still counts from the due time, so a slow
 * broker cannot hide the queueing it causes (no coordinated omission). At full speed latency counts
 * from the actual send.
 *
 * <p><b>Phases.</b> The warmup has a schedule of its own from {@code start}, counted apart; warmup
 * requests that are already late are skipped, and the measured schedule starts afresh when the
 * warmup ends, so a cold start's backlog does not leak into the measurement. With {@code --events}
 * the limit counts measured events only.
 */
public final class ProduceDriver {
    private static final long CONNECT_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long OVERLOAD_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final LoadOptions options;
    private final ClientTransport transport;
    private final EventGenerator generator;
    private final byte[][] keyBytes;
    private final String[] uris;
    private final long intervalNanos;
    private final long maxMeasuredRequests;
    private final AtomicLong warmupClaims = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong measuredClaims = new AtomicLong();
    private final AtomicLong lastMeasuredAnswer = new AtomicLong();
    private final PhaseStats warmup = new PhaseStats();
    private final PhaseStats measured = new PhaseStats();
    private final List<Lane> lanes = new ArrayList<>();
    private final CountDownLatch done;
    private volatile boolean stopping;
    private long startNanos;
    private long measureStartNanos;
    private long endNanos;

    public ProduceDriver(LoadOptions options, ClientTransport transport) {
        this.options = options;
        this.transport = transport;
        int keys = options.keys();
        this.generator = new EventGenerator(options.eventSize(), keys > 0 ? LoadOptions.maxKeyLength(keys) : 0);
        String base = "/v1/topic/" + options.topic() + "/messages";
        if (keys == 0) {
            keyBytes = new byte[][] {null};
            uris = new String[] {base};
        } else {
            keyBytes = new byte[keys][];
            uris = new String[keys];
            for (int k = 0; k < keys; k++) {
                String key = LoadOptions.key(k);
                keyBytes[k] = key.getBytes(StandardCharsets.US_ASCII);
                uris[k] = base + "?partitionKey=" + URLEncoder.encode(key, StandardCharsets.UTF_8);
            }
        }
        this.intervalNanos = options.fixedRate() ? Math.max(1, Math.round(options.batch() * 1e9 / options.rate())) : 0;
        this.maxMeasuredRequests = options.events() > 0
                ? (options.events() + options.batch() - 1) / options.batch() : Long.MAX_VALUE;
        this.done = new CountDownLatch(options.connections());
    }

    /**
     * Opens the lanes and starts sending.
     *
     * @param startNanos       {@link System#nanoTime()} at which the first request is due
     * @param measureStartNanos when the warmup ends
     * @param endNanos         when no more requests are started ({@link Long#MAX_VALUE} with {@code --events})
     */
    public void start(long startNanos, long measureStartNanos, long endNanos) {
        this.startNanos = startNanos;
        this.measureStartNanos = measureStartNanos;
        this.endNanos = endNanos;
        Iterator<EventExecutor> loops = null;
        List<Endpoint> brokers = options.brokers();
        for (int c = 0; c < options.connections(); c++) {
            if (loops == null || !loops.hasNext()) {
                loops = transport.group().iterator();
            }
            EventLoop loop = (EventLoop) loops.next();
            lanes.add(new Lane(new HttpConnection(transport, loop, brokers.get(c % brokers.size()), 1 << 20)));
        }
        for (Lane lane : lanes) {
            long delay = Math.max(0, startNanos - System.nanoTime());
            lane.conn.eventLoop().schedule(lane::next, delay, TimeUnit.NANOSECONDS);
        }
    }

    /** Stops starting requests; those in flight still complete. */
    public void stop() {
        stopping = true;
    }

    /** Waits until every lane finished its last request. */
    public boolean awaitDone(Duration timeout) throws InterruptedException {
        return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    public boolean isDone() {
        return done.getCount() == 0;
    }

    public void close() {
        for (Lane lane : lanes) {
            lane.conn.close();
        }
    }

    public PhaseStats warmupStats() {
        return warmup;
    }

    public PhaseStats measuredStats() {
        return measured;
    }

    /** Events acknowledged in both phases. */
    public long ackedEvents() {
        return warmup.events() + measured.events();
    }

    /** {@link System#nanoTime()} of the last measured answer, 0 if none. */
    public long lastMeasuredAnswerNanos() {
        return lastMeasuredAnswer.get();
    }

    private final class Lane {
        final HttpConnection conn;
        final EventLoop loop;
        final byte[] scratch = new byte[generator.bodySize(options.batch())];
        boolean finished;

        Lane(HttpConnection conn) {
            this.conn = conn;
            this.loop = conn.eventLoop();
        }

        void next() {
            if (stopping) {
                finish();
                return;
            }
            long now = System.nanoTime();
            long due = -1;
            boolean isMeasured = true;
            if (now < measureStartNanos) {
                if (options.fixedRate()) {
                    // Warmup only: skip requests already more than a round of lanes late, so the
                    // client does not enter the measured phase still catching up.
                    long onTime = (now - startNanos) / intervalNanos - options.connections();
                    long i = warmupClaims.updateAndGet(c -> Math.max(c, onTime) + 1) - 1;
                    due = startNanos + i * intervalNanos;
                } else {
                    due = now;
                }
                isMeasured = due >= measureStartNanos;
            }
            int count = options.batch();
            if (isMeasured) {
                // The measured schedule starts afresh at its own start: a backlog the warmup built up
                // (a cold client or broker) is not carried into the measurement.
                long m = measuredClaims.getAndIncrement();
                if (m >= maxMeasuredRequests) {
                    finish();
                    return;
                }
                due = options.fixedRate() ? measureStartNanos + m * intervalNanos : now;
                if (due >= endNanos) {
                    finish();
                    return;
                }
                if (options.events() > 0) {
                    count = (int) Math.min(count, options.events() - m * options.batch());
                }
            }
            int n = count;
            long at = due;
            boolean measuredRequest = isMeasured;
            if (due > now) {
                loop.schedule(() -> send(at, measuredRequest, n), due - now, TimeUnit.NANOSECONDS);
            } else {
                send(at, measuredRequest, n);
            }
        }

        private void send(long due, boolean isMeasured, int count) {
            if (stopping) {
                finish();
                return;
            }
            long firstSeq = sequence.getAndAdd(count);
            int k = (int) ((firstSeq / options.batch()) % keyBytes.length);
            long sent = System.nanoTime();
            long from = options.fixedRate() ? due : sent;
            // "ts" is where end-to-end latency counts from: the intended send time at a fixed rate, as here.
            int len = generator.writeBody(scratch, 0, firstSeq, count, WallClock.microsAt(from), keyBytes[k]);
            ByteBuf body = conn.alloc().buffer(len, len).writeBytes(scratch, 0, len);
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uris[k], body);
            request.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "application/x-ndjson")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, len);
            PhaseStats stats = isMeasured ? measured : warmup;
            conn.send(request, options.requestTimeout().toMillis()).whenComplete((r, err) -> {
                long now = System.nanoTime();
                long delay = 0;
                if (err != null) {
                    stats.error(errorKind(err));
                    if (err instanceof ConnectException) {
                        delay = CONNECT_RETRY_NANOS;
                    }
                } else if (r.status() == 200) {
                    stats.success(count, (long) count * options.eventSize(), now - from);
                    if (isMeasured) {
                        lastMeasuredAnswer.accumulateAndGet(now, Math::max);
                    }
                } else {
                    stats.error("HTTP " + r.status());
                    if (r.status() == 429 || r.status() == 503) {
                        delay = OVERLOAD_BACKOFF_NANOS;
                    }
                }
                if (delay > 0) {
                    loop.schedule(this::next, delay, TimeUnit.NANOSECONDS);
                } else {
                    next();
                }
            });
        }

        private void finish() {
            if (!finished) {
                finished = true;
                done.countDown();
            }
        }
    }

    static String errorKind(Throwable t) {
        if (t instanceof ConnectException) {
            return "connect";
        }
        if (t instanceof TimeoutException) {
            return "timeout";
        }
        if (t instanceof ClosedChannelException) {
            return "closed";
        }
        return t.getClass().getSimpleName();
    }
}
