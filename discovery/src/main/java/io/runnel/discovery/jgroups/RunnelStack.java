package io.runnel.discovery.jgroups;

import io.runnel.discovery.ClusterConfig;

import javax.crypto.spec.SecretKeySpec;
import org.jgroups.protocols.AUTH;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.protocols.raft.ELECTION;
import org.jgroups.protocols.raft.NO_DUPES;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.REDIRECT;
import org.jgroups.stack.Protocol;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/*
 * The stack measured on loopback (shared NOTES: "JGroups on loopback"): TCP with static discovery, fast failure
 * detection (a closed socket is noticed at once by FD_SOCK2, a silent member after failureTimeout by FD_ALL3),
 * then the raft protocols on top. Built in code, no XML. Protocol instances must not be reused after a channel
 * closes, so every channel gets a fresh list.
 */

/** Builds the JGroups protocol stack of one broker, bottom (transport) first. */
final class RunnelStack {
    static final String RAFT_ID_PREFIX = "broker-";

    private RunnelStack() {
    }

    static String raftId(int ordinal) {
        return RAFT_ID_PREFIX + ordinal;
    }

    /** The ordinal in a raft id or logical name {@code broker-<n>}, or -1. */
    static int ordinalOf(String raftId) {
        if (raftId == null || !raftId.startsWith(RAFT_ID_PREFIX)) {
            return -1;
        }
        try {
            return Integer.parseInt(raftId.substring(RAFT_ID_PREFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static List<Protocol> protocols(ClusterConfig config) throws UnknownHostException {
        InetAddress bind = InetAddress.getByName(config.bindAddress());
        InetSocketAddress own = config.endpoint(config.ordinal());
        long failureTimeout = config.failureTimeout().toMillis();

        TCP tcp = new TCP();
        tcp.setBindAddress(bind);
        tcp.setBindPort(own.getPort());
        tcp.setPortRange(0);
        // Outgoing connections leave from the own address too, so per-broker network rules match.
        tcp.setClientBindAddr(bind);

        // initial_hosts as a string: hosts that do not resolve yet (pods not started) are retried later.
        StringBuilder hosts = new StringBuilder();
        for (int i = 0; i < config.brokers(); i++) {
            InetSocketAddress e = config.endpoint(i);
            if (!hosts.isEmpty()) {
                hosts.append(',');
            }
            hosts.append(e.getHostString()).append('[').append(e.getPort()).append(']');
        }
        TCPPING ping = new TCPPING();
        ping.setValue("initial_hosts_str", hosts.toString());
        ping.setPortRange(0);

        List<String> raftMembers = new ArrayList<>();
        for (int i = 0; i < config.brokers(); i++) {
            raftMembers.add(raftId(i));
        }
        RAFT raft = new RAFT()
                .raftId(raftId(config.ordinal()))
                .members(raftMembers)
                .logDir(config.raftDir().toAbsolutePath().toString())
                // Metadata changes are rare and must survive power loss: fsync the raft log.
                .logUseFsync(true)
                // Not send_commits_immediately: in jgroups-raft 1.1.0 a follower that lacks entries answers the
                // empty commit message with OK, which triggers another commit message, forever; the storm keeps
                // RAFT's queue busy so the resend that would catch the follower up never runs. Followers learn
                // the commit index from the next resend instead, hence a short resend interval.
                .resendInterval(150);
        raft.logClass("org.jgroups.protocols.raft.FileBasedLog");

        FD_SOCK2 fdSock = new FD_SOCK2();
        fdSock.setBindAddress(bind);

        GMS gms = new GMS();
        gms.setJoinTimeout(1000);
        gms.printLocalAddress(false);

        // Every message above the transport is encrypted with a key derived from the cluster secret, and joins and
        // merges must carry its HMAC proof: a process without the secret can neither join, read nor inject.
        SYM_ENCRYPT encrypt = new SYM_ENCRYPT();
        encrypt.symAlgorithm("AES/CBC/PKCS5Padding");
        encrypt.symIvLength(16);
        encrypt.setSecretKey(new SecretKeySpec(config.secret().derive("runnel-jgroups-encrypt"), 0, 16, "AES"));
        SecretAuthToken token = SecretAuthToken.of(config.secret());
        AUTH auth = new AUTH().setAuthToken(token);
        token.setAuth(auth); // setAuthToken does not (only the auth_class property does)
        auth.setAuthCoord(true);

        List<Protocol> stack = new ArrayList<>();
        stack.add(tcp);
        stack.add(encrypt);
        stack.add(ping);
        stack.add(new MERGE3().setMinInterval(500).setMaxInterval(1500));
        stack.add(fdSock);
        stack.add(new FD_ALL3().setTimeout(failureTimeout).setInterval(Math.min(500, failureTimeout / 3)));
        stack.add(new VERIFY_SUSPECT2().setTimeout(100));
        stack.add(new NAKACK2());
        stack.add(new UNICAST3());
        stack.add(new STABLE());
        stack.add(new NO_DUPES());
        stack.add(auth);
        stack.add(gms);
        stack.add(new UFC());
        stack.add(new MFC());
        stack.add(new FRAG4());
        stack.add(new ELECTION());
        stack.add(raft);
        stack.add(new REDIRECT());
        return stack;
    }
}
