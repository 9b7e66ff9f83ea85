package io.runnel.discovery.jgroups;

import io.runnel.discovery.ClusterState;
import io.runnel.discovery.Generation;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;

class ControllerTest {
    private static final Controller.LogEnds NO_REPORTS = (b, r) -> -1;

    /** Natural generations of a 5-broker ring (replicas r, r+1, r+2). */
    private static Map<Integer, Generation> natural() {
        Map<Integer, Generation> gens = new HashMap<>();
        for (int r = 0; r < 5; r++) {
            List<Integer> replicas = List.of(r, (r + 1) % 5, (r + 2) % 5);
            gens.put(r, new Generation(r, 1, r, replicas, Set.copyOf(replicas)));
        }
        return gens;
    }

    private static ClusterState state(Map<Integer, Generation> gens, Set<Integer> live) {
        return new ClusterState(5, gens, live, Set.of());
    }

    private static IntPredicate downIfAbsent(Set<Integer> live) {
        return b -> !live.contains(b);
    }

    @Test
    void aHealthyClusterNeedsNothing() {
        Set<Integer> live = Set.of(0, 1, 2, 3, 4);
        assertThat(Controller.plan(state(natural(), live), downIfAbsent(live), NO_REPORTS, Set.of())).isEmpty();
    }

    @Test
    void aDeadLeaderIsReplacedByTheLiveInSyncReplicaWithTheMostDataAndDeadBrokersLeaveTheIsr() {
        Set<Integer> live = Set.of(0, 1, 3, 4);
        Controller.LogEnds ends = (b, r) -> r == 2 && b == 4 ? 90 : r == 2 && b == 3 ? 80 : -1;
        List<MetadataCommand> plan = Controller.plan(state(natural(), live), downIfAbsent(live), ends, Set.of());
        assertThat(plan).containsExactlyInAnyOrder(
                new MetadataCommand.ChangeLeader(2, 1, 4, Set.of(3, 4)),
                new MetadataCommand.RemoveFromIsr(0, 1, Set.of(2)),
                new MetadataCommand.RemoveFromIsr(1, 1, Set.of(2)));
    }

    @Test
    void equalLogEndsGoToReplicaOrder() {
        Set<Integer> live = Set.of(0, 1, 3, 4);
        MetadataCommand cmd = Controller.planRange(natural().get(2), live, downIfAbsent(live), NO_REPORTS);
        assertThat(cmd).isEqualTo(new MetadataCommand.ChangeLeader(2, 1, 3, Set.of(3, 4)));
        // Ring order wraps: range 4's replicas are 4, 0, 1.
        Set<Integer> without4 = Set.of(0, 1, 2, 3);
        assertThat(Controller.planRange(natural().get(4), without4, downIfAbsent(without4), (b, r) -> 5))
                .isEqualTo(new MetadataCommand.ChangeLeader(4, 1, 0, Set.of(0, 1)));
    }

    @Test
    void outOfSyncReplicasAreNeverChosen() {
        Generation g = new Generation(2, 4, 2, List.of(2, 3, 4), Set.of(2, 4));
        Set<Integer> live = Set.of(3, 4);
        assertThat(Controller.planRange(g, live, downIfAbsent(live), (b, r) -> b == 3 ? 1000 : 1))
                .isEqualTo(new MetadataCommand.ChangeLeader(2, 4, 4, Set.of(4)));
    }

    @Test
    void withoutALiveInSyncReplicaTheRangeStaysUnavailable() {
        Generation g = new Generation(2, 4, 2, List.of(2, 3, 4), Set.of(2, 4));
        Set<Integer> live = Set.of(0, 1, 3);
        assertThat(Controller.planRange(g, live, downIfAbsent(live), NO_REPORTS)).isNull();
    }

    @Test
    void aBrokerNotYetSeenDuringFormationIsNotFailedOver() {
        Set<Integer> live = Set.of(0, 1, 3, 4);
        IntPredicate nobodyDown = b -> false;
        assertThat(Controller.plan(state(natural(), live), nobodyDown, NO_REPORTS, Set.of())).isEmpty();
    }

    @Test
    void theNaturalLeaderGetsItsRangeBackOnceInSync() {
        Map<Integer, Generation> gens = natural();
        gens.put(1, new Generation(1, 2, 2, List.of(1, 2, 3), Set.of(2, 3)));
        Set<Integer> live = Set.of(0, 1, 2, 3, 4);
        // Alive but not in sync: nothing yet.
        assertThat(Controller.plan(state(gens, live), downIfAbsent(live), NO_REPORTS, Set.of())).isEmpty();

        gens.put(1, new Generation(1, 2, 2, List.of(1, 2, 3), Set.of(1, 2, 3)));
        assertThat(Controller.plan(state(gens, live), downIfAbsent(live), NO_REPORTS, Set.of()))
                .containsExactly(new MetadataCommand.ChangeLeader(1, 2, 1, Set.of(1, 2, 3)));
        // One change per range at a time.
        assertThat(Controller.plan(state(gens, live), downIfAbsent(live), NO_REPORTS, Set.of(1))).isEmpty();
    }

    @Test
    void deadFollowersLeaveTheIsrBeforeAHandback() {
        Map<Integer, Generation> gens = natural();
        gens.put(1, new Generation(1, 2, 2, List.of(1, 2, 3), Set.of(1, 2, 3)));
        Set<Integer> live = Set.of(0, 1, 2, 4);
        assertThat(Controller.planRange(gens.get(1), live, downIfAbsent(live), NO_REPORTS))
                .isEqualTo(new MetadataCommand.RemoveFromIsr(1, 2, Set.of(3)));
    }
}
