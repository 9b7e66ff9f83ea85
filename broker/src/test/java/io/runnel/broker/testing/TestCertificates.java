package io.runnel.broker.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Real certificates for TLS tests, made with the JDK's {@code keytool}: a CA, leaf certificates it signs (valid for
 * 127.0.0.1 to 127.0.0.3 and localhost), written as the PEM files a broker reads, and client {@link SSLContext}s.
 */
public final class TestCertificates {
    private static final String PASS = "changeit";
    private static final String SAN = "SAN=ip:127.0.0.1,ip:127.0.0.2,ip:127.0.0.3,dns:localhost";

    private final Path dir;
    private final String caName;

    private TestCertificates(Path dir, String caName) {
        this.dir = dir;
        this.caName = caName;
    }

    /** A new CA in {@code dir} (its certificate is {@link #caPem}). */
    public static TestCertificates newCa(Path dir, String name) {
        TestCertificates ca = new TestCertificates(dir, name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ca.keytool("-genkeypair", "-keystore", ca.store(name).toString(), "-storetype", "PKCS12", "-storepass", PASS,
                "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name, "-ext", "bc:c",
                "-validity", "2");
        ca.keytool("-exportcert", "-keystore", ca.store(name).toString(), "-storepass", PASS, "-alias", name, "-rfc",
                "-file", ca.caPem().toString());
        return ca;
    }

    /** The CA's certificate (PEM). */
    public Path caPem() {
        return dir.resolve(caName + ".ca.pem");
    }

    /** A certificate and key this CA signed. */
    public record Leaf(Path certPem, Path keyPem, PrivateKey key, List<X509Certificate> chain) {
    }

    /**
     * Issues a certificate for {@code commonName}, written to {@code <file>.crt.pem} (chain: leaf, CA) and
     * {@code <file>.key.pem} (PKCS#8), each replaced atomically.
     */
    public Leaf issue(String commonName, String file) {
        Path store = dir.resolve(file + "-" + System.nanoTime() + ".p12");
        Path csr = dir.resolve(file + ".csr");
        Path signed = dir.resolve(file + ".signed.pem");
        keytool("-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASS, "-alias", "leaf",
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + commonName, "-validity", "2");
        keytool("-certreq", "-keystore", store.toString(), "-storepass", PASS, "-alias", "leaf", "-file", csr.toString());
        keytool("-gencert", "-keystore", store(caName).toString(), "-storepass", PASS, "-alias", caName, "-infile",
                csr.toString(), "-outfile", signed.toString(), "-rfc", "-validity", "2", "-ext", SAN);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, PASS.toCharArray());
            }
            PrivateKey key = (PrivateKey) ks.getKey("leaf", PASS.toCharArray());
            List<X509Certificate> chain = new ArrayList<>();
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            try (InputStream in = Files.newInputStream(signed)) {
                chain.add((X509Certificate) cf.generateCertificate(in));
            }
            try (InputStream in = Files.newInputStream(caPem())) {
                chain.add((X509Certificate) cf.generateCertificate(in));
            }
            String certs = Files.readString(signed).strip() + "\n" + Files.readString(caPem()).strip() + "\n";
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            Path certPem = dir.resolve(file + ".crt.pem");
            Path keyPem = dir.resolve(file + ".key.pem");
            // Key first, then the certificate: a watcher may see the pair half-rotated, never a cert without its key
            // for long.
            replace(keyPem, pem);
            replace(certPem, certs);
            return new Leaf(certPem, keyPem, key, chain);
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue a test certificate for " + commonName, e);
        }
    }

    /** A client context that trusts {@code trusted} (a CA PEM) and presents {@code identity} ({@code null}: none). */
    public static SSLContext clientContext(Path trusted, Leaf identity) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(trusted)) {
                trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (identity != null) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("me", identity.key(), PASS.toCharArray(), identity.chain().toArray(new Certificate[0]));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, PASS.toCharArray());
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a client TLS context", e);
        }
    }

    private Path store(String name) {
        return dir.resolve(name + ".p12");
    }

    private static void replace(Path target, String content) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), ".pem", ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
