package io.runnel.discovery.jgroups;

import io.runnel.discovery.Cluster;
import io.runnel.discovery.ClusterConfig;
import io.runnel.discovery.ClusterSecret;
import io.runnel.discovery.ClusterState;

import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/** N real brokers' clusters in one JVM, broker i on 127.0.0.(i+1), each with its own raft directory. */
final class LoopbackCluster implements AutoCloseable {
    static final Duration FAILURE_TIMEOUT = Duration.ofMillis(1000);
    static final ClusterSecret SECRET = ClusterSecret.of("loopback cluster secret, 32 bytes");

    private final List<ClusterConfig> configs = new ArrayList<>();
    private final JGroupsCluster[] nodes;

    LoopbackCluster(int brokers, int rangesPerBroker, Path dir) {
        List<String> members = new ArrayList<>();
        for (int i = 0; i < brokers; i++) {
            String host = "127.0.0." + (i + 1);
            members.add(host + ":" + freePort(host));
        }
        String name = "runnel-test-" + Long.toHexString(System.nanoTime());
        for (int i = 0; i < brokers; i++) {
            configs.add(new ClusterConfig(i, members, null, name, dir.resolve("raft-" + i), rangesPerBroker,
                    FAILURE_TIMEOUT, SECRET));
        }
        nodes = new JGroupsCluster[brokers];
    }

    /** Starts every broker that is not running, concurrently (a thread each), as the pods of a StatefulSet do. */
    LoopbackCluster startAll() {
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] == null) {
                int b = i;
                CompletableFuture<Void> f = new CompletableFuture<>();
                Thread.ofPlatform().name("start-broker-" + b).start(() -> {
                    try {
                        start(b);
                        f.complete(null);
                    } catch (Throwable t) {
                        f.completeExceptionally(t);
                    }
                });
                starts.add(f);
            }
        }
        starts.forEach(f -> f.orTimeout(30, TimeUnit.SECONDS).join());
        return this;
    }

    /** Starts the brokers one after the other, each once the previous one is connected. */
    LoopbackCluster startOneByOne() {
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] == null) {
                start(i);
            }
        }
        return this;
    }

    JGroupsCluster start(int broker) {
        return start(broker, SECRET);
    }

    /** Starts broker {@code broker} with {@code secret} (another one than the others' to play an impostor). */
    JGroupsCluster start(int broker, ClusterSecret secret) {
        ClusterConfig c0 = configs.get(broker);
        JGroupsCluster c = (JGroupsCluster) Cluster.start(new ClusterConfig(c0.ordinal(), c0.members(), c0.bindAddress(),
                c0.clusterName(), c0.raftDir(), c0.rangesPerBroker(), c0.failureTimeout(), secret));
        synchronized (this) {
            nodes[broker] = c;
        }
        return c;
    }

    synchronized JGroupsCluster node(int broker) {
        JGroupsCluster c = nodes[broker];
        if (c == null) {
            throw new IllegalStateException("broker " + broker + " is not running");
        }
        return c;
    }

    synchronized List<JGroupsCluster> running() {
        List<JGroupsCluster> out = new ArrayList<>();
        for (JGroupsCluster c : nodes) {
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    /** The running broker that is the raft leader, or -1. */
    synchronized int raftLeader() {
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] != null && nodes[i].isRaftLeader()) {
                return i;
            }
        }
        return -1;
    }

    /** Whether every running broker is ready and sees the same metadata and the same live set. */
    boolean converged() {
        List<JGroupsCluster> up = running();
        if (up.isEmpty() || !up.stream().allMatch(JGroupsCluster::ready)) {
            return false;
        }
        ClusterState first = up.getFirst().state();
        return up.stream().map(JGroupsCluster::state).allMatch(first::equals);
    }

    /** Fails with every broker's view of the cluster unless {@link #converged()}. */
    void assertConverged() {
        if (!converged()) {
            StringBuilder sb = new StringBuilder("brokers disagree or are not ready:");
            for (JGroupsCluster c : running()) {
                sb.append("\n  ").append(c).append(" ready=").append(c.ready())
                        .append(" raftLeader=").append(c.raftHandle().leader())
                        .append(" view=").append(c.channel().getView())
                        .append(" raft=").append(c.raftHandle().raft())
                        .append(" commitTable=").append(c.raftHandle().raft().dumpCommitTable().replace('\n', ';'))
                        .append(" resends=").append((Object) c.raftHandle().raft().getValue("num_resends"))
                        .append(" okAppends=").append((Object) c.raftHandle().raft().getValue("num_successful_append_requests"))
                        .append(" notFound=").append((Object) c.raftHandle().raft().getValue("num_failed_append_requests_not_found"))
                        .append(" wrongTerm=").append((Object) c.raftHandle().raft().getValue("num_failed_append_requests_wrong_term"))
                        .append(" queue=").append(c.raftHandle().raft().processingQueueSize())
                        .append(" role=").append(c.raftHandle().raft().role())
                        .append(" firstAppended=").append(c.raftHandle().raft().log().firstAppended())
                        .append(" state=").append(c.state());
            }
            throw new AssertionError(sb.toString());
        }
    }

    /** Stops every running broker at the same instant, as a power cut would. */
    void crashAll() {
        crash(running().stream().mapToInt(JGroupsCluster::ordinal).toArray());
    }

    /**
     * Kills brokers at the same instant, without a goodbye: first every message they would send or receive is
     * dropped, all of them together (so the others cannot react to one before the next is gone), then their
     * sockets close. The others notice through FD_SOCK2 (closed sockets), as with killed processes.
     */
    void crash(int... brokers) {
        List<JGroupsCluster> victims = new ArrayList<>();
        synchronized (this) {
            for (int b : brokers) {
                victims.add(node(b));
                nodes[b] = null;
            }
        }
        for (JGroupsCluster c : victims) {
            try {
                c.channel().stack().insertProtocol(new DISCARD().discardAll(true), ProtocolStack.Position.ABOVE,
                        TP.class);
            } catch (Exception e) {
                throw new IllegalStateException("cannot crash " + c, e);
            }
        }
        victims.forEach(JGroupsCluster::close);
    }

    /** A graceful stop (JGroups leave). */
    void stop(int broker) {
        JGroupsCluster c;
        synchronized (this) {
            c = nodes[broker];
            nodes[broker] = null;
        }
        c.close();
    }

    int size() {
        return nodes.length;
    }

    @Override
    public void close() {
        IntStream.range(0, nodes.length).forEach(i -> {
            if (nodes[i] != null) {
                stop(i);
            }
        });
    }

    /**
     * A port free on {@code host}, drawn below the kernel's ephemeral range (32768+): a port from bind(0)
     * may be taken by an outgoing connection's local end before JGroups binds it.
     */
    private static int freePort(String host) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(10_000, 32_000);
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName(host))) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new UncheckedIOException(new IOException("no free port below 32000 on " + host));
    }
}
