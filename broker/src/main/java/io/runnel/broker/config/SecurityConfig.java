package io.runnel.broker.config;

import java.nio.file.Path;

/**
 * Who may talk to a broker, and how: the files are read (and watched) when the broker starts, so a config can be
 * checked without them.
 *
 * @param clusterSecretFile the secret brokers authenticate each other with ({@code null} for a single broker)
 * @param authFile          the credentials file: {@code null} turns client authentication off
 * @param tlsCert           PEM certificate chain; {@code null}: plain HTTP and a plain cluster channel
 * @param tlsKey            PEM private key of {@code tlsCert}
 * @param tlsClientCa       PEM CAs that sign client (and broker) certificates; {@code null}: none required
 * @param metricsOpen       whether {@code /metrics} needs no credentials with {@code authFile}
 */
public record SecurityConfig(Path clusterSecretFile, Path authFile, Path tlsCert, Path tlsKey, Path tlsClientCa,
                             boolean metricsOpen) {

    /** Nothing configured: a local broker without authentication or TLS. */
    public static SecurityConfig none() {
        return new SecurityConfig(null, null, null, null, null, false);
    }

    /** Whether every client needs credentials. */
    public boolean clientAuth() {
        return authFile != null;
    }

    /** Whether the ports speak TLS. */
    public boolean tls() {
        return tlsCert != null;
    }
}
