package io.runnel.broker.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBridgeRegistryTest {
    @TempDir
    Path dir;

    private static BridgeDefinition export(String name) {
        return new BridgeDefinition(name, BridgeDirection.EXPORT, "t", "k", "h:9092", null, Map.of("sasl.jaas.config", "secret"));
    }

    @Test
    void changesSurviveAReopen() throws Exception {
        FileBridgeRegistry registry = new FileBridgeRegistry(dir);
        assertThat(registry.all()).isEmpty();
        registry.put(new StoredBridge(export("b"), false));
        registry.put(new StoredBridge(export("a"), true));
        registry.put(new StoredBridge(export("b"), true));
        registry.remove("nothing");

        FileBridgeRegistry reopened = new FileBridgeRegistry(dir);
        assertThat(reopened.all()).containsExactly(new StoredBridge(export("a"), true), new StoredBridge(export("b"), true));
        reopened.remove("a");
        assertThat(new FileBridgeRegistry(dir).all()).containsExactly(new StoredBridge(export("b"), true));

        Path file = dir.resolve("bridges.json");
        assertThat(Files.readString(file)).as("stored as given").contains("\"sasl.jaas.config\" : \"secret\"");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(dir.resolve("bridges.json.tmp")).doesNotExist();
    }

    @Test
    void aDamagedFileStopsTheStartInsteadOfDroppingBridges() throws Exception {
        Files.writeString(dir.resolve("bridges.json"), "{\"version\":1,\"bridges\":[{\"name\":\"x\"}]}");
        assertThatThrownBy(() -> new FileBridgeRegistry(dir)).isInstanceOf(BridgeStoreException.class)
                .hasMessageContaining("direction is required").hasMessageContaining("fix or remove the file");
        Files.writeString(dir.resolve("bridges.json"), "{\"version\":2,\"bridges\":[]}");
        assertThatThrownBy(() -> new FileBridgeRegistry(dir)).isInstanceOf(BridgeStoreException.class);
        Files.writeString(dir.resolve("bridges.json"), "{");
        assertThatThrownBy(() -> new FileBridgeRegistry(dir)).isInstanceOf(BridgeStoreException.class);
    }

    @Test
    void backoffDoublesUpToItsCapAndResets() {
        Backoff b = new Backoff(java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(30));
        assertThat(List.of(b.nextMillis(), b.nextMillis(), b.nextMillis(), b.nextMillis(), b.nextMillis(), b.nextMillis(), b.nextMillis()))
                .containsExactly(1000L, 2000L, 4000L, 8000L, 16000L, 30000L, 30000L);
        b.reset();
        assertThat(b.nextMillis()).isEqualTo(1000L);
    }
}
