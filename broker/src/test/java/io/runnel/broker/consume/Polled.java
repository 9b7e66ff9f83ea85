package io.runnel.broker.consume;

import io.runnel.storage.Chunk;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** One event of a poll answer, decoded for assertions. */
record Polled(String topic, int partition, long offset, String value) {

    static List<Polled> of(PollResult result) {
        List<Polled> out = new ArrayList<>();
        for (PartitionBatch b : result.batches()) {
            for (Chunk c : b.chunks()) {
                Chunk.RecordCursor cur = c.cursor();
                while (cur.next()) {
                    if (cur.offset() >= b.startOffset() && cur.offset() < b.nextOffset()) {
                        out.add(new Polled(b.topic(), b.partition(), cur.offset(),
                                new String(cur.array(), cur.valueOffset(), cur.valueLength(), StandardCharsets.UTF_8)));
                    }
                }
            }
        }
        return out;
    }

    static List<String> values(PollResult result) {
        return of(result).stream().map(Polled::value).toList();
    }
}
