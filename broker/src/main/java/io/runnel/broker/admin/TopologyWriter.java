package io.runnel.broker.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import io.runnel.broker.node.Topology;
import io.runnel.discovery.Generation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The document of {@code GET /v1/topology}, from a {@link Topology}:
 * <pre>{"self":0,"ready":true,
 *  "brokers":[{"ordinal":0,"host":"runnel-0","live":true},...],
 *  "ranges":[{"range":0,"version":3,"leader":0,"replicas":[0,1,2],"isr":[0,1],
 *             "partitions":[{"partition":0,"token":"-9223372036854775808","highWatermark":10,"logEnd":12,
 *                            "topics":[{"topic":"orders","highWatermark":10,"logEnd":12}]},...]},...]}</pre>
 * Offsets appear only for the ranges whose replica set holds this broker.
 */
final class TopologyWriter {
    private TopologyWriter() {
    }

    static void write(JsonGenerator json, Topology t) throws IOException {
        json.writeStartObject();
        json.writeNumberField("self", t.self());
        json.writeBooleanField("ready", t.ready());
        json.writeArrayFieldStart("brokers");
        for (Topology.Broker b : t.brokers()) {
            json.writeStartObject();
            json.writeNumberField("ordinal", b.ordinal());
            json.writeStringField("host", b.host());
            json.writeBooleanField("live", b.live());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeArrayFieldStart("ranges");
        for (Topology.Range r : t.ranges()) {
            Generation g = r.generation();
            json.writeStartObject();
            json.writeNumberField("range", r.range());
            if (g != null) {
                json.writeNumberField("version", g.version());
                json.writeNumberField("leader", g.leader());
                writeInts(json, "replicas", g.replicas());
                writeInts(json, "isr", new ArrayList<>(g.isr()));
            }
            json.writeArrayFieldStart("partitions");
            for (Topology.Partition p : r.partitions()) {
                json.writeStartObject();
                json.writeNumberField("partition", p.partition());
                json.writeStringField("token", Long.toString(p.token()));
                if (p.held()) {
                    json.writeNumberField("highWatermark", p.highWatermark());
                    json.writeNumberField("logEnd", p.logEnd());
                    json.writeArrayFieldStart("topics");
                    for (Topology.TopicOffsets o : p.topics()) {
                        json.writeStartObject();
                        json.writeStringField("topic", o.topic());
                        json.writeNumberField("highWatermark", o.highWatermark());
                        json.writeNumberField("logEnd", o.logEnd());
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
