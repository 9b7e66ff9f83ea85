package io.runnel.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.runnel.broker.common.Errors;
import io.runnel.broker.common.RunnelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthenticatorTest {
    /** Few iterations: the hash's strength is not under test here. */
    private static final int ITERATIONS = 1_000;

    @TempDir
    Path dir;

    private Credentials.IssuedKey key;

    private Path file(Credentials.IssuedKey... keys) throws Exception {
        Path f = dir.resolve("auth.json");
        Credentials c = Credentials.empty().with(new Credentials.Entry("app", List.of(Grant.parse("produce:a*")),
                List.of(keys).stream().map(Credentials.IssuedKey::key).toList(), SecretHash.hash("correct horse", ITERATIONS)));
        c.write(f);
        return f;
    }

    private static Principal ok(Authenticator a, Authenticator.PresentedCredentials c) {
        return a.authenticate(c).join();
    }

    private static void unauthorized(Authenticator a, Authenticator.PresentedCredentials c) {
        assertThatThrownBy(() -> a.authenticate(c).join()).isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(RunnelException.class, e -> assertThat(e.error()).isEqualTo(Errors.UNAUTHORIZED));
    }

    @Test
    void keysPasswordsAndCertificatesNameTheirPrincipal() throws Exception {
        key = Credentials.newKey(ITERATIONS);
        try (Authenticator a = Authenticator.start(file(key))) {
            assertThat(a.enabled()).isTrue();
            assertThat(ok(a, Authenticator.PresentedCredentials.of("Bearer " + key.text(), null, null)).name()).isEqualTo("app");
            assertThat(ok(a, Authenticator.PresentedCredentials.of(null, key.text(), null)).name()).isEqualTo("app");
            // Twice: the second answer comes from the cache of verified credentials.
            assertThat(ok(a, Authenticator.PresentedCredentials.of("bearer " + key.text(), null, null)).grants())
                    .containsExactly(Grant.parse("produce:a*"));
            String basic = Base64.getEncoder().encodeToString("app:correct horse".getBytes(StandardCharsets.UTF_8));
            assertThat(ok(a, Authenticator.PresentedCredentials.of("Basic " + basic, null, null)).name()).isEqualTo("app");
            assertThat(ok(a, Authenticator.PresentedCredentials.of(null, null, "app")).name()).isEqualTo("app");

            unauthorized(a, Authenticator.PresentedCredentials.NONE);
            unauthorized(a, Authenticator.PresentedCredentials.of("Bearer " + key.text() + "x", null, null));
            unauthorized(a, Authenticator.PresentedCredentials.of("Bearer rnl_000000000000_abc", null, null));
            unauthorized(a, Authenticator.PresentedCredentials.of("Bearer nonsense", null, null));
            String wrong = Base64.getEncoder().encodeToString("app:wrong".getBytes(StandardCharsets.UTF_8));
            unauthorized(a, Authenticator.PresentedCredentials.of("Basic " + wrong, null, null));
            unauthorized(a, Authenticator.PresentedCredentials.of(null, null, "stranger"));
        }
    }

    @Test
    void malformedAuthorizationHeadersAreUnauthorized() {
        for (String h : new String[] {"Digest x", "Basic !!!", "Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes()),
                "Bearer"}) {
            assertThatThrownBy(() -> Authenticator.PresentedCredentials.of(h, null, null)).as(h)
                    .isInstanceOfSatisfying(RunnelException.class, e -> assertThat(e.error()).isEqualTo(Errors.UNAUTHORIZED));
        }
    }

    @Test
    void aChangedFileTakesEffectAndABrokenOneIsIgnored() throws Exception {
        Credentials.IssuedKey first = Credentials.newKey(ITERATIONS);
        Credentials.IssuedKey second = Credentials.newKey(ITERATIONS);
        Path f = file(first);
        try (Authenticator a = Authenticator.start(f)) {
            unauthorized(a, Authenticator.PresentedCredentials.of(null, second.text(), null));
            file(second); // replaces the first key by the second
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
                    assertThat(ok(a, Authenticator.PresentedCredentials.of(null, second.text(), null)).name()).isEqualTo("app"));
            unauthorized(a, Authenticator.PresentedCredentials.of(null, first.text(), null));

            Files.writeString(f, "{not json");
            await().atMost(Duration.ofSeconds(10)).until(() -> a.rejectedChanges() > 0);
            assertThat(ok(a, Authenticator.PresentedCredentials.of(null, second.text(), null)).name()).isEqualTo("app");
        }
    }

    @Test
    void aBrokerDoesNotStartWithAnUnreadableFile() throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"principals\":[{\"name\":\"x\",\"password\":\"hunter2\"}]}");
        assertThatThrownBy(() -> Authenticator.start(f)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("passwords are never stored in clear").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> Authenticator.start(dir.resolve("missing.json"))).hasMessageContaining("bin/runnel auth add-key");
    }

    @Test
    void offEveryRequestIsAnonymous() {
        try (Authenticator a = Authenticator.disabled()) {
            assertThat(a.enabled()).isFalse();
            assertThat(ok(a, Authenticator.PresentedCredentials.NONE)).isSameAs(Principal.ANONYMOUS);
        }
    }
}
