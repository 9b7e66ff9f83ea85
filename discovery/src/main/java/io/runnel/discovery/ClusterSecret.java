package io.runnel.discovery;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret every broker of a cluster shares, from which each use derives its own key ({@link #derive}): the
 * inter-broker channel's handshake, JGroups' AUTH and its encryption. Never printed: {@link #toString} is
 * redacted, and the bytes leave only as derived keys.
 */
public final class ClusterSecret {
    /** The fewest bytes a secret has: 128 bits. */
    public static final int MIN_BYTES = 16;

    private final byte[] secret;

    private ClusterSecret(byte[] secret) {
        this.secret = secret;
    }

    /**
     * A secret of these bytes (copied), e.g. the trimmed contents of a secret file.
     *
     * @throws IllegalArgumentException if it has fewer than {@link #MIN_BYTES} bytes
     */
    public static ClusterSecret of(byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length < MIN_BYTES) {
            throw new IllegalArgumentException("a cluster secret needs at least " + MIN_BYTES + " bytes, not "
                    + secret.length);
        }
        return new ClusterSecret(secret.clone());
    }

    /** A secret of this text's UTF-8 bytes (tests, and secrets given as text). */
    public static ClusterSecret of(String secret) {
        return of(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** HMAC-SHA256 of {@code label} under the secret: a 32-byte key for one purpose. */
    public byte[] derive(String label) {
        return hmac(secret, label.getBytes(StandardCharsets.UTF_8));
    }

    /** HMAC-SHA256 of {@code data} under {@code key}. */
    public static byte[] hmac(byte[] key, byte[]... data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] d : data) {
                mac.update(d);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Compares two proofs in constant time. */
    public static boolean same(byte[] a, byte[] b) {
        return a != null && b != null && MessageDigest.isEqual(a, b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterSecret s && MessageDigest.isEqual(secret, s.secret);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(derive("hash-code"));
    }

    @Override
    public String toString() {
        return "ClusterSecret[redacted]";
    }
}
