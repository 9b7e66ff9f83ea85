package io.runnel.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.broker.config.BrokerConfig;
import io.runnel.broker.config.ConfigException;
import io.runnel.broker.config.ConfigLoader;
import io.runnel.broker.config.Option;
import io.runnel.discovery.ClusterSecret;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterOptionsTest {
    private static final ClusterSecret SECRET = ClusterSecret.of("a test secret of 32 bytes or so.");


    @Test
    void withoutBrokersItIsASingleBroker() {
        BrokerConfig c = BrokerConfig.defaults();
        assertThat(c.clustered()).isFalse();
        assertThat(c.brokers()).isEmpty();
        assertThat(c.clusterPort()).isEqualTo(9254);
        assertThat(c.gossipPort()).isEqualTo(7800);
        assertThat(c.replicaLag()).isEqualTo(Duration.ofMillis(2000));
        assertThat(c.failureTimeout()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void brokersFromFlagsAndEnvironment() {
        BrokerConfig c = ConfigLoader.load(new String[] {"--brokers", "runnel-0.runnel, runnel-1.runnel,runnel-2.runnel",
                "--ordinal", "2"}, Map.of("RUNNEL_REPLICA_LAG_MS", "500", "RUNNEL_CLUSTER_PORT", "9300",
                "RUNNEL_CLUSTER_SECRET_FILE", "/etc/runnel/cluster.secret"));
        assertThat(c.clustered()).isTrue();
        assertThat(c.security().clusterSecretFile()).hasToString("/etc/runnel/cluster.secret");
        assertThat(c.brokers()).containsExactly("runnel-0.runnel", "runnel-1.runnel", "runnel-2.runnel");
        assertThat(c.ordinal()).isEqualTo(2);
        assertThat(c.replicaLag()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.clusterPort()).isEqualTo(9300);
    }

    @Test
    void badClusterSettingsNameTheirOptions() {
        assertThatThrownBy(() -> BrokerConfig.of(Map.of(Option.BROKERS, "a,b,c", Option.ORDINAL, "3")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--ordinal");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of(Option.BROKERS, "a,b,a", Option.ORDINAL, "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of(Option.BROKERS, "a,,c", Option.ORDINAL, "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("empty entry");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of(Option.BROKERS, "a,b", Option.ORDINAL, "0",
                Option.CLUSTER_PORT, "7800")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--cluster-port");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of(Option.REPLICA_LAG_MS, "10")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--replica-lag-ms");
    }

    @Test
    void aClusterWithoutASecretIsRefusedWithHowToMakeOne() {
        assertThatThrownBy(() -> BrokerConfig.of(Map.of(Option.BROKERS, "a,b,c", Option.ORDINAL, "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--cluster-secret-file")
                .hasMessageContaining("head -c 32 /dev/urandom");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of(Option.TLS_CERT, "c.pem")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--tls-key");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of(Option.TLS_CLIENT_CA, "ca.pem")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("needs --tls-cert");
        assertThat(BrokerConfig.defaults().security()).isEqualTo(io.runnel.broker.config.SecurityConfig.none());
    }

    @Test
    void theOrdinalOfAStatefulSetPodIsInItsHostName() {
        assertThat(BrokerConfig.ordinalOf("runnel-2")).isEqualTo(2);
        assertThat(BrokerConfig.ordinalOf("runnel-12.runnel-headless.default.svc.cluster.local")).isEqualTo(12);
        assertThat(BrokerConfig.ordinalOf("localhost")).isZero();
        assertThat(BrokerConfig.ordinalOf("build-box-x")).isZero();
        assertThat(BrokerConfig.ordinalOf("runnel-")).isZero();
    }

    @Test
    void settingsGiveTheGossipEndpoints() {
        ClusterSettings s = new ClusterSettings(List.of("127.0.0.1", "127.0.0.2", "::1"), 1, "127.0.0.2", 9254, 7800,
                Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofSeconds(9), SECRET, null, 1 << 20);
        assertThat(s.gossipMembers()).containsExactly("127.0.0.1:7800", "127.0.0.2:7800", "[::1]:7800");
        assertThatThrownBy(() -> new ClusterSettings(List.of("a"), 1, "a", 1, 2, Duration.ZERO, Duration.ZERO, Duration.ZERO,
                SECRET, null, 1 << 20))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
