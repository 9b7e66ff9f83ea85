package io.runnel.discovery.jgroups;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.discovery.ClusterSecret;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.protocols.AUTH;
import org.jgroups.util.NameCache;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.Test;

class SecretAuthTokenTest {
    private static final ClusterSecret SECRET = ClusterSecret.of("a secret of at least sixteen bytes");

    /** A member's token, as RunnelStack sets it up, with the member's address. */
    private static SecretAuthToken member(Address address, ClusterSecret secret) {
        SecretAuthToken token = SecretAuthToken.of(secret);
        AUTH auth = new AUTH().setAuthToken(token);
        auth.setAddress(address);
        token.setAuth(auth);
        return token;
    }

    private static SecretAuthToken overTheWire(SecretAuthToken sent) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        sent.writeTo(new DataOutputStream(bytes));
        SecretAuthToken read = new SecretAuthToken();
        read.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        return read;
    }

    private static BytesMessage from(Address src) {
        return (BytesMessage) new BytesMessage().setSrc(src);
    }

    @Test
    void aMemberWithTheSecretIsAdmittedAndNoOtherIs() throws Exception {
        Address coordinator = UUID.randomUUID();
        Address joiner = UUID.randomUUID();
        NameCache.add(coordinator, "broker-1");
        NameCache.add(joiner, "broker-0");
        SecretAuthToken checker = member(coordinator, SECRET);

        assertThat(checker.authenticate(overTheWire(member(joiner, SECRET)), from(joiner))).isTrue();
        assertThat(checker.authenticate(overTheWire(member(joiner, ClusterSecret.of("another secret, sixteen+"))), from(joiner)))
                .as("another secret").isFalse();
        Address other = UUID.randomUUID();
        NameCache.add(other, "broker-2");
        assertThat(checker.authenticate(overTheWire(member(joiner, SECRET)), from(other)))
                .as("a proof replayed by another address").isFalse();
        assertThat(checker.authenticate(new SecretAuthToken(), from(joiner))).as("no proof").isFalse();
    }

    @Test
    void aMessageToItselfIsAdmittedUnserialized() {
        // A merge leader's MERGE_REQ to itself is delivered without being written: the token is its own.
        Address leader = UUID.randomUUID();
        NameCache.add(leader, "broker-1");
        SecretAuthToken own = member(leader, SECRET);
        assertThat(own.authenticate(own, from(leader))).isTrue();
    }
}
