package io.runnel.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.runnel.storage.FsyncMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @Test
    void defaultsMatchTheOptionTable() {
        BrokerConfig c = ConfigLoader.load(new String[0], Map.of());
        assertThat(c.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(c.discoveryPort()).isEqualTo(9250);
        assertThat(c.producerPort()).isEqualTo(9251);
        assertThat(c.consumerPort()).isEqualTo(9252);
        assertThat(c.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(c.ranges()).isEqualTo(4);
        assertThat(c.fsync()).isEqualTo(FsyncMode.ALWAYS);
        assertThat(c.maxBodyBytes()).isEqualTo(1 << 20);
        assertThat(c.maxHeaderBytes()).isEqualTo(8192);
        assertThat(c.readTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.consumerTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.retention()).isEqualTo(Duration.ofDays(7));
        assertThat(c.retentionBytes()).isEqualTo(-1);
        assertThat(c.ioThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(c.hostname()).isNotBlank();
        assertThat(c).isEqualTo(BrokerConfig.defaults());
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("runnel.properties");
        Files.writeString(file, "producer-port=7001\nconsumer-port=7002\ndiscovery-port=7000\nranges=2\n");
        BrokerConfig c = ConfigLoader.load(
                new String[] {"--config", file.toString(), "--producer-port=8001", "--retention-bytes", "-1"},
                Map.of("RUNNEL_PRODUCER_PORT", "9001", "RUNNEL_CONSUMER_PORT", "9002", "RUNNEL_DATA_DIR", "/tmp/x"));
        assertThat(c.producerPort()).isEqualTo(8001);   // flag
        assertThat(c.consumerPort()).isEqualTo(9002);   // env over file
        assertThat(c.discoveryPort()).isEqualTo(7000);  // file over default
        assertThat(c.ranges()).isEqualTo(2);
        assertThat(c.dataDir()).isEqualTo(Path.of("/tmp/x"));
    }

    @Test
    void configFileCanComeFromTheEnvironment(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("r.properties");
        Files.writeString(file, "fsync=interval\n");
        BrokerConfig c = ConfigLoader.load(new String[0], Map.of("RUNNEL_CONFIG", file.toString()));
        assertThat(c.fsync()).isEqualTo(FsyncMode.INTERVAL);
    }

    @Test
    void everyProblemIsReportedWithTheNamesThatFixIt() {
        assertThatThrownBy(() -> ConfigLoader.load(
                new String[] {"--producer-port", "abc", "--max-body-bytes=5", "--fsync", "sometimes"},
                Map.of("RUNNEL_RANGES", "0")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
                        "--producer-port / RUNNEL_PRODUCER_PORT must be a whole number, not 'abc'",
                        "--fsync / RUNNEL_FSYNC must be 'always' or 'interval', not 'sometimes'",
                        "--ranges / RUNNEL_RANGES must be between 1 and 1024, not 0",
                        "--max-body-bytes / RUNNEL_MAX_BODY_BYTES must be between 1024 and 67108864, not 5"));
    }

    @Test
    void unknownFlagsMissingValuesAndStrayArgumentsAreErrors() {
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--data-dri", "x"}, Map.of()))
                .hasMessageContaining("unknown option --data-dri");
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--data-dir"}, Map.of()))
                .hasMessageContaining("--data-dir needs a value");
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"data-dir"}, Map.of()))
                .hasMessageContaining("unexpected argument 'data-dir'");
    }

    @Test
    void unknownFileKeysAndMissingFilesAreErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("r.properties");
        Files.writeString(file, "data_dir=/x\n");
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--config=" + file}, Map.of()))
                .hasMessageContaining("unknown key 'data_dir'");
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--config", dir.resolve("nope").toString()}, Map.of()))
                .hasMessageContaining("does not exist");
    }

    @Test
    void unknownRunnelVariablesAreIgnored() {
        // Kubernetes injects RUNNEL_PORT=tcp://... for a Service named runnel.
        BrokerConfig c = ConfigLoader.load(new String[0], Map.of("RUNNEL_PORT", "tcp://10.0.0.1:9250"));
        assertThat(c.producerPort()).isEqualTo(9251);
    }

    @Test
    void portsMustDifferUnlessEphemeral() {
        assertThatThrownBy(() -> BrokerConfig.of(Map.of(Option.PRODUCER_PORT, "9252")))
                .hasMessageContaining("ports must differ");
        BrokerConfig c = BrokerConfig.of(Map.of(Option.PRODUCER_PORT, "0", Option.CONSUMER_PORT, "0", Option.DISCOVERY_PORT, "0"));
        assertThat(c.producerPort()).isZero();
    }

    @Test
    void hostnameDefaultsToASpecificBindAddress() {
        assertThat(BrokerConfig.of(Map.of(Option.BIND_ADDRESS, "127.0.0.1")).hostname()).isEqualTo("127.0.0.1");
        assertThat(BrokerConfig.of(Map.of(Option.BIND_ADDRESS, "127.0.0.1", Option.HOSTNAME, "runnel-0.runnel")).hostname())
                .isEqualTo("runnel-0.runnel");
    }

    @Test
    void helpAndMarkdownListEveryOption() {
        assertThat(ConfigLoader.wantsHelp(new String[] {"--data-dir", "x", "--help"})).isTrue();
        assertThat(ConfigLoader.wantsHelp(new String[] {"--data-dir", "x"})).isFalse();
        String help = Option.helpText();
        String markdown = Option.markdownTable();
        for (Option o : Option.values()) {
            assertThat(help).contains(o.flag()).contains(o.env());
            assertThat(markdown).contains("`" + o.flag() + "`").contains("`" + o.env() + "`");
        }
        assertThat(markdown.lines().count()).isEqualTo(Option.values().length + 2);
        assertThat(Option.DATA_DIR.env()).isEqualTo("RUNNEL_DATA_DIR");
    }
}
