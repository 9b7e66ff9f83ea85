package io.runnel.broker.consume;

import io.runnel.discovery.ClusterState;
import io.runnel.discovery.Generation;
import io.runnel.discovery.TokenRing;
import java.util.List;
import java.util.StringJoiner;
import java.util.TreeSet;

/**
 * Where a consumer's assigned partitions are led, as a poll answer tells its client: the broker that answered
 * and the brokers (ordinals, as indexes into {@code GET /v1/brokers} {@code names}) that lead at least one of the
 * consumer's partitions by the metadata. A client that polls every broker uses it to poll a broker that leads
 * none of its partitions only now and then (that broker answers such a poll at once instead of holding it).
 *
 * @param broker  the ordinal of the broker that answered, or {@code -1} when unknown
 * @param leaders the leaders of the consumer's partitions, ascending; partitions without a leader are left out
 */
public record PartitionLeaders(int broker, List<Integer> leaders) {
    /** Nothing known (an answer assembled from several brokers, or a closing service). */
    public static final PartitionLeaders UNKNOWN = new PartitionLeaders(-1, List.of());

    /** Response header naming the broker that answered a poll. */
    public static final String BROKER_HEADER = "Runnel-Broker";
    /** Response header naming the brokers that lead the consumer's partitions, e.g. {@code 0,2}. */
    public static final String LEADERS_HEADER = "Runnel-Partition-Leaders";

    public PartitionLeaders {
        leaders = List.copyOf(leaders);
    }

    /** The leaders of {@code assigned} in {@code state}, seen from broker {@code self}. */
    static PartitionLeaders of(int self, List<TopicPartition> assigned, TokenRing ring, ClusterState state) {
        TreeSet<Integer> leaders = new TreeSet<>();
        for (TopicPartition tp : assigned) {
            Generation g = state.generation(ring.rangeOf(tp.partition()));
            if (g != null) {
                leaders.add(g.leader());
            }
        }
        return new PartitionLeaders(self, List.copyOf(leaders));
    }

    public boolean known() {
        return broker >= 0;
    }

    /** Whether the answering broker leads at least one of the partitions. */
    public boolean answeringBrokerLeads() {
        return leaders.contains(broker);
    }

    /** The {@link #LEADERS_HEADER} value: the ordinals, comma-separated (empty when none is known). */
    public String headerValue() {
        StringJoiner j = new StringJoiner(",");
        for (int l : leaders) {
            j.add(Integer.toString(l));
        }
        return j.toString();
    }
}
