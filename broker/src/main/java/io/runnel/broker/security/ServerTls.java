package io.runnel.broker.security;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker's TLS material ({@code --tls-cert}, {@code --tls-key}, optionally {@code --tls-client-ca}), as Netty
 * {@link SslContext}s: {@link #server} for every HTTP port and the cluster port, {@link #client} for the
 * connections a broker opens to its peers. OpenSSL (BoringSSL through netty-tcnative) where its native library
 * loads, else the JDK's provider.
 *
 * <p>With a client CA, servers require a client certificate it signed (the CN of an HTTP client's certificate is
 * its principal), and brokers verify each other's certificates against it: mutual TLS on the cluster port. Without
 * one, a broker's client accepts any peer certificate: the cluster connection is encrypted, and the cluster
 * secret handshake still decides whom to trust.
 *
 * <p>The files are read again when their contents change (checked every second): new connections use the new
 * certificate, open ones keep theirs. A change that does not load (a half-written rotation) is logged and the
 * previous material stays. Thread-safe; the contexts are swapped atomically.
 */
public final class ServerTls implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);
    private static final long RELOAD_CHECK_MILLIS = 1_000;

    private final Path cert;
    private final Path key;
    private final Path clientCa;
    private final SslProvider provider;
    private final ScheduledExecutorService watcher;
    private volatile Contexts contexts;

    private record Contexts(String digest, SslContext server, SslContext client) {
    }

    private ServerTls(Path cert, Path key, Path clientCa) {
        this.cert = cert;
        this.key = key;
        this.clientCa = clientCa;
        this.provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "runnel-tls-watch");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Loads the material and watches it.
     *
     * @param clientCa {@code null} not to ask for client certificates
     * @throws IllegalStateException naming the file when it cannot be loaded (the broker does not start)
     */
    public static ServerTls start(Path cert, Path key, Path clientCa) {
        ServerTls tls = new ServerTls(cert, key, clientCa);
        try {
            tls.contexts = tls.load();
        } catch (IOException | RuntimeException e) {
            tls.close();
            throw new IllegalStateException("the TLS certificate " + cert + " and key " + key
                    + (clientCa == null ? "" : " and client CA " + clientCa) + " cannot be used: " + e.getMessage()
                    + " (PEM files: an X.509 certificate chain and a PKCS#8 private key)", e);
        }
        tls.watcher.scheduleWithFixedDelay(tls::reloadIfChanged, RELOAD_CHECK_MILLIS, RELOAD_CHECK_MILLIS,
                TimeUnit.MILLISECONDS);
        log.info("TLS on with {} ({}{})", cert, tls.provider == SslProvider.OPENSSL ? "OpenSSL" : "JDK",
                clientCa == null ? "" : ", client certificates required");
        return tls;
    }

    /** The context of accepted connections. */
    public SslContext server() {
        return contexts.server();
    }

    /** The context of connections this broker opens to its peers. */
    public SslContext client() {
        return contexts.client();
    }

    /** Whether client certificates are required (and peers verified). */
    public boolean requiresClientCertificates() {
        return clientCa != null;
    }

    /** {@code "OpenSSL"} or {@code "JDK"}. */
    public String provider() {
        return provider == SslProvider.OPENSSL ? "OpenSSL" : "JDK";
    }

    private Contexts load() throws IOException {
        String digest = digest();
        SslContextBuilder server = SslContextBuilder.forServer(cert.toFile(), key.toFile()).sslProvider(provider);
        SslContextBuilder client = SslContextBuilder.forClient().sslProvider(provider)
                .keyManager(cert.toFile(), key.toFile());
        if (clientCa != null) {
            server.trustManager(clientCa.toFile()).clientAuth(ClientAuth.REQUIRE);
            client.trustManager(clientCa.toFile());
        } else {
            client.trustManager(InsecureTrustManagerFactory.INSTANCE);
        }
        try {
            return new Contexts(digest, server.build(), client.build());
        } catch (SSLException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private String digest() throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(Files.readAllBytes(cert));
            sha.update(Files.readAllBytes(key));
            if (clientCa != null) {
                sha.update(Files.readAllBytes(clientCa));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void reloadIfChanged() {
        try {
            if (digest().equals(contexts.digest())) {
                return;
            }
            contexts = load();
            log.info("TLS material {} changed: new connections use it", cert);
        } catch (IOException | RuntimeException e) {
            log.warn("the TLS material {} changed but cannot be loaded ({}); keeping the previous certificate", cert,
                    e.getMessage());
        }
    }

    @Override
    public void close() {
        watcher.shutdownNow();
    }
}
