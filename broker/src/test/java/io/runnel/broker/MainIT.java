package io.runnel.broker;

import static org.assertj.core.api.Assertions.assertThat;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process entry point: exit codes, messages, start and graceful stop. */
class MainIT {
    @TempDir
    Path dir;

    private static Process launch(String... args) throws IOException {
        return launch(null, args);
    }

    /** Runs Main in a new JVM; with {@code log}, stdout and stderr go to that file. */
    private static Process launch(Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("RUNNEL_"));
        if (log != null) {
            pb.redirectErrorStream(true).redirectOutput(log.toFile());
        }
        return pb.start();
    }

    private static String read(java.io.InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void helpPrintsEveryOptionAndExits0() throws Exception {
        Process p = launch("--help");
        String out = read(p.getInputStream());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out).contains("--data-dir").contains("RUNNEL_DATA_DIR").contains("--max-body-bytes");
    }

    @Test
    void invalidSettingsExit2SayingWhatToFix() throws Exception {
        Process p = launch("--producer-port", "abc", "--fsync=never");
        String err = read(p.getErrorStream());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(err).contains("--producer-port / RUNNEL_PRODUCER_PORT must be a whole number, not 'abc'")
                .contains("--fsync / RUNNEL_FSYNC must be 'always' or 'interval'");
    }

    @Test
    void startsServesAndStopsOnSigterm() throws Exception {
        Path log = dir.resolve("broker.log");
        Process p = launch(log, "--bind-address", "127.0.0.1", "--discovery-port", "0", "--producer-port", "0",
                "--consumer-port", "0", "--data-dir", dir.resolve("data").toString(), "--block-cache-mb", "8",
                "--write-buffer-mb", "4");
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> !p.isAlive() || Files.readString(log).contains("consumer API:"));
            assertThat(p.isAlive()).as(Files.readString(log)).isTrue();
            assertThat(Files.readString(log)).containsPattern("producer API: +http://127\\.0\\.0\\.1:[1-9]");
            // SIGTERM through the handle (Process.destroy would also close our end of its pipes).
            p.toHandle().destroy();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(log)).contains("shutting down").contains("stopped");
        } finally {
            p.destroyForcibly();
        }
    }
}
