package io.runnel.broker.cluster;

import com.fasterxml.jackson.core.JsonGenerator;
import io.runnel.broker.http.Json;
import io.runnel.discovery.Cluster;
import io.runnel.discovery.ClusterState;
import io.runnel.discovery.Generation;
import io.runnel.discovery.TokenRing;
import io.runnel.storage.LogStore;
import io.runnel.storage.TopicInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.function.ToLongBiFunction;

/**
 * The document of {@code GET /v1/topology}:
 * <pre>{"self":0,"ready":true,
 *  "brokers":[{"ordinal":0,"host":"runnel-0","live":true},...],
 *  "ranges":[{"range":0,"version":3,"leader":0,"replicas":[0,1,2],"isr":[0,1],
 *             "partitions":[{"partition":0,"token":"-9223372036854775808","highWatermark":10,"logEnd":12,
 *                            "topics":[{"topic":"orders","highWatermark":10,"logEnd":12}]},...]},...]}</pre>
 * Offsets are this broker's view: its own log end, and the high watermark it leads or last learned
 * from the leader; they appear only for the ranges whose replica set holds this broker.
 */
public final class TopologyWriter {
    private TopologyWriter() {
    }

    /** The topology of a single broker: one range it leads, the high watermark is its durable end. */
    public static Json.Body singleBroker(Cluster cluster, String hostname, LogStore store) {
        return json -> write(json, 0, List.of(hostname), true, cluster.state(), cluster.ring(), store, store.topics(),
                range -> true, (topic, partition) -> store.topic(topic).map(t -> store.state(t.id(), partition).logEndOffset()).orElse(0L));
    }

    static void write(JsonGenerator json, int self, List<String> hosts, boolean ready, ClusterState state, TokenRing ring,
                      LogStore store, Collection<TopicInfo> topics, IntPredicate replicated,
                      ToLongBiFunction<String, Integer> highWatermark) throws IOException {
        json.writeStartObject();
        json.writeNumberField("self", self);
        json.writeBooleanField("ready", ready);
        json.writeArrayFieldStart("brokers");
        for (int b = 0; b < hosts.size(); b++) {
            json.writeStartObject();
            json.writeNumberField("ordinal", b);
            json.writeStringField("host", hosts.get(b));
            json.writeBooleanField("live", state.live().contains(b));
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeArrayFieldStart("ranges");
        for (int range = 0; range < ring.brokers(); range++) {
            Generation g = state.generation(range);
            json.writeStartObject();
            json.writeNumberField("range", range);
            if (g != null) {
                json.writeNumberField("version", g.version());
                json.writeNumberField("leader", g.leader());
                writeInts(json, "replicas", g.replicas());
                writeInts(json, "isr", new ArrayList<>(g.isr()));
            }
            json.writeArrayFieldStart("partitions");
            for (int p : ring.partitionsOfRange(range)) {
                json.writeStartObject();
                json.writeNumberField("partition", p);
                json.writeStringField("token", Long.toString(ring.startToken(p)));
                if (replicated.test(range)) {
                    long hwmSum = 0;
                    long endSum = 0;
                    List<long[]> perTopic = new ArrayList<>();
                    for (TopicInfo t : topics) {
                        long hwm = highWatermark.applyAsLong(t.name(), p);
                        long end = store.state(t.id(), p).logEndOffset();
                        hwmSum += hwm;
                        endSum += end;
                        perTopic.add(new long[] {hwm, end});
                    }
                    json.writeNumberField("highWatermark", hwmSum);
                    json.writeNumberField("logEnd", endSum);
                    json.writeArrayFieldStart("topics");
                    int i = 0;
                    for (TopicInfo t : topics) {
                        long[] o = perTopic.get(i++);
                        json.writeStartObject();
                        json.writeStringField("topic", t.name());
                        json.writeNumberField("highWatermark", o[0]);
                        json.writeNumberField("logEnd", o[1]);
                        json.writeEndObject();
                    }
                    json.writeEndArray();
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private static void writeInts(JsonGenerator json, String name, List<Integer> values) throws IOException {
        json.writeArrayFieldStart(name);
        for (int v : values) {
            json.writeNumber(v);
        }
        json.writeEndArray();
    }
}
