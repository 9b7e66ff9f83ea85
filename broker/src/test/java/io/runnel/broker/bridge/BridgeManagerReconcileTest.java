package io.runnel.broker.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BridgeManager#reconcile}: the manager follows its registry and placement, whoever changed
 * them (another broker writing the shared registry, the membership moving a bridge). Kafka clients
 * here always fail to connect, so a started bridge is {@code failing}: enough to see where it runs.
 */
class BridgeManagerReconcileTest {
    @TempDir
    Path dir;

    /** A registry another broker may change behind the manager's back, as the cluster metadata does. */
    private static final class SharedRegistry implements BridgeRegistry {
        final Map<String, StoredBridge> bridges = new TreeMap<>();

        @Override
        public synchronized List<StoredBridge> all() {
            return new ArrayList<>(bridges.values());
        }

        @Override
        public synchronized void put(StoredBridge bridge) {
            bridges.put(bridge.name(), bridge);
        }

        @Override
        public synchronized void remove(String name) {
            bridges.remove(name);
        }
    }

    /** Broker 0 of a cluster whose owner of every bridge the test sets. */
    private static final class MovablePlacement implements BridgePlacement {
        final AtomicInteger owner = new AtomicInteger();

        @Override
        public int self() {
            return 0;
        }

        @Override
        public int owner(String bridgeName) {
            return owner.get();
        }
    }

    private static final KafkaClients UNREACHABLE = new KafkaClients() {
        @Override
        public Producer<byte[], byte[]> producer(BridgeDefinition d) {
            throw new IllegalStateException("no Kafka here");
        }

        @Override
        public Consumer<byte[], byte[]> consumer(BridgeDefinition d) {
            throw new IllegalStateException("no Kafka here");
        }

        @Override
        public boolean topicExists(BridgeDefinition d) {
            throw new IllegalStateException("no Kafka here");
        }
    };

    private static BridgeDefinition export(String name, String topic) {
        return new BridgeDefinition(name, BridgeDirection.EXPORT, topic, "out", "kafka:9092", null, Map.of());
    }

    private static BridgeState state(BridgeManager m, String name) {
        return m.get(name).orElseThrow().status().state();
    }

    @Test
    void followsChangesMadeElsewhereAndMovesWithThePlacement() {
        SharedRegistry registry = new SharedRegistry();
        MovablePlacement placement = new MovablePlacement();
        try (InProcessRunnel runnel = new InProcessRunnel(dir);
             BridgeManager manager = new BridgeManager(registry, placement, runnel.services, runnel.meters, UNREACHABLE)) {
            manager.start(List.of());
            assertThat(manager.list()).isEmpty();

            // Created through another broker: known here after the next reconciliation, and run here.
            registry.put(new StoredBridge(export("a", "t1"), false));
            manager.reconcileSoon();
            await().atMost(Duration.ofSeconds(10)).until(() -> manager.get("a").isPresent()
                    && state(manager, "a") == BridgeState.FAILING);
            assertThat(manager.get("a").orElseThrow().broker()).isZero();

            // The placement moves it to broker 2: it stops here and is reported as remote.
            placement.owner.set(2);
            manager.reconcile();
            assertThat(state(manager, "a")).isEqualTo(BridgeState.REMOTE);
            assertThat(manager.get("a").orElseThrow().broker()).isEqualTo(2);

            // Paused elsewhere while remote, then placed back here: stays stopped until resumed.
            registry.put(new StoredBridge(export("a", "t1"), true));
            placement.owner.set(0);
            manager.reconcile();
            assertThat(state(manager, "a")).isEqualTo(BridgeState.PAUSED);
            manager.resume("a");
            await().atMost(Duration.ofSeconds(10)).until(() -> state(manager, "a") == BridgeState.FAILING);

            // Replaced elsewhere: the new definition is what runs; deleted elsewhere: gone here.
            registry.put(new StoredBridge(export("a", "t2"), false));
            manager.reconcile();
            assertThat(manager.get("a").orElseThrow().definition().topic()).isEqualTo("t2");
            await().atMost(Duration.ofSeconds(10)).until(() -> state(manager, "a") == BridgeState.FAILING);
            registry.remove("a");
            manager.reconcile();
            assertThat(manager.get("a")).isEmpty();

            // No broker can run it (no majority in view): stopped, and nobody named.
            manager.put(export("b", "t3"));
            placement.owner.set(BridgePlacement.NOBODY);
            manager.reconcile();
            assertThat(state(manager, "b")).isEqualTo(BridgeState.STOPPED);
            assertThat(manager.get("b").orElseThrow().broker()).isEqualTo(BridgePlacement.NOBODY);
        }
    }

    @Test
    void declaredBridgesWaitForAStoreThatCannotTakeThemYet() {
        SharedRegistry shared = new SharedRegistry();
        AtomicInteger refusals = new AtomicInteger(2);
        BridgeRegistry forming = new BridgeRegistry() {
            @Override
            public List<StoredBridge> all() {
                return shared.all();
            }

            @Override
            public void put(StoredBridge bridge) {
                if (refusals.getAndDecrement() > 0) {
                    throw new BridgeStoreException("no raft majority yet", null, true);
                }
                shared.put(bridge);
            }

            @Override
            public void remove(String name) {
                shared.remove(name);
            }
        };
        try (InProcessRunnel runnel = new InProcessRunnel(dir);
             BridgeManager manager = new BridgeManager(forming, BridgePlacement.thisBroker(), runnel.services, runnel.meters,
                     UNREACHABLE)) {
            manager.start(List.of(export("declared", "t")));
            await().atMost(Duration.ofSeconds(15)).until(() -> manager.get("declared").isPresent()
                    && state(manager, "declared") == BridgeState.FAILING);
            assertThat(refusals.get()).isNegative();
        }
    }
}
