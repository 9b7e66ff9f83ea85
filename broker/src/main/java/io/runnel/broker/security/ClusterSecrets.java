package io.runnel.broker.security;

import io.runnel.discovery.ClusterSecret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/** The cluster secret file: read at start; {@code bin/runnel dev} makes one. */
public final class ClusterSecrets {
    private ClusterSecrets() {
    }

    /**
     * The secret in {@code file}: its contents without surrounding white space, at least
     * {@link ClusterSecret#MIN_BYTES} bytes.
     *
     * @throws IllegalStateException saying what is wrong and how to make one (the message never holds the secret)
     */
    public static ClusterSecret read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readString(file, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the cluster secret file " + file + ": " + e.getMessage()
                    + "; make one with `head -c 32 /dev/urandom | base64 > " + file + "`", e);
        }
        if (bytes.length < ClusterSecret.MIN_BYTES) {
            throw new IllegalStateException("the cluster secret in " + file + " has " + bytes.length + " bytes; it needs at least "
                    + ClusterSecret.MIN_BYTES + ": make one with `head -c 32 /dev/urandom | base64 > " + file + "`");
        }
        return ClusterSecret.of(bytes);
    }

    /** A new random secret (32 bytes, Base64) written to {@code file}, readable by its owner only where possible. */
    public static void create(Path file) throws IOException {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, Base64.getEncoder().encodeToString(raw) + "\n", StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
    }
}
