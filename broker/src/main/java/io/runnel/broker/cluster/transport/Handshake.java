package io.runnel.broker.cluster.transport;

import io.runnel.discovery.ClusterSecret;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * The mutual challenge-response that opens every inter-broker connection, over a key derived from the cluster
 * secret (HMAC-SHA256):
 * <pre>
 *   client → server  Hello{protocol, clientOrdinal, clientNonce}
 *   server → client  Challenge{serverOrdinal, serverNonce, HMAC(k, "server" | clientNonce | serverNonce | ordinals)}
 *   client → server  Proof{HMAC(k, "client" | clientNonce | serverNonce | ordinals)}
 * </pre>
 * Each side proves it knows the secret over both sides' fresh random nonces, so a recorded handshake cannot be
 * replayed, and the client checks the server's proof before it sends anything else. A connection that does not
 * complete the handshake within {@link #TIMEOUT}, or sends anything else first, is closed; until it completes
 * frames larger than {@link #MAX_FRAME_BYTES} are refused before they are buffered.
 */
public final class Handshake {
    /** How long a connection may take to authenticate. */
    public static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** The largest frame read before the handshake completed. */
    public static final int MAX_FRAME_BYTES = 1024;
    static final int NONCE_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key;

    public Handshake(ClusterSecret secret) {
        this.key = secret.derive("runnel-cluster-channel");
    }

    static byte[] nonce() {
        byte[] n = new byte[NONCE_BYTES];
        RANDOM.nextBytes(n);
        return n;
    }

    byte[] serverProof(byte[] clientNonce, byte[] serverNonce, int client, int server) {
        return proof("server", clientNonce, serverNonce, client, server);
    }

    byte[] clientProof(byte[] clientNonce, byte[] serverNonce, int client, int server) {
        return proof("client", clientNonce, serverNonce, client, server);
    }

    private byte[] proof(String role, byte[] clientNonce, byte[] serverNonce, int client, int server) {
        byte[] ordinals = ByteBuffer.allocate(8).putInt(client).putInt(server).array();
        return ClusterSecret.hmac(key, role.getBytes(StandardCharsets.US_ASCII), clientNonce, serverNonce, ordinals);
    }

    static boolean validNonce(byte[] nonce) {
        return nonce != null && nonce.length == NONCE_BYTES;
    }
}
