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
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridges of this broker: creates, replaces, pauses, resumes and deletes them, keeps their
 * definitions in a {@link BridgeRegistry} (so they survive restarts, paused ones stay paused), and
 * runs each bridge that the {@link BridgePlacement} puts here on its own thread.
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

    private final BridgeRegistry registry;
    private final BridgePlacement placement;
    private final BridgeServices services;
    private final MeterRegistry meters;
    private final KafkaClients clients;
    private final ConcurrentSkipListMap<String, Bridge> bridges = new ConcurrentSkipListMap<>();
    private boolean closed;

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
    }

    /**
     * Applies the declared bridges, then starts every stored bridge that is not paused.
     *
     * @throws InvalidBridgeException if two declared bridges share a name
     * @throws BridgeStoreException   if the registry cannot store a declared bridge
     */
    public synchronized void start(List<BridgeDefinition> declared) {
        Set<String> names = new HashSet<>();
        for (BridgeDefinition d : declared) {
            if (!names.add(d.name())) {
                throw new InvalidBridgeException("two declared bridges are named '" + d.name() + "'");
            }
        }
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
        for (StoredBridge s : registry.all()) {
            Bridge b = new Bridge(s.definition(), newStats(s.definition()), s.paused());
            bridges.put(s.name(), b);
            startIfPlaced(b);
        }
        log.info("{} bridge(s) defined, {} running here", bridges.size(), bridges.values().stream().filter(Bridge::running).count());
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
        Bridge old = bridges.get(d.name());
        boolean paused = old != null && old.paused();
        registry.put(new StoredBridge(d, paused));
        BridgeStats stats;
        if (old != null) {
            old.stop(STOP_GRACE);
            if (old.definition().direction() == d.direction()) {
                stats = old.stats();
            } else {
                old.stats().unregister();
                stats = newStats(d);
            }
        } else {
            stats = newStats(d);
        }
        Bridge b = new Bridge(d, stats, paused);
        bridges.put(d.name(), b);
        startIfPlaced(b);
        log.info("{} bridge {}: {}", old == null ? "created" : "replaced", d.name(), d);
        return old == null;
    }

    /** Stops a bridge and keeps it stopped (also across restarts) until {@link #resume}. */
    public synchronized BridgeView pause(String name) {
        checkOpen();
        Bridge b = require(name);
        if (!b.paused()) {
            registry.put(new StoredBridge(b.definition(), true));
            b.paused(true);
            b.stop(STOP_GRACE);
            log.info("paused bridge {}", name);
        }
        return view(b);
    }

    /** Starts a paused bridge again; it continues from its committed progress. */
    public synchronized BridgeView resume(String name) {
        checkOpen();
        Bridge b = require(name);
        if (b.paused()) {
            registry.put(new StoredBridge(b.definition(), false));
            b.paused(false);
            startIfPlaced(b);
            log.info("resumed bridge {}", name);
        }
        return view(b);
    }

    /**
     * Stops a bridge and forgets its definition. Its progress stays where it is (the Runnel group
     * {@code bridge-<name>}, or the Kafka group), so a bridge created again under the same name
     * continues from there.
     */
    public synchronized void delete(String name) {
        checkOpen();
        Bridge b = require(name);
        registry.remove(name);
        bridges.remove(name);
        b.stop(STOP_GRACE);
        b.stats().unregister();
        log.info("deleted bridge {}", name);
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
        // Ask all first, then wait: the bridges wind down in parallel.
        for (Bridge b : bridges.values()) {
            b.requestStop();
        }
        for (Bridge b : bridges.values()) {
            b.awaitStopped(STOP_GRACE);
        }
    }

    private void startIfPlaced(Bridge b) {
        if (closed || b.paused() || !placement.runsHere(b.definition().name())) {
            return;
        }
        BridgeDefinition d = b.definition();
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
        return new BridgeView(b.definition(), b.stats().snapshot(b.state(), lagOf(b.definition().name())));
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
