package io.runnel.broker.cluster;

import io.runnel.broker.node.SingleBrokerNode;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.runnel.broker.Broker;
import io.runnel.broker.config.BrokerConfig;
import io.runnel.broker.config.Option;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A single broker (no --brokers) describes itself as a one-range cluster it leads. */
class SingleBrokerTopologyIT {

    @Test
    void topologyOfASingleBroker(@TempDir Path dir) throws Exception {
        BrokerConfig config = BrokerConfig.of(Map.of(Option.BIND_ADDRESS, "127.0.0.1", Option.DISCOVERY_PORT, "0",
                Option.PRODUCER_PORT, "0", Option.CONSUMER_PORT, "0", Option.DATA_DIR, dir.toString(), Option.RANGES, "2"));
        try (Broker broker = Broker.start(config); HttpClient http = HttpClient.newHttpClient()) {
            assertThat(broker.node()).isInstanceOf(SingleBrokerNode.class);
            HttpResponse<String> produced = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + broker.producerPort() + "/v1/topic/solo/messages?partitionKey=k"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(produced.statusCode()).isEqualTo(200);
            int partition = LocalCluster.JSON.readTree(produced.body()).path("partition").asInt();

            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + broker.discoveryPort() + "/v1/topology")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode topology = LocalCluster.JSON.readTree(r.body());
            assertThat(topology.path("brokers")).hasSize(1);
            JsonNode range = topology.path("ranges").get(0);
            assertThat(range.path("leader").asInt()).isZero();
            assertThat(range.path("version").asInt()).isEqualTo(1);
            assertThat(range.path("isr").toString()).isEqualTo("[0]");
            JsonNode p = range.path("partitions").get(partition);
            assertThat(p.path("logEnd").asLong()).isEqualTo(1);
            assertThat(p.path("highWatermark").asLong()).isEqualTo(1);
        }
    }
}
