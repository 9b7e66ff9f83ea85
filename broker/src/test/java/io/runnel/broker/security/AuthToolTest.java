package io.runnel.broker.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthToolTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String stdin, String... args) {
        out.reset();
        err.reset();
        return new AuthTool(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), 1_000).run(args);
    }

    private List<String> outLines() {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void addKeyPrintsTheKeyAloneOnTheLastLineAndStoresOnlyItsHash() throws Exception {
        Path file = dir.resolve("sub/auth.json");
        assertThat(run("", "add-key", file.toString(), "orders-app", "--allow", "produce:orders*", "--allow=group:g")).isZero();
        String key = outLines().getLast();
        assertThat(key).startsWith("rnl_").doesNotContain(" ");
        String stored = Files.readString(file);
        assertThat(stored).doesNotContain(key).doesNotContain(key.substring(key.lastIndexOf('_') + 1));
        try (Authenticator a = Authenticator.start(file)) {
            Principal p = a.authenticate(Authenticator.PresentedCredentials.of("Bearer " + key, null, null)).join();
            assertThat(p.name()).isEqualTo("orders-app");
            assertThat(p.grants()).containsExactly(Grant.parse("produce:orders*"), Grant.parse("group:g"));
        }

        // A second key for the same principal: both work; a grant given now is added.
        assertThat(run("", "add-key", file.toString(), "orders-app", "--allow", "consume:orders")).isZero();
        String second = outLines().getLast();
        assertThat(second).isNotEqualTo(key);
        assertThat(run("", "list", file.toString())).isZero();
        String listed = out.toString(StandardCharsets.UTF_8);
        assertThat(listed).contains("orders-app", "produce:orders* group:g consume:orders", "password: no")
                .doesNotContain(key).doesNotContain(second).doesNotContain("pbkdf2");
    }

    @Test
    void addUserReadsThePasswordFromStdin() throws Exception {
        Path file = dir.resolve("auth.json");
        assertThat(run("correct horse battery\n", "add-user", file.toString(), "alice", "--allow", "admin")).isZero();
        assertThat(Files.readString(file)).doesNotContain("correct horse");
        assertThat(run("", "list", file.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("alice  grants: admin  keys: none  password: yes");
        assertThat(run("", "add-user", file.toString(), "bob", "--allow", "admin")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("password on the first line of standard input");
        assertThat(run("short\n", "add-user", file.toString(), "bob", "--allow", "admin")).isEqualTo(2);
    }

    @Test
    void mistakesAreUsageErrors() {
        Path file = dir.resolve("auth.json");
        assertThat(run("", "add-key", file.toString(), "x")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("a new principal needs at least one --allow GRANT");
        assertThat(run("", "add-key", file.toString(), "x", "--allow", "write:y")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("is not one of");
        assertThat(run("", "add-key", file.toString(), "bad name", "--allow", "admin")).isEqualTo(2);
        assertThat(run("", "frobnicate")).isEqualTo(2);
        assertThat(run("", "list", file.toString())).isEqualTo(1);
        assertThat(Files.exists(file)).isFalse();
        assertThat(run("", "add-key", file.toString(), "x", "--allow", "admin")).isZero();
        assertThat(run("", "remove", file.toString(), "x")).isZero();
        assertThat(run("", "list", file.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
