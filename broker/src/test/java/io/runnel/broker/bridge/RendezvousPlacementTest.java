package io.runnel.broker.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.discovery.ClusterState;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RendezvousPlacementTest {

    private static ClusterState live(int brokers, Integer... live) {
        return new ClusterState(brokers, Map.of(), Set.of(live), Set.of());
    }

    @Test
    void everyBrokerOfTheSameViewPicksTheSameLiveOwner() {
        ClusterState view = live(5, 0, 1, 2, 3, 4);
        for (int i = 0; i < 200; i++) {
            int owner = RendezvousPlacement.owner("bridge-" + i, view);
            assertThat(owner).isBetween(0, 4);
            assertThat(RendezvousPlacement.owner("bridge-" + i, live(5, 4, 3, 2, 1, 0))).isEqualTo(owner);
        }
    }

    @Test
    void bridgesSpreadOverTheBrokers() {
        Map<Integer, Integer> perBroker = new HashMap<>();
        ClusterState view = live(3, 0, 1, 2);
        for (int i = 0; i < 300; i++) {
            perBroker.merge(RendezvousPlacement.owner("b" + i, view), 1, Integer::sum);
        }
        assertThat(perBroker.keySet()).containsExactlyInAnyOrder(0, 1, 2);
        perBroker.values().forEach(n -> assertThat(n).as("bridges per broker %s", perBroker).isBetween(60, 140));
    }

    @Test
    void whenABrokerLeavesOnlyItsBridgesMoveAndTheyComeBackWithIt() {
        ClusterState all = live(3, 0, 1, 2);
        ClusterState without1 = live(3, 0, 2);
        int moved = 0;
        for (int i = 0; i < 300; i++) {
            String name = "b" + i;
            int before = RendezvousPlacement.owner(name, all);
            int during = RendezvousPlacement.owner(name, without1);
            assertThat(during).isNotEqualTo(1);
            if (before == 1) {
                moved++;
            } else {
                assertThat(during).as("%s did not run on the broker that left", name).isEqualTo(before);
            }
            assertThat(RendezvousPlacement.owner(name, all)).isEqualTo(before);
        }
        assertThat(moved).isPositive();
    }

    @Test
    void aBrokerWithoutAMajorityInViewPlacesNothing() {
        assertThat(RendezvousPlacement.owner("b", live(3, 0))).isEqualTo(BridgePlacement.NOBODY);
        assertThat(RendezvousPlacement.owner("b", live(4, 0, 1))).isEqualTo(BridgePlacement.NOBODY);
        assertThat(RendezvousPlacement.owner("b", live(4, 0, 1, 3))).isIn(0, 1, 3);
        assertThat(RendezvousPlacement.owner("b", live(1, 0))).isZero();
    }
}
