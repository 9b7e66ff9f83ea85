package io.runnel.broker.bridge;

import io.runnel.storage.LogStore;
import io.runnel.storage.OffsetKey;
import io.runnel.storage.PartitionState;
import io.runnel.storage.TopicInfo;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.IntSupplier;

/**
 * {@link RunnelLag} from this broker's store: per partition, the log end offset minus the group's
 * committed offset (the log start offset when it has none), summed. With one broker the log end is
 * the high watermark; in a cluster this must read the high watermark of the partitions this broker
 * leads, and the committed offsets wherever the consumer-group design keeps them.
 */
public final class StoreLag implements RunnelLag {
    private final LogStore store;
    private final IntSupplier partitions;

    /** @param partitions the number of partitions of every topic */
    public StoreLag(LogStore store, IntSupplier partitions) {
        this.store = store;
        this.partitions = partitions;
    }

    @Override
    public long lag(String group, String topic) {
        Optional<TopicInfo> info = store.topic(topic);
        if (info.isEmpty()) {
            return 0;
        }
        int id = info.get().id();
        long lag = 0;
        for (int p = 0, n = partitions.getAsInt(); p < n; p++) {
            PartitionState state = store.state(id, p);
            OptionalLong committed = store.committedOffset(new OffsetKey(group, id, p));
            long from = Math.max(state.logStartOffset(), committed.orElse(state.logStartOffset()));
            lag += Math.max(0, state.logEndOffset() - from);
        }
        return lag;
    }
}
