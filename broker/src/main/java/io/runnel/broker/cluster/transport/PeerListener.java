package io.runnel.broker.cluster.transport;

/**
 * Told what happens on this broker's connection to one peer. Called on that connection's event loop:
 * implementations hand the work to their own threads and return.
 */
public interface PeerListener {

    /** The connection is up (the {@link ClusterMessage.Hello} is on its way). */
    void onConnected(int peer);

    /** The connection is gone; frames sent on it may or may not have arrived. It reconnects by itself. */
    void onDisconnected(int peer);

    /** A frame from the peer that answers no pending {@link PeerClient#request} (a {@link ClusterMessage.ReplicateAck}). */
    void onMessage(int peer, ClusterMessage message);
}
