package io.runnel.broker;

import io.runnel.storage.AppendResult;
import io.runnel.storage.LogStore;
import io.runnel.storage.OffsetKey;
import io.runnel.storage.PartitionState;
import io.runnel.storage.ReadResult;
import io.runnel.storage.StorageException;
import io.runnel.storage.TopicConfig;
import io.runnel.storage.TopicInfo;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/** The real store with one injected fault: appends can be made to fail as a failed disk would. */
final class FaultyLogStore implements LogStore {
    private final LogStore delegate;
    volatile boolean failAppends;

    FaultyLogStore(LogStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public CompletableFuture<AppendResult> append(int topicId, int partition, int generation, byte[] chunk) {
        if (failAppends) {
            return CompletableFuture.failedFuture(new StorageException("injected: disk gone"));
        }
        return delegate.append(topicId, partition, generation, chunk);
    }

    @Override
    public TopicInfo ensureTopic(String name, TopicConfig config) {
        return delegate.ensureTopic(name, config);
    }

    @Override
    public Optional<TopicInfo> topic(String name) {
        return delegate.topic(name);
    }

    @Override
    public Collection<TopicInfo> topics() {
        return delegate.topics();
    }

    @Override
    public ReadResult read(int topicId, int partition, long fromOffset, int maxBytes) {
        return delegate.read(topicId, partition, fromOffset, maxBytes);
    }

    @Override
    public long offsetForTimestamp(int topicId, int partition, long timestamp) {
        return delegate.offsetForTimestamp(topicId, partition, timestamp);
    }

    @Override
    public PartitionState state(int topicId, int partition) {
        return delegate.state(topicId, partition);
    }

    @Override
    public CompletableFuture<Void> commitOffsets(Map<OffsetKey, Long> offsets) {
        return delegate.commitOffsets(offsets);
    }

    @Override
    public OptionalLong committedOffset(OffsetKey key) {
        return delegate.committedOffset(key);
    }

    @Override
    public Map<OffsetKey, Long> committedOffsets(String group) {
        return delegate.committedOffsets(group);
    }

    @Override
    public CompletableFuture<Void> applyRetention() {
        return delegate.applyRetention();
    }

    @Override
    public long corruptChunks() {
        return delegate.corruptChunks();
    }

    @Override
    public WriterStats writerStats() {
        return delegate.writerStats();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
