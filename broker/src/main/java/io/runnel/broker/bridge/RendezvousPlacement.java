package io.runnel.broker.bridge;

import io.runnel.discovery.Cluster;
import io.runnel.discovery.ClusterState;
import io.runnel.discovery.Murmur3;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/*
 * Highest random weight: each live broker scores hash(name, broker) and the highest wins. A broker that
 * leaves moves only the bridges it won, each to the runner-up, and one that comes back takes exactly
 * those back. A broker whose view holds no majority of the cluster runs nothing: it may be the cut-off
 * side of a partition, where the majority side has already placed its bridges elsewhere.
 */

/** {@link BridgePlacement} by rendezvous hashing over the live brokers of this broker's view. */
public final class RendezvousPlacement implements BridgePlacement {
    private final Cluster cluster;

    public RendezvousPlacement(Cluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public int self() {
        return cluster.ordinal();
    }

    @Override
    public int owner(String bridgeName) {
        return owner(bridgeName, cluster.state());
    }

    /** The owner of {@code bridgeName} under {@code state}, or {@link #NOBODY} without a majority in view. */
    static int owner(String bridgeName, ClusterState state) {
        Set<Integer> live = state.live();
        if (live.size() * 2 <= state.brokers()) {
            return NOBODY;
        }
        int best = NOBODY;
        long bestScore = 0;
        for (int b : live) {
            long score = score(bridgeName, b);
            if (best == NOBODY || Long.compareUnsigned(score, bestScore) > 0) {
                best = b;
                bestScore = score;
            }
        }
        return best;
    }

    static long score(String bridgeName, int broker) {
        byte[] bytes = (bridgeName + "\u0000" + broker).getBytes(StandardCharsets.UTF_8);
        return Murmur3.hash64(bytes, 0, bytes.length);
    }
}
