package io.runnel.discovery;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BridgeEntryTest {

    @Test
    void namesMustBeGivenAndDefinitionsFitTheCapInUtf8() {
        assertThatThrownBy(() -> new BridgeEntry(null, "{}", false)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new BridgeEntry("b", null, false)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new BridgeEntry("", "{}", false)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new BridgeEntry("b", "", false).definition()).isEmpty();

        int cap = BridgeEntry.MAX_DEFINITION_BYTES;
        assertThat(new BridgeEntry("b", "x".repeat(cap), false).definition()).hasSize(cap);
        assertThatThrownBy(() -> new BridgeEntry("b", "x".repeat(cap + 1), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(String.valueOf(cap));
        // Counted in bytes of UTF-8, not characters: "é" is two bytes, "🦀" four.
        assertThatThrownBy(() -> new BridgeEntry("b", "é".repeat(cap / 2 + 1), false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new BridgeEntry("b", "🦀".repeat(cap / 4), false)).isNotNull();
        assertThatThrownBy(() -> new BridgeEntry("n".repeat(BridgeEntry.MAX_NAME_BYTES + 1), "{}", false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void textThatUtf8CannotHoldIsRefused() {
        assertThatThrownBy(() -> new BridgeEntry("b", "{\uD83E}", false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("surrogate");
        assertThatThrownBy(() -> new BridgeEntry("\uDD80b", "{}", false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void clusterStatesKeepBridgesSortedUnmodifiableAndAcrossViewChanges() {
        Map<String, BridgeEntry> bridges = new HashMap<>();
        bridges.put("z", new BridgeEntry("z", "{}", true));
        bridges.put("a", new BridgeEntry("a", "{}", false));
        ClusterState s = new ClusterState(1, Map.of(), Set.of(0), Set.of(), Map.of(), bridges);
        bridges.clear();
        assertThat(s.bridges().keySet()).containsExactly("a", "z");
        assertThatThrownBy(() -> s.bridges().remove("a")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(s.withLive(Set.of()).bridges()).isEqualTo(s.bridges());

        assertThat(new ClusterState(1, Map.of(), Set.of(), Set.of()).bridges()).isEmpty();
        assertThat(new ClusterState(1, Map.of(), Set.of(), Set.of(), Map.of()).bridges()).isEmpty();
        assertThatThrownBy(() -> new ClusterState(1, Map.of(), Set.of(), Set.of(), Map.of(),
                Map.of("b", new BridgeEntry("c", "{}", false)))).isInstanceOf(IllegalArgumentException.class);
        assertThat(List.of(s.bridges().get("z").paused(), s.bridges().get("a").paused())).containsExactly(true, false);
    }
}
