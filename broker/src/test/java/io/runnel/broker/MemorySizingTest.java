package io.runnel.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.broker.config.BrokerConfig;
import io.runnel.broker.config.Option;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemorySizingTest {
    private static final long MIB = 1 << 20;
    /** The launcher's -XX:MaxDirectMemorySize. */
    private static final long LAUNCHER = 128 * MIB;

    private static BrokerConfig config(Map<Option, String> values) {
        Map<Option, String> v = new EnumMap<>(Option.class);
        v.put(Option.DATA_DIR, Path.of("data").toString());
        v.putAll(values);
        return BrokerConfig.of(v);
    }

    @Test
    void theDefaultsFitTheLauncherAndTheBudgetIsHalfTheDirectMemory() {
        assertThat(MemorySizing.check(config(Map.of()), LAUNCHER)).isEqualTo(64 * MIB);
        assertThat(MemorySizing.check(config(Map.of(Option.BROKERS, "a,b,c", Option.CLUSTER_SECRET_FILE, "s")), LAUNCHER))
                .isEqualTo(64 * MIB);
        assertThat(MemorySizing.check(config(Map.of(Option.MAX_IN_FLIGHT_MB, "16")), LAUNCHER)).isEqualTo(16 * MIB);
    }

    @Test
    void settingsTheDirectMemoryCannotHoldStopTheStart() {
        assertThatThrownBy(() -> MemorySizing.check(config(Map.of(Option.MAX_BODY_BYTES, Long.toString(64 * MIB),
                Option.BROKERS, "a,b,c", Option.CLUSTER_SECRET_FILE, "s")), LAUNCHER))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("direct memory (128 MiB)")
                .hasMessageContaining("-XX:MaxDirectMemorySize");
        assertThatThrownBy(() -> MemorySizing.check(config(Map.of(Option.MAX_IN_FLIGHT_MB, "200")), LAUNCHER))
                .hasMessageContaining("--max-in-flight-mb");
        assertThatThrownBy(() -> MemorySizing.check(config(Map.of(Option.MAX_BODY_BYTES, Long.toString(40 * MIB))), 64 * MIB))
                .as("the budget must hold one body").hasMessageContaining("at least one body");
    }
}
