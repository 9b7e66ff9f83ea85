package io.runnel.broker.cluster;

import io.runnel.broker.cluster.transport.ClusterMessage;
import io.runnel.broker.cluster.transport.Handshake;
import io.runnel.broker.cluster.transport.PeerChannel;
import io.runnel.broker.cluster.transport.PeerClient;
import io.runnel.broker.cluster.transport.PeerListener;
import io.runnel.broker.netty.NettyTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * This broker's client connection to every other broker's cluster port, each connecting from this broker's own
 * address (so that per-address firewall rules cut exactly one link). Connection events go to the listener set
 * with {@link #listen} (the replicas). Thread-safe.
 */
final class Peers implements PeerListener, AutoCloseable {
    private final Map<Integer, PeerClient> clients;
    private volatile PeerListener listener;

    Peers(ClusterSettings settings, NettyTransport transport) {
        String source = sourceAddress(settings.bindAddress());
        Handshake handshake = new Handshake(settings.secret());
        Map<Integer, PeerClient> all = new HashMap<>();
        for (int b = 0; b < settings.brokers(); b++) {
            if (b != settings.ordinal()) {
                all.put(b, new PeerClient(transport, handshake, settings.ordinal(), b,
                        new InetSocketAddress(settings.hosts().get(b), settings.clusterPort()), source, settings.tls(),
                        settings.maxFrameBytes(), this));
            }
        }
        this.clients = Map.copyOf(all);
    }

    /** Sends connection events and unsolicited frames to {@code target} from now on. */
    void listen(PeerListener target) {
        this.listener = target;
    }

    /** Starts connecting to every peer (returns at once). */
    void start() {
        clients.values().forEach(PeerClient::start);
    }

    /** Every peer's channel, by ordinal. */
    Map<Integer, ? extends PeerChannel> all() {
        return clients;
    }

    /** The channel to {@code broker}, or {@code null} for this broker or an ordinal outside the cluster. */
    PeerChannel get(int broker) {
        return clients.get(broker);
    }

    boolean connected(int broker) {
        PeerClient p = clients.get(broker);
        return p != null && p.connected();
    }

    /**
     * Fails the requests waiting on peers that left the view: a paused process keeps its sockets open, so its
     * answers may never come, and a producer should hear so now and retry on the new leader.
     */
    void onView(Set<Integer> live) {
        clients.forEach((broker, peer) -> {
            if (!live.contains(broker)) {
                peer.failPending("broker " + broker + " left the cluster view");
            }
        });
    }

    @Override
    public void onConnected(int peer) {
        PeerListener l = listener;
        if (l != null) {
            l.onConnected(peer);
        }
    }

    @Override
    public void onDisconnected(int peer) {
        PeerListener l = listener;
        if (l != null) {
            l.onDisconnected(peer);
        }
    }

    @Override
    public void onMessage(int peer, ClusterMessage message) {
        PeerListener l = listener;
        if (l != null) {
            l.onMessage(peer, message);
        }
    }

    @Override
    public void close() {
        clients.values().forEach(PeerClient::close);
    }

    /** The address peer connections come from: the bind address, unless that is a wildcard. */
    private static String sourceAddress(String bindAddress) {
        try {
            return InetAddress.getByName(bindAddress).isAnyLocalAddress() ? null : bindAddress;
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
