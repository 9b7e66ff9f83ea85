package io.runnel.broker.bridge;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnel.discovery.BridgeEntry;
import io.runnel.discovery.Cluster;
import io.runnel.discovery.NoQuorumException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Each definition is its JSON (the same fields as bridges.json, secrets included) inside the metadata's
 * BridgeEntry; discovery treats it as opaque text. A change returns once raft committed it and this
 * broker applied it, so all() shows it at once; the other brokers see it moments later and reconcile.
 * Like bridges.json, the raft log holds the Kafka credentials as given.
 */

/** A {@link BridgeRegistry} in the cluster's raft-replicated metadata: every broker sees the same bridges. */
public final class ClusterBridgeRegistry implements BridgeRegistry {
    private static final JsonFactory JSON = new JsonFactory();
    private static final Logger log = LoggerFactory.getLogger(ClusterBridgeRegistry.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** How long a change waits for raft to commit it before it is reported as not made. */
    static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);

    private final Cluster cluster;

    public ClusterBridgeRegistry(Cluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public List<StoredBridge> all() {
        List<StoredBridge> out = new ArrayList<>();
        for (BridgeEntry e : cluster.state().bridges().values()) {
            try {
                out.add(new StoredBridge(BridgeDefinition.fromJson(MAPPER.readTree(e.definition()), null), e.paused()));
            } catch (IOException | InvalidBridgeException ex) {
                // Only a broker of another version could have written it; skip rather than stop every bridge.
                log.warn("ignoring bridge {} in the cluster metadata: {}", e.name(), ex.getMessage());
            }
        }
        return out;
    }

    @Override
    public void put(StoredBridge bridge) {
        BridgeEntry entry;
        try {
            entry = new BridgeEntry(bridge.name(), encode(bridge.definition()), bridge.paused());
        } catch (IllegalArgumentException e) {
            throw new InvalidBridgeException(e.getMessage()); // e.g. over BridgeEntry.MAX_DEFINITION_BYTES
        }
        checkReady("store bridge " + bridge.name());
        await(cluster.putBridge(entry), "store bridge " + bridge.name());
    }

    @Override
    public void remove(String name) {
        checkReady("remove bridge " + name);
        await(cluster.removeBridge(name), "remove bridge " + name);
    }

    /** Refuses at once while the metadata has no raft leader, rather than wait for the commit timeout. */
    private void checkReady(String what) {
        if (!cluster.ready()) {
            throw new BridgeStoreException("could not " + what + ": the cluster metadata is not ready (no raft leader"
                    + " yet, or fewer than a majority of brokers up)", null, true);
        }
    }

    static String encode(BridgeDefinition d) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            json.writeStartObject();
            d.writeFields(json, false);
            json.writeEndObject();
        } catch (IOException e) {
            throw new BridgeStoreException("cannot encode bridge " + d.name() + ": " + e.getMessage(), e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void await(CompletableFuture<Void> change, String what) {
        try {
            change.get(COMMIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BridgeStoreException("interrupted while waiting to " + what, e, true);
        } catch (TimeoutException e) {
            throw new BridgeStoreException("could not " + what + ": the cluster metadata did not commit it within "
                    + COMMIT_TIMEOUT.toSeconds() + " s (is a majority of brokers up?); it may still take effect", e, true);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            boolean retriable = cause instanceof NoQuorumException;
            throw new BridgeStoreException("could not " + what + ": " + cause.getMessage(), cause, retriable);
        }
    }
}
