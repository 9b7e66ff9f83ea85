package io.runnel.broker.bridge;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridges of this broker: creates, replaces, pauses, resumes and deletes them, keeps their
 * definitions in a {@link BridgeRegistry} (so they survive restarts, paused ones stay paused), and
 * runs each bridge that the {@link BridgePlacement} puts here on its own thread.
 *
 * <p>The registry is the truth: a change is stored first, then {@link #reconcile} brings the running
 * bridges in line with the registry and the placement. In a cluster the registry is shared through the
 * metadata and the placement follows the membership, so the broker calls {@link #reconcileSoon} whenever
 * either changes: a bridge created through another broker starts here if it is placed here, and a
 * bridge whose broker died starts on the next one, from its committed progress.
 *
 * <p>Changes are serialised (one at a time) and block while a bridge's worker stops, up to
 * {@link #STOP_GRACE} plus a few seconds: call them off the Netty event loops. Reads
 * ({@link #list()}, {@link #get}) never block on changes.
 *
 * <p>Bridges declared in the broker's configuration ({@code --bridges-file}) are applied at start
 * like {@link #put}: a declared bridge whose stored definition is the same keeps its paused state;
 * otherwise the declared definition replaces the stored one. Changes made through the API to a
 * declared bridge last until the next restart, when the file wins again.
 */
public final class BridgeManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BridgeManager.class);
    /** How long a stopping bridge may take to finish its batch and close its clients before it is interrupted. */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);
    /** Retry delay while declared bridges cannot be stored (a cluster still forming). */
    private static final Duration DECLARE_RETRY = Duration.ofSeconds(1);

    private final BridgeRegistry registry;
    private final BridgePlacement placement;
    private final BridgeServices services;
    private final MeterRegistry meters;
    private final KafkaClients clients;
    private final ConcurrentSkipListMap<String, Bridge> bridges = new ConcurrentSkipListMap<>();
    /** Runs reconciliations asked for by the cluster, so that its callback threads never block on a stop. */
    private final ScheduledExecutorService background;
    private final AtomicBoolean reconcileQueued = new AtomicBoolean();
    private volatile boolean closed;

    public BridgeManager(BridgeRegistry registry, BridgePlacement placement, BridgeServices services, MeterRegistry meters) {
        this(registry, placement, services, meters, KafkaClients.REAL);
    }

    /** With other Kafka clients (tests inject failures with Kafka's mock clients). */
    BridgeManager(BridgeRegistry registry, BridgePlacement placement, BridgeServices services, MeterRegistry meters,
            KafkaClients clients) {
        this.registry = registry;
        this.placement = placement;
        this.services = services;
        this.meters = meters;
        this.clients = clients;
        this.background = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "runnel-bridge-placement");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Applies the declared bridges, then starts every stored bridge placed here that is not paused.
     * Where the registry cannot store the declared bridges yet (a cluster without a raft majority), it
     * retries in the background and starts the bridges once it could.
     *
     * @throws InvalidBridgeException if two declared bridges share a name
     * @throws BridgeStoreException   if the registry cannot store a declared bridge and retrying cannot help
     */
    public void start(List<BridgeDefinition> declared) {
        Set<String> names = new HashSet<>();
        for (BridgeDefinition d : declared) {
            if (!names.add(d.name())) {
                throw new InvalidBridgeException("two declared bridges are named '" + d.name() + "'");
            }
        }
        try {
            declare(declared);
        } catch (BridgeStoreException e) {
            if (!e.retriable()) {
                throw e;
            }
            log.warn("cannot store the declared bridges yet ({}); retrying every {} s", e.getMessage(),
                    DECLARE_RETRY.toSeconds());
            background.schedule(() -> declareInBackground(declared), DECLARE_RETRY.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        reconcile();
        log.info("{} bridge(s) defined, {} running here", bridges.size(), bridges.values().stream().filter(Bridge::running).count());
    }

    private void declareInBackground(List<BridgeDefinition> declared) {
        try {
            declare(declared);
            reconcile();
            log.info("declared bridges stored; {} bridge(s) defined", bridges.size());
        } catch (BridgeStoreException e) {
            if (!isClosed()) {
                log.debug("cannot store the declared bridges yet: {}", e.getMessage());
                try {
                    background.schedule(() -> declareInBackground(declared), DECLARE_RETRY.toMillis(), TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException closing) {
                    // closed meanwhile
                }
            }
        } catch (RuntimeException e) {
            log.error("applying the declared bridges failed", e);
        }
    }

    private synchronized void declare(List<BridgeDefinition> declared) {
        Map<String, StoredBridge> stored = new HashMap<>();
        for (StoredBridge s : registry.all()) {
            stored.put(s.name(), s);
        }
        for (BridgeDefinition d : declared) {
            StoredBridge s = stored.get(d.name());
            if (s == null || !s.definition().equals(d)) {
                registry.put(new StoredBridge(d, false));
            }
        }
    }

    /**
     * Creates or replaces a bridge. A replaced bridge stops first and keeps its paused state; the new
     * one resumes from the same progress when it bridges the same way (same Runnel group for an
     * export, same Kafka group for an import).
     *
     * @return true if it was created, false if it replaced one
     */
    public synchronized boolean put(BridgeDefinition d) {
        checkOpen();
        StoredBridge old = stored(d.name());
        registry.put(new StoredBridge(d, old != null && old.paused()));
        reconcile();
        log.info("{} bridge {}: {}", old == null ? "created" : "replaced", d.name(), d);
        return old == null;
    }

    /** Stops a bridge and keeps it stopped (also across restarts) until {@link #resume}. */
    public synchronized BridgeView pause(String name) {
        checkOpen();
        StoredBridge s = requireStored(name);
        if (!s.paused()) {
            registry.put(new StoredBridge(s.definition(), true));
            log.info("paused bridge {}", name);
        }
        reconcile();
        return view(require(name));
    }

    /** Starts a paused bridge again; it continues from its committed progress. */
    public synchronized BridgeView resume(String name) {
        checkOpen();
        StoredBridge s = requireStored(name);
        if (s.paused()) {
            registry.put(new StoredBridge(s.definition(), false));
            log.info("resumed bridge {}", name);
        }
        reconcile();
        return view(require(name));
    }

    /**
     * Stops a bridge and forgets its definition. Its progress stays where it is (the Runnel group
     * {@code bridge-<name>}, or the Kafka group), so a bridge created again under the same name
     * continues from there.
     */
    public synchronized void delete(String name) {
        checkOpen();
        requireStored(name);
        registry.remove(name);
        reconcile();
        log.info("deleted bridge {}", name);
    }

    /**
     * Brings the bridges of this broker in line with the registry and the placement: adds, replaces and
     * forgets bridges as stored, and starts or stops each one's worker as its paused flag and placement
     * say. Blocks while workers stop; idempotent.
     */
    public synchronized void reconcile() {
        if (closed) {
            return;
        }
        Map<String, StoredBridge> stored = new TreeMap<>();
        for (StoredBridge s : registry.all()) {
            stored.put(s.name(), s);
        }
        for (Bridge b : List.copyOf(bridges.values())) {
            if (!stored.containsKey(b.definition().name())) {
                bridges.remove(b.definition().name());
                b.stop(STOP_GRACE);
                b.stats().unregister();
            }
        }
        for (StoredBridge s : stored.values()) {
            Bridge b = bridges.get(s.name());
            if (b == null) {
                b = new Bridge(s.definition(), newStats(s.definition()), s.paused());
                bridges.put(s.name(), b);
            } else if (!b.definition().equals(s.definition())) {
                b.stop(STOP_GRACE);
                BridgeStats stats;
                if (b.definition().direction() == s.definition().direction()) {
                    stats = b.stats();
                } else {
                    b.stats().unregister();
                    stats = newStats(s.definition());
                }
                b = new Bridge(s.definition(), stats, s.paused());
                bridges.put(s.name(), b);
            } else {
                b.paused(s.paused());
            }
            boolean wanted = !s.paused() && placement.runsHere(s.name());
            if (wanted && !b.started()) {
                start(b);
            } else if (!wanted && b.started()) {
                b.stop(STOP_GRACE);
                log.info("bridge {} stopped here ({})", s.name(), s.paused() ? "paused" : "placed on broker " + placement.owner(s.name()));
            }
        }
    }

    /**
     * Reconciles on the manager's own thread soon (coalescing calls that come while one is queued):
     * for callbacks of the cluster, which must not block.
     */
    public void reconcileSoon() {
        if (isClosed() || !reconcileQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            background.execute(() -> {
                reconcileQueued.set(false);
                try {
                    reconcile();
                } catch (RuntimeException e) {
                    log.error("reconciling the bridges failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            reconcileQueued.set(false); // closing
        }
    }

    /** Every bridge, by name. */
    public List<BridgeView> list() {
        List<BridgeView> out = new ArrayList<>();
        for (Bridge b : bridges.values()) {
            out.add(view(b));
        }
        return out;
    }

    public Optional<BridgeView> get(String name) {
        return Optional.ofNullable(bridges.get(name)).map(this::view);
    }

    /** Stops every bridge (the definitions stay as they are). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        background.shutdownNow();
        // Ask all first, then wait: the bridges wind down in parallel.
        for (Bridge b : bridges.values()) {
            b.requestStop();
        }
        for (Bridge b : bridges.values()) {
            b.awaitStopped(STOP_GRACE);
        }
    }

    private boolean isClosed() {
        return closed;
    }

    private StoredBridge stored(String name) {
        for (StoredBridge s : registry.all()) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    private StoredBridge requireStored(String name) {
        StoredBridge s = stored(name);
        if (s == null) {
            throw new UnknownBridgeException(name);
        }
        return s;
    }

    private void start(Bridge b) {
        BridgeDefinition d = b.definition();
        log.info("bridge {} starts on this broker", d.name());
        Backoff backoff = new Backoff(BridgeWorker.INITIAL_BACKOFF, BridgeWorker.MAX_BACKOFF);
        b.start(d.direction() == BridgeDirection.EXPORT
                ? new ExportWorker(d, b.stats(), services, backoff, clients)
                : new ImportWorker(d, b.stats(), services, backoff, clients));
    }

    private BridgeStats newStats(BridgeDefinition d) {
        String name = d.name();
        return new BridgeStats(name, d.direction(), meters, services.clock(), s -> lagOf(name));
    }

    /** The current lag of the bridge named {@code name}, -1 if unknown. */
    private long lagOf(String name) {
        Bridge b = bridges.get(name);
        if (b == null) {
            return -1;
        }
        BridgeDefinition d = b.definition();
        if (d.direction() == BridgeDirection.IMPORT) {
            return b.stats().measuredLag();
        }
        try {
            return services.lag().lag(d.runnelGroup(), d.topic());
        } catch (RuntimeException e) {
            log.debug("cannot read the lag of bridge {}", name, e);
            return -1;
        }
    }

    private BridgeView view(Bridge b) {
        String name = b.definition().name();
        int owner = b.paused() ? BridgePlacement.NOBODY : placement.owner(name);
        BridgeState state = b.state();
        if (state == BridgeState.STOPPED && owner != BridgePlacement.NOBODY && owner != placement.self()) {
            state = BridgeState.REMOTE;
        }
        return new BridgeView(b.definition(), b.stats().snapshot(state, lagOf(name)), owner);
    }

    private Bridge require(String name) {
        Bridge b = bridges.get(name);
        if (b == null) {
            throw new UnknownBridgeException(name);
        }
        return b;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the broker is shutting down; bridges cannot change now");
        }
    }
}
