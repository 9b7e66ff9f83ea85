package io.runnel.broker.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.redpanda.RedpandaContainer;

/**
 * The export and import round trips of {@link KafkaBridgeIT} against Redpanda in a container. Runs
 * wherever Docker runs; reported as skipped elsewhere.
 */
@Testcontainers(disabledWithoutDocker = true)
class RedpandaBridgeIT {
    @Container
    static final RedpandaContainer REDPANDA = new RedpandaContainer("docker.redpanda.com/redpandadata/redpanda:v24.2.18");

    @TempDir
    Path dir;

    @Test
    void exportsKeyedEventsInOrderWithHeaders() throws Exception {
        createTopic("rp-export", 4);
        try (RunnelNode node = RunnelNode.start(dir)) {
            assertThat(BridgeScenarios.exportRoundTrip(node, REDPANDA.getBootstrapServers(), "rp-export", "orders", "rp-export", 100, 100))
                    .isZero();
        }
    }

    @Test
    void importsKeyedEventsInOrder() throws Exception {
        createTopic("rp-import", 4);
        try (RunnelNode node = RunnelNode.start(dir)) {
            assertThat(BridgeScenarios.importRoundTrip(node, REDPANDA.getBootstrapServers(), "rp-import", "rp-import", "imported", 100, 100))
                    .isZero();
        }
    }

    private static void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, REDPANDA.getBootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }
}
