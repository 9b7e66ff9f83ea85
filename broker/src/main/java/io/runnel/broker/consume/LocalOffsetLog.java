package io.runnel.broker.consume;

import io.runnel.broker.common.Errors;
import io.runnel.storage.LogStore;
import io.runnel.storage.OffsetKey;
import io.runnel.storage.TopicInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A single broker's committed offsets: straight into its store (group-committed and fsynced with everything else). */
public final class LocalOffsetLog implements OffsetLog {
    private final LogStore store;

    public LocalOffsetLog(LogStore store) {
        this.store = store;
    }

    @Override
    public CompletableFuture<Void> commit(List<OffsetCommit> commits) {
        if (commits.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        Map<OffsetKey, Long> batch = new HashMap<>();
        for (OffsetCommit c : commits) {
            TopicInfo topic = store.topic(c.topic()).orElse(null);
            if (topic == null) {
                return CompletableFuture.failedFuture(Errors.UNKNOWN_TOPIC.exception("no topic '" + c.topic() + "'"));
            }
            batch.put(new OffsetKey(c.group(), topic.id(), c.partition()), c.offset());
        }
        try {
            return store.commitOffsets(batch);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
