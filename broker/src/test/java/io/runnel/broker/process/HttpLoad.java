package io.runnel.broker.process;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Keyed produce load from several threads that records its own history: every acknowledged batch
 * (key, event ids in order, partition, offset, the order of acknowledgements per key) and every
 * batch sent without a 200 (refused, reset, timed out or rejected: <em>not</em> acknowledged, so the
 * broker may or may not have stored it). {@link HistoryChecker} compares that history with what
 * consumers read back.
 *
 * <p>Each key belongs to one thread, which sends its batches one after another: a batch of a key
 * is sent only after the previous one was answered, so acknowledgement order is send order and
 * the broker must store the batches of a key in that order. Event ids are
 * {@code <runId>-<key>-<n>}, unique as long as each load has its own {@code runId}.
 *
 * <p>A failed request is followed by a short pause (so a dead broker is not hammered) and the next
 * batch; the load runs until {@link #stop}.
 */
public final class HttpLoad implements AutoCloseable {
    private static final Duration BACKOFF = Duration.ofMillis(20);

    /**
     * @param topic     topic to produce to
     * @param runId     prefix of every event id (unique per load in a test)
     * @param threads   producer threads (each owns the keys {@code i} with {@code i % threads == thread})
     * @param keys      number of partition keys, {@code <keyPrefix>0 .. <keyPrefix>(keys-1)}
     * @param minBatch  fewest events per request
     * @param maxBatch  most events per request
     * @param seed      seed of batch sizes and key choice
     * @param keyPrefix prefix of the key names ({@code key-} by default); loads that run at the same
     *                  time need different prefixes, since {@link HistoryChecker} orders a key's batches
     *                  by acknowledgement, which only one load at a time can give per key
     */
    public record Settings(String topic, String runId, int threads, int keys, int minBatch, int maxBatch, long seed,
                           String keyPrefix) {
        public Settings {
            if (threads < 1 || keys < threads || minBatch < 1 || maxBatch < minBatch) {
                throw new IllegalArgumentException("need 1 <= threads <= keys and 1 <= minBatch <= maxBatch: " + this);
            }
            if (keyPrefix == null) {
                throw new IllegalArgumentException("keyPrefix must not be null");
            }
        }

        /** Settings with the keys {@code key-0 .. key-(keys-1)}. */
        public Settings(String topic, String runId, int threads, int keys, int minBatch, int maxBatch, long seed) {
            this(topic, runId, threads, keys, minBatch, maxBatch, seed, "key-");
        }

        /** The name of key number {@code k}. */
        public String key(int k) {
            return keyPrefix + k;
        }
    }

    /** A batch as sent: its key and event ids, in order. */
    public record Batch(String key, List<String> ids) {
    }

    /**
     * An acknowledged batch.
     *
     * @param ackSeq     order of acknowledgement in this load (1, 2, ...)
     * @param keyAckSeq  order of acknowledgement among the batches of its key in this load (0, 1, ...)
     * @param target     index of the producer endpoint it was sent to (0 with a single endpoint)
     * @param sentNanos  {@link System#nanoTime} when the request was sent (0 if not recorded)
     * @param ackedNanos {@link System#nanoTime} when the 200 arrived (0 if not recorded)
     */
    public record Acked(Batch batch, ProducerClient.Ack ack, long ackSeq, int keyAckSeq, int target, long sentNanos,
                        long ackedNanos) {
        /** An acknowledged batch without endpoint and times. */
        public Acked(Batch batch, ProducerClient.Ack ack, long ackSeq, int keyAckSeq) {
            this(batch, ack, ackSeq, keyAckSeq, 0, 0, 0);
        }
    }

    /**
     * A batch sent without a 200: it may or may not be stored.
     *
     * @param target      index of the producer endpoint it was sent to
     * @param status      the HTTP status answered, or -1 when no answer arrived (refused, reset, timed out)
     * @param sentNanos   {@link System#nanoTime} when the request was sent (0 if not recorded)
     * @param failedNanos {@link System#nanoTime} when it failed (0 if not recorded)
     */
    public record Unacked(Batch batch, String reason, int target, int status, long sentNanos, long failedNanos) {
        /** An unacknowledged batch without endpoint, status and times. */
        public Unacked(Batch batch, String reason) {
            this(batch, reason, 0, -1, 0, 0);
        }
    }

    private final Settings settings;
    private final List<ProducerClient> clients;
    private final java.util.Set<Integer> avoided = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new ArrayList<>();
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final Queue<Acked> acked = new ConcurrentLinkedQueue<>();
    private final Queue<Unacked> unacked = new ConcurrentLinkedQueue<>();
    private final Queue<String> anomalies = new ConcurrentLinkedQueue<>();
    private final AtomicLong ackSeq = new AtomicLong();
    private final AtomicLong ackedEvents = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile String lastFailure = "none";
    private volatile long paceNanos;

    /** @param producer {@code http://address:port} of the producer API */
    public HttpLoad(URI producer, Settings settings) {
        this(List.of(producer), settings, Duration.ofSeconds(10));
    }

    /**
     * A load spread over several brokers: each thread sends its successive requests to the endpoints
     * in turn (a key's batches thus reach different brokers, which forward them to the key's leader).
     *
     * @param producers      {@code http://address:port} of each producer API
     * @param requestTimeout how long one request may take before it counts as failed (no answer)
     */
    public HttpLoad(List<URI> producers, Settings settings, Duration requestTimeout) {
        if (producers.isEmpty()) {
            throw new IllegalArgumentException("no producer endpoint");
        }
        this.settings = settings;
        this.clients = producers.stream().map(p -> new ProducerClient(p, requestTimeout)).toList();
    }

    /**
     * Makes each thread wait at least {@code interval} between the starts of its requests (a rate cap,
     * so that a fast machine does not produce more history than a test can read back in its time).
     * Call before {@link #start}; no pacing by default.
     */
    public HttpLoad pace(Duration interval) {
        this.paceNanos = interval.toNanos();
        return this;
    }

    /**
     * New requests skip endpoint {@code target} until {@link #allow}: as a client that saw a broker stop answering
     * would (a request to a frozen broker waits for its timeout). Requests already sent there still wait.
     */
    public HttpLoad avoid(int target) {
        avoided.add(target);
        return this;
    }

    /** Undoes {@link #avoid}. */
    public HttpLoad allow(int target) {
        avoided.remove(target);
        return this;
    }

    /** Starts the producer threads. */
    public HttpLoad start() {
        if (!threads.isEmpty()) {
            throw new IllegalStateException("already started");
        }
        for (int t = 0; t < settings.threads(); t++) {
            int index = t;
            Thread thread = new Thread(() -> run(index), "load-" + settings.runId() + "-" + t);
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
        return this;
    }

    private void run(int index) {
        Random random = new Random(settings.seed() * 31 + index);
        List<String> keys = new ArrayList<>();
        for (int k = index; k < settings.keys(); k += settings.threads()) {
            keys.add(settings.key(k));
        }
        long requests = index; // threads start at different endpoints
        int[] nextId = new int[keys.size()];
        int[] acks = new int[keys.size()];
        long lastStart = System.nanoTime() - paceNanos;
        while (stopping.getCount() > 0) {
            long wait = lastStart + paceNanos - System.nanoTime();
            if (wait > 0 && awaitStop(wait)) {
                return;
            }
            lastStart = System.nanoTime();
            int k = random.nextInt(keys.size());
            String key = keys.get(k);
            int n = settings.minBatch() + random.nextInt(settings.maxBatch() - settings.minBatch() + 1);
            List<String> ids = new ArrayList<>(n);
            List<String> events = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String id = settings.runId() + "-" + key + "-" + nextId[k]++;
                ids.add(id);
                events.add(ProducerClient.event(key, id));
            }
            Batch batch = new Batch(key, List.copyOf(ids));
            int target = (int) (requests++ % clients.size());
            for (int tries = 1; avoided.contains(target) && tries < clients.size(); tries++) {
                target = (int) (requests++ % clients.size());
            }
            ProducerClient client = clients.get(target);
            inFlight.incrementAndGet();
            long sent = System.nanoTime();
            try {
                ProducerClient.Ack ack = client.send(settings.topic(), key, events);
                long now = System.nanoTime();
                inFlight.decrementAndGet();
                if (ack.count() != n || !ack.topic().equals(settings.topic()) || ack.partition() < 0 || ack.offset() < 0) {
                    anomalies.add("acknowledgement " + ack + " does not match the batch of " + n + " events to "
                            + settings.topic());
                }
                acked.add(new Acked(batch, ack, ackSeq.incrementAndGet(), acks[k]++, target, sent, now));
                ackedEvents.addAndGet(n);
            } catch (IOException e) {
                inFlight.decrementAndGet();
                fail(batch, (e instanceof HttpTimeoutException ? "timed out: " : "no answer: ") + e, target, -1, sent);
            } catch (ProducerClient.Rejected e) {
                inFlight.decrementAndGet();
                if (e.status() != 503) {
                    anomalies.add("batch of " + key + " rejected: " + e.getMessage());
                }
                fail(batch, e.getMessage(), target, e.status(), sent);
            } catch (InterruptedException e) {
                inFlight.decrementAndGet();
                fail(batch, "interrupted while waiting for the answer", target, -1, sent);
                return;
            } catch (RuntimeException e) {
                inFlight.decrementAndGet();
                // A 200 with a broken answer: acknowledged, but the history cannot use it.
                anomalies.add("batch of " + key + ": " + e.getMessage());
                fail(batch, e.toString(), target, 200, sent);
            }
        }
    }

    /** Waits up to {@code nanos} for {@link #stop}; true if the load is stopping. */
    private boolean awaitStop(long nanos) {
        try {
            return stopping.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private void fail(Batch batch, String reason, int target, int status, long sent) {
        unacked.add(new Unacked(batch, reason, target, status, sent, System.nanoTime()));
        lastFailure = reason;
        try {
            // A pause that ends at once when the load is stopped.
            stopping.await(BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until at least {@code batches} batches were acknowledged.
     *
     * @throws AssertionError naming the last failure when time runs out
     */
    public void awaitAcked(long batches, Duration timeout) {
        try {
            await("load " + settings.runId() + ": " + batches + " acknowledged batches")
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> ackSeq.get() >= batches);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("load " + settings.runId() + ": only " + ackSeq.get() + " of " + batches
                    + " batches acknowledged within " + timeout + " (" + unacked.size() + " failed; last: "
                    + lastFailure + ")", e);
        }
    }

    /**
     * Waits until some acknowledged batch matches {@code matches} and returns the one acknowledged
     * first among those matching when it is found (its {@link Acked#ackedNanos} tells when).
     *
     * @throws AssertionError naming the last failure when time runs out
     */
    public Acked awaitAck(String what, Predicate<Acked> matches, Duration timeout) {
        try {
            return await("load " + settings.runId() + ": " + what)
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> acked.stream().filter(matches).min(Comparator.comparingLong(Acked::ackSeq)),
                            Optional::isPresent)
                    .orElseThrow();
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("load " + settings.runId() + ": no acknowledgement " + what + " within " + timeout
                    + " (" + ackSeq.get() + " acknowledged, " + unacked.size() + " failed; last failure: " + lastFailure
                    + ")", e);
        }
    }

    /** The reason of the latest failed request ("none" if none failed). */
    public String lastFailure() {
        return lastFailure;
    }

    /** Stops the threads and waits until each has its last request answered or failed. */
    public void stop() {
        stopping.countDown();
        for (Thread t : threads) {
            try {
                t.join(Duration.ofSeconds(30));
                if (t.isAlive()) {
                    t.interrupt();
                    t.join(Duration.ofSeconds(10));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public Settings settings() {
        return settings;
    }

    public long ackedBatches() {
        return ackSeq.get();
    }

    public long ackedEvents() {
        return ackedEvents.get();
    }

    /** Requests sent and not yet answered (or failed) right now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Acknowledged batches, in acknowledgement order (complete once {@link #stop} returned). */
    public List<Acked> acked() {
        return acked.stream().sorted(Comparator.comparingLong(Acked::ackSeq)).toList();
    }

    /** Batches sent without a 200 (complete once {@link #stop} returned). */
    public List<Unacked> unacked() {
        return List.copyOf(unacked);
    }

    /**
     * What broke the producer contract: a status other than 200 or 503, or an acknowledgement that
     * does not match its batch. Empty in a healthy run.
     */
    public List<String> anomalies() {
        return List.copyOf(anomalies);
    }

    @Override
    public void close() {
        stop();
        clients.forEach(ProducerClient::close);
    }
}
