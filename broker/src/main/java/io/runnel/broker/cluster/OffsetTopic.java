package io.runnel.broker.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runnel.broker.consume.OffsetCommit;
import io.runnel.storage.Chunk;
import io.runnel.storage.ChunkBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The internal topic {@code __consumer_offsets}: a group's commit for partition {@code p} of any topic is
 * a record in partition {@code p} of this topic, so it has the same leader and replicas as the data it
 * points into and goes through the same replicated append (acknowledged once durable on the ISR, a
 * majority). Followers apply every record they append to their local committed offsets, so a new leader
 * already knows every acknowledged commit.
 *
 * <p>Record value: JSON {@code {"group","topic","partition","offset","seek"}}. Clients never see the
 * topic: producers and consumers are refused names starting with {@code __}.
 */
public final class OffsetTopic {
    /** The internal topic's name. */
    public static final String NAME = "__consumer_offsets";
    private static final ObjectMapper JSON = new ObjectMapper();

    private OffsetTopic() {
    }

    /** One chunk holding {@code commits} (all of one partition), stamped {@code timestamp}. */
    static byte[] encode(List<OffsetCommit> commits, long timestamp) {
        ChunkBuilder builder = new ChunkBuilder(64 * commits.size() + 64);
        for (OffsetCommit c : commits) {
            ObjectNode node = JSON.createObjectNode()
                    .put("group", c.group())
                    .put("topic", c.topic())
                    .put("partition", c.partition())
                    .put("offset", c.offset())
                    .put("seek", c.seek());
            byte[] value;
            try {
                value = JSON.writeValueAsBytes(node);
            } catch (IOException e) {
                throw new IllegalStateException("cannot encode " + c, e);
            }
            builder.add(value, 0, value.length, timestamp);
        }
        return builder.build();
    }

    /** The commits of a chunk of this topic, in order; records that do not parse are skipped. */
    static List<OffsetCommit> decode(byte[] chunk) {
        List<OffsetCommit> out = new ArrayList<>();
        Chunk.RecordCursor cursor = Chunk.wrap(chunk).cursor();
        while (cursor.next()) {
            try {
                JsonNode n = JSON.readTree(cursor.array(), cursor.valueOffset(), cursor.valueLength());
                out.add(new OffsetCommit(n.path("group").asText(), n.path("topic").asText(), n.path("partition").asInt(),
                        n.path("offset").asLong(), n.path("seek").asBoolean()));
            } catch (IOException | RuntimeException e) {
                // Not ours to fail replication over: the log keeps the bytes, the offset is just not applied.
                org.slf4j.LoggerFactory.getLogger(OffsetTopic.class).warn("skipping an unreadable offset record: {}", e.toString());
            }
        }
        return out;
    }
}
