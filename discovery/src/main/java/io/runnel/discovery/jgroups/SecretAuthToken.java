package io.runnel.discovery.jgroups;

import io.runnel.discovery.ClusterSecret;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.auth.AuthToken;

/**
 * JGroups {@code AUTH} token of a Runnel cluster: a joining or merging member sends HMAC-SHA256 of its own address
 * under a key derived from the cluster secret; the coordinator recomputes it for the sender's address and admits
 * only a match (compared in constant time). A process without the secret cannot produce it, and a token seen on
 * the wire names one member's address only (and every message is encrypted anyway, {@code SYM_ENCRYPT}).
 *
 * <p>JGroups instantiates tokens read off the wire with the no-argument constructor: such a token only carries
 * a proof; the local token, made with the key, checks it.
 */
public final class SecretAuthToken extends AuthToken {
    private byte[] key;
    private byte[] proof;

    /** For JGroups, to read a token off the wire. */
    public SecretAuthToken() {
    }

    SecretAuthToken(byte[] key) {
        this.key = key.clone();
    }

    static SecretAuthToken of(ClusterSecret secret) {
        return new SecretAuthToken(secret.derive("runnel-jgroups-auth"));
    }

    @Override
    public String getName() {
        return SecretAuthToken.class.getName();
    }

    @Override
    public int size() {
        return 4 + 32;
    }

    private static byte[] proof(byte[] key, Address address) {
        return ClusterSecret.hmac(key, String.valueOf(address).getBytes(StandardCharsets.UTF_8));
    }

    /** This member's address: the channel's (AUTH does not track it itself). */
    private Address localAddress() {
        Address own = auth.getAddress();
        if (own == null && auth.getProtocolStack() != null && auth.getProtocolStack().getChannel() != null) {
            own = auth.getProtocolStack().getChannel().getAddress();
        }
        return own;
    }

    @Override
    public boolean authenticate(AuthToken token, Message msg) {
        if (key == null || !(token instanceof SecretAuthToken remote) || msg.getSrc() == null) {
            return false;
        }
        return ClusterSecret.same(remote.presentedProof(), proof(key, msg.getSrc()));
    }

    /**
     * The proof this token carries: read off the wire, or, for a token that never was serialized (a message a
     * member sends itself, such as a merge leader's MERGE_REQ to itself, is delivered without being written),
     * the proof of its own member. Only a token made with the key can do the latter, and a token read off the wire
     * never has the key.
     */
    private byte[] presentedProof() {
        if (proof != null) {
            return proof;
        }
        if (key == null || auth == null) {
            return null;
        }
        Address own = localAddress();
        return own == null ? null : proof(key, own);
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        byte[] p = key == null || auth == null ? new byte[0] : proof(key, localAddress());
        out.writeInt(p.length);
        out.write(p);
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 64) {
            throw new IOException("an auth proof of " + n + " bytes");
        }
        proof = new byte[n];
        in.readFully(proof);
    }
}
