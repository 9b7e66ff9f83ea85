package io.runnel.discovery;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterConfigTest {
    private static final ClusterSecret SECRET = ClusterSecret.of("a test secret of some 32 bytes!!");

    private static final List<String> THREE = List.of("runnel-0.runnel:7800", "runnel-1.runnel:7800", "10.0.0.3:7801");

    @Test
    void defaultsComeFromTheOwnEndpoint() {
        ClusterConfig c = ClusterConfig.of(2, THREE, Path.of("raft"), 4, SECRET);
        assertThat(c.brokers()).isEqualTo(3);
        assertThat(c.bindAddress()).isEqualTo("10.0.0.3");
        assertThat(c.clusterName()).isEqualTo("runnel");
        assertThat(c.failureTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.formationGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.withFailureTimeout(Duration.ofSeconds(5)).formationGrace()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.endpoint(0).getHostString()).isEqualTo("runnel-0.runnel");
        assertThat(c.endpoint(2).getPort()).isEqualTo(7801);
        assertThat(c.withFailureTimeout(Duration.ofMillis(500)).failureTimeout()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void ipv6LiteralsAreBracketed() {
        assertThat(ClusterConfig.parseEndpoint("[::1]:7800").getHostString()).isEqualTo("::1");
        assertThat(ClusterConfig.of(0, List.of("[::1]:7800"), Path.of("r"), 1, SECRET).bindAddress()).isEqualTo("::1");
    }

    @Test
    void mistakesAreExplained() {
        Path dir = Path.of("raft");
        assertThatThrownBy(() -> ClusterConfig.of(3, THREE, dir, 4, SECRET)).hasMessageContaining("ordinal 3");
        assertThatThrownBy(() -> ClusterConfig.of(0, List.of(), dir, 4, SECRET)).hasMessageContaining("at least one");
        assertThatThrownBy(() -> ClusterConfig.of(0, List.of("host"), dir, 4, SECRET)).hasMessageContaining("host:port");
        assertThatThrownBy(() -> ClusterConfig.of(0, List.of("host:x"), dir, 4, SECRET)).hasMessageContaining("numeric");
        assertThatThrownBy(() -> ClusterConfig.of(0, List.of("host:70000"), dir, 4, SECRET)).hasMessageContaining("1..65535");
        assertThatThrownBy(() -> ClusterConfig.of(0, List.of("a:1", "a:1"), dir, 4, SECRET)).hasMessageContaining("distinct");
        assertThatThrownBy(() -> ClusterConfig.of(0, THREE, dir, 0, SECRET)).hasMessageContaining("rangesPerBroker");
        assertThatThrownBy(() -> ClusterConfig.of(0, THREE, null, 1, SECRET)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ClusterConfig.of(0, THREE, dir, 1, SECRET).withFailureTimeout(Duration.ofMillis(5)))
                .hasMessageContaining("failureTimeout");
    }

    @Test
    void generationsKeepTheirInvariants() {
        assertThatThrownBy(() -> new Generation(0, 1, 0, List.of(0, 1), java.util.Set.of(1)))
                .hasMessageContaining("lacks the leader");
        assertThatThrownBy(() -> new Generation(0, 0, 0, List.of(0), java.util.Set.of(0)))
                .hasMessageContaining("version");
        assertThatThrownBy(() -> new Generation(0, 1, 0, List.of(0), java.util.Set.of(0, 5)))
                .hasMessageContaining("subset");
        Generation g = new Generation(1, 3, 2, List.of(1, 2, 0), java.util.Set.of(2, 1));
        assertThat(g.inSync(1)).isTrue();
        assertThat(g.inSync(0)).isFalse();
        assertThat(g.naturallyLed()).isFalse();
    }
}
