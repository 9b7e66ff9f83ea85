package io.runnel.broker.cluster;

import io.runnel.broker.cluster.transport.PeerClient;
import io.runnel.discovery.Cluster;
import io.runnel.discovery.TokenRing;
import io.runnel.storage.LogStore;
import java.util.Map;

/**
 * What every range's replication shares: this broker, its store and topics, the cluster metadata and
 * the connections to the peers.
 *
 * @param peers     the connection to each other broker, by ordinal
 * @param watermark told when a partition's high watermark advances on this broker as leader
 * @param offsetsReplicated given each chunk of {@link OffsetTopic} this broker appended as follower
 *                          (on the range's thread)
 */
record ReplicationContext(int self, TokenRing ring, LogStore store, TopicDirectory topics, Cluster cluster,
                          Map<Integer, PeerClient> peers, ClusterSettings settings, HighWatermarkListener watermark,
                          java.util.function.Consumer<byte[]> offsetsReplicated) {

    PeerClient peer(int broker) {
        return peers.get(broker);
    }

    boolean connected(int broker) {
        PeerClient p = peers.get(broker);
        return p != null && p.connected();
    }
}
