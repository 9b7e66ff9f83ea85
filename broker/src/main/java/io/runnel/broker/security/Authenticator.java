package io.runnel.broker.security;

import io.runnel.broker.common.Errors;
import io.runnel.broker.common.RunnelException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who a request comes from: an API key ({@code Authorization: Bearer <key>} or {@code X-API-Key: <key>}), HTTP
 * Basic ({@code Authorization: Basic}), or a client certificate's CN (TLS with a client CA), each a principal of the
 * credentials file. Off ({@link #disabled}) every request is {@link Principal#ANONYMOUS}.
 *
 * <p>Secrets are checked against their PBKDF2 hashes on a small pool of their own ({@code runnel-auth}), never on
 * an event loop; a credential once verified is remembered by its SHA-256 (in memory only) until the file changes,
 * so a client pays the hash once. The file is read again when its contents change (checked every second): a
 * Kubernetes Secret update takes effect without a restart; a change that does not parse is logged and ignored.
 * Nothing secret is ever logged: messages name the principal or key id at most.
 */
public final class Authenticator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Authenticator.class);
    private static final int CACHE_LIMIT = 10_000;
    private static final long RELOAD_CHECK_MILLIS = 1_000;

    private final Path file;
    private volatile Credentials credentials;
    private volatile String contentDigest;
    private final Map<String, String> verified = new ConcurrentHashMap<>();
    private final AtomicInteger rejectedChanges = new AtomicInteger();
    /** Checks under way, by the credential's SHA-256. */
    private final Map<String, CompletableFuture<Principal>> checking = new ConcurrentHashMap<>();
    private final ExecutorService hashing;
    private final ScheduledExecutorService watcher;

    private Authenticator(Path file, Credentials credentials, String digest) {
        this.file = file;
        this.credentials = credentials;
        this.contentDigest = digest;
        AtomicInteger n = new AtomicInteger();
        this.hashing = file == null ? null : new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(1000), r -> daemon(r, "runnel-auth-" + n.incrementAndGet()));
        this.watcher = file == null ? null
                : java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "runnel-auth-watch"));
    }

    /** Client authentication off: every request is anonymous and may do everything. */
    public static Authenticator disabled() {
        return new Authenticator(null, Credentials.empty(), "");
    }

    /**
     * Reads {@code file} and watches it.
     *
     * @throws IllegalStateException if it cannot be read or does not parse (the broker does not start)
     */
    public static Authenticator start(Path file) {
        byte[] bytes;
        Credentials creds;
        try {
            bytes = Files.readAllBytes(file);
            creds = Credentials.read(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("the credentials file " + file + " cannot be used: " + e.getMessage()
                    + " (make one with bin/runnel auth add-key " + file + " NAME --allow GRANT)", e);
        }
        Authenticator a = new Authenticator(file, creds, SecretHash.digest(Base64.getEncoder().encodeToString(bytes)));
        a.watcher.scheduleWithFixedDelay(a::reloadIfChanged, RELOAD_CHECK_MILLIS, RELOAD_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        log.info("client authentication on: {} principals in {}", creds.principals().size(), file);
        return a;
    }

    /** Whether requests need credentials. */
    public boolean enabled() {
        return file != null;
    }

    /** The credentials as read last. */
    public Credentials credentials() {
        return credentials;
    }

    /**
     * The principal of a request, at once when authentication is off or the credential was verified before, else
     * once its hash is checked. Fails with {@code unauthorized} (401) for missing or wrong credentials.
     */
    public CompletableFuture<Principal> authenticate(PresentedCredentials presented) {
        if (!enabled()) {
            return CompletableFuture.completedFuture(Principal.ANONYMOUS);
        }
        Credentials current = credentials;
        try {
            if (presented.apiKey() != null) {
                return verifyKey(current, presented.apiKey());
            }
            if (presented.basicUser() != null) {
                return verifyPassword(current, presented.basicUser(), presented.basicPassword());
            }
            if (presented.certificateName() != null) {
                return CompletableFuture.completedFuture(current.principal(presented.certificateName())
                        .map(Credentials.Entry::principal)
                        .orElseThrow(() -> unauthorized("the client certificate's name '" + presented.certificateName()
                                + "' is not a principal of the credentials file")));
            }
        } catch (RunnelException e) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.failedFuture(unauthorized("credentials required: send an API key (Authorization: Bearer"
                + " <key> or X-API-Key), HTTP Basic, or a client certificate"));
    }

    private CompletableFuture<Principal> verifyKey(Credentials current, String key) {
        Optional<String[]> parts = Credentials.splitKey(key);
        Optional<Map.Entry<Credentials.Entry, Credentials.Key>> entry = parts.flatMap(p -> current.byKeyId(p[0]));
        if (entry.isEmpty()) {
            throw unauthorized("the API key is not valid");
        }
        String secret = parts.get()[1];
        return verified("key:" + key, entry.get().getKey(), () -> SecretHash.verify(secret, entry.get().getValue().hash()),
                "the API key is not valid");
    }

    private CompletableFuture<Principal> verifyPassword(Credentials current, String user, String password) {
        Credentials.Entry entry = current.principal(user).filter(e -> e.passwordHash() != null)
                .orElseThrow(() -> unauthorized("the user name or password is not valid"));
        return verified("basic:" + user + ":" + password, entry, () -> SecretHash.verify(password, entry.passwordHash()),
                "the user name or password is not valid");
    }

    private CompletableFuture<Principal> verified(String credential, Credentials.Entry entry,
                                                  java.util.function.BooleanSupplier check, String failure) {
        String digest = SecretHash.digest(credential);
        if (entry.name().equals(verified.get(digest))) {
            return CompletableFuture.completedFuture(entry.principal());
        }
        // One check per credential at a time: the connections of a client that start together share it.
        CompletableFuture<Principal> running = checking.get(digest);
        if (running != null) {
            return running;
        }
        if (checking.size() >= CACHE_LIMIT) {
            return CompletableFuture.failedFuture(Errors.OVERLOADED.exception("too many credentials are being checked;"
                    + " retry shortly"));
        }
        CompletableFuture<Principal> result = new CompletableFuture<>();
        running = checking.putIfAbsent(digest, result);
        if (running != null) {
            return running;
        }
        result.whenComplete((p, e) -> checking.remove(digest, result));
        try {
            CompletableFuture.supplyAsync(() -> {
                if (!check.getAsBoolean()) {
                    log.info("rejected credentials for principal '{}'", entry.name());
                    throw unauthorized(failure);
                }
                if (verified.size() >= CACHE_LIMIT) {
                    verified.clear();
                }
                verified.put(digest, entry.name());
                return entry.principal();
            }, hashing).whenComplete((p, e) -> {
                if (e != null) {
                    result.completeExceptionally(e instanceof CompletionException c && c.getCause() != null ? c.getCause() : e);
                } else {
                    result.complete(p);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(Errors.OVERLOADED.exception("too many credentials are being checked; retry shortly"));
        }
        return result;
    }

    private void reloadIfChanged() {
        try {
            byte[] bytes = Files.readAllBytes(file);
            String digest = SecretHash.digest(Base64.getEncoder().encodeToString(bytes));
            if (digest.equals(contentDigest)) {
                return;
            }
            Credentials next = Credentials.read(file);
            credentials = next;
            contentDigest = digest;
            verified.clear();
            log.info("credentials file {} changed: {} principals", file, next.principals().size());
        } catch (IOException | IllegalArgumentException e) {
            rejectedChanges.incrementAndGet();
            log.warn("the credentials file {} changed but cannot be used ({}); keeping the previous credentials", file,
                    e.getMessage());
        }
    }

    /** How many checks found the file changed but unusable (each keeps the previous credentials). */
    int rejectedChanges() {
        return rejectedChanges.get();
    }

    static RunnelException unauthorized(String message) {
        return Errors.UNAUTHORIZED.exception(message);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
            hashing.shutdownNow();
        }
    }

    /** The credentials of one request, as the HTTP edge found them. */
    public record PresentedCredentials(String apiKey, String basicUser, String basicPassword, String certificateName) {
        public static final PresentedCredentials NONE = new PresentedCredentials(null, null, null, null);

        /**
         * From the request's {@code Authorization} and {@code X-API-Key} headers (either may be {@code null}) and the
         * client certificate's CN ({@code null} without one).
         *
         * @throws RunnelException {@code unauthorized} for a malformed {@code Authorization}
         */
        public static PresentedCredentials of(String authorization, String apiKeyHeader, String certificateName) {
            if (authorization != null && !authorization.isBlank()) {
                String a = authorization.strip();
                int space = a.indexOf(' ');
                String scheme = space < 0 ? a : a.substring(0, space);
                String value = space < 0 ? "" : a.substring(space + 1).strip();
                if (scheme.equalsIgnoreCase("Bearer") && !value.isEmpty()) {
                    return new PresentedCredentials(value, null, null, certificateName);
                }
                if (scheme.equalsIgnoreCase("Basic") && !value.isEmpty()) {
                    String decoded;
                    try {
                        decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
                    } catch (IllegalArgumentException e) {
                        throw unauthorized("the Basic credentials are not Base64");
                    }
                    int colon = decoded.indexOf(':');
                    if (colon <= 0) {
                        throw unauthorized("the Basic credentials are not user:password");
                    }
                    return new PresentedCredentials(null, decoded.substring(0, colon), decoded.substring(colon + 1),
                            certificateName);
                }
                throw unauthorized("the Authorization scheme must be Bearer (an API key) or Basic");
            }
            if (apiKeyHeader != null && !apiKeyHeader.isBlank()) {
                return new PresentedCredentials(apiKeyHeader.strip(), null, null, certificateName);
            }
            return new PresentedCredentials(null, null, null, certificateName);
        }
    }
}
