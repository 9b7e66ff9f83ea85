package io.runnel.benchmarks.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadOptionsTest {

    @Test
    void defaultsProduceToTheLocalBroker() {
        LoadOptions o = LoadOptions.parse();
        assertThat(o.produce()).isTrue();
        assertThat(o.consume()).isFalse();
        assertThat(o.brokers()).containsExactly(new Endpoint("127.0.0.1", 9251));
        assertThat(o.consumerBrokers()).containsExactly(new Endpoint("127.0.0.1", 9252));
        assertThat(o.connections()).isEqualTo(8);
        assertThat(o.batch()).isEqualTo(100);
        assertThat(o.eventSize()).isEqualTo(200);
        assertThat(o.keys()).isZero();
        assertThat(o.fixedRate()).isFalse();
        assertThat(o.duration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.json()).isNull();
    }

    @Test
    void parsesEveryOption() {
        LoadOptions o = LoadOptions.parse("produce", "consume", "--brokers", "a:1,b:2", "--connections=4",
                "--batch", "50", "--size", "300", "--keys", "16", "--rate", "150_000", "--events", "1000000",
                "--warmup", "0.5", "--topic", "bench", "--consumers", "3", "--group", "g",
                "--consumer-brokers", "c:3", "--poll-timeout", "500", "--max-bytes", "65536", "--from", "latest",
                "--drain", "2", "--request-timeout", "5", "--io-threads", "2", "--json", "/tmp/r.json");
        assertThat(o.produce()).isTrue();
        assertThat(o.consume()).isTrue();
        assertThat(o.brokers()).isEqualTo(List.of(new Endpoint("a", 1), new Endpoint("b", 2)));
        assertThat(o.connections()).isEqualTo(4);
        assertThat(o.batch()).isEqualTo(50);
        assertThat(o.eventSize()).isEqualTo(300);
        assertThat(o.keys()).isEqualTo(16);
        assertThat(o.rate()).isEqualTo(150_000);
        assertThat(o.duration()).isNull();
        assertThat(o.events()).isEqualTo(1_000_000);
        assertThat(o.warmup()).isEqualTo(Duration.ofMillis(500));
        assertThat(o.topic()).isEqualTo("bench");
        assertThat(o.consumers()).isEqualTo(3);
        assertThat(o.group()).isEqualTo("g");
        assertThat(o.consumerBrokers()).containsExactly(new Endpoint("c", 3));
        assertThat(o.pollTimeoutMillis()).isEqualTo(500);
        assertThat(o.maxBytes()).isEqualTo(65536);
        assertThat(o.startFromEarliest()).isFalse();
        assertThat(o.drain()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.ioThreads()).isEqualTo(2);
        assertThat(o.json()).isEqualTo(Path.of("/tmp/r.json"));
    }

    @Test
    void consumeAloneNeedsNoProducerAndDefaultsToOneConsumer() {
        LoadOptions o = LoadOptions.parse("consume", "--duration", "3");
        assertThat(o.produce()).isFalse();
        assertThat(o.consume()).isTrue();
        assertThat(o.consumers()).isEqualTo(1);
    }

    @Test
    void consumersWithProduceAlsoConsume() {
        assertThat(LoadOptions.parse("--consumers", "2").consume()).isTrue();
    }

    @Test
    void rejectsWhatCannotRunWithAMessageNamingTheOption() {
        assertThatThrownBy(() -> LoadOptions.parse("--duration", "5", "--events", "10"))
                .hasMessageContaining("--duration").hasMessageContaining("--events");
        assertThatThrownBy(() -> LoadOptions.parse("--connections", "0")).hasMessageContaining("--connections");
        assertThatThrownBy(() -> LoadOptions.parse("--size", "20")).hasMessageContaining("--size must be at least");
        assertThatThrownBy(() -> LoadOptions.parse("--rate", "fast")).hasMessageContaining("--rate");
        assertThatThrownBy(() -> LoadOptions.parse("--brokers", "nohost")).hasMessageContaining("host:port");
        assertThatThrownBy(() -> LoadOptions.parse("--topic", "a/b")).hasMessageContaining("--topic");
        assertThatThrownBy(() -> LoadOptions.parse("--bogus", "1")).hasMessageContaining("unknown option --bogus");
        assertThatThrownBy(() -> LoadOptions.parse("--batch")).hasMessageContaining("--batch needs a value");
        assertThatThrownBy(() -> LoadOptions.parse("consume", "--consumers", "0")).hasMessageContaining("--consumers");
        assertThatThrownBy(() -> LoadOptions.parse("sideways")).hasMessageContaining("sideways");
    }

    @Test
    void usageNamesEveryOption() {
        String usage = LoadOptions.usage();
        for (String opt : List.of("--brokers", "--connections", "--batch", "--size", "--keys", "--rate", "--duration",
                "--events", "--warmup", "--topic", "--consumers", "--group", "--consumer-brokers", "--poll-timeout",
                "--max-bytes", "--from", "--drain", "--request-timeout", "--io-threads", "--json", "--help")) {
            assertThat(usage).contains(opt);
        }
    }
}
