package io.runnel.broker.produce;

import io.runnel.storage.ChunkBuilder;
import io.runnel.storage.LogStore;
import io.runnel.storage.TopicConfig;
import io.runnel.storage.TopicInfo;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The write path of one broker: a validated batch becomes one chunk appended to one partition, through the
 * node's {@link PartitionAppender} (straight into the store on a single broker, replicated in a cluster).
 *
 * <p>{@link #produce} blocks while a new topic is created and copies the events into the chunk,
 * so it runs on a worker thread, never on an event loop. The returned future completes on the
 * storage writer thread or a range's thread once the chunk is durable.
 */
public final class ProduceService {
    private final LogStore store;
    private final PartitionChooser partitions;
    private final TopicConfig newTopicConfig;
    private final Clock clock;
    private final PartitionAppender appender;
    private final Consumer<String> onNewTopic;
    private final Consumer<String> admitNewTopic;
    private final Map<String, TopicInfo> topics = new ConcurrentHashMap<>();

    /**
     * @param onNewTopic told the name of each topic this service uses for the first time (the cluster adds it to
     *                   its metadata); must not block
     */
    public ProduceService(LogStore store, PartitionChooser partitions, TopicConfig newTopicConfig, Clock clock,
            PartitionAppender appender, Consumer<String> onNewTopic) {
        this(store, partitions, newTopicConfig, clock, appender, onNewTopic, name -> { });
    }

    /**
     * @param admitNewTopic asked before a topic the store does not have is created; throws a
     *                      {@link io.runnel.broker.common.RunnelException} ({@code limit_exceeded}) to refuse it
     */
    public ProduceService(LogStore store, PartitionChooser partitions, TopicConfig newTopicConfig, Clock clock,
            PartitionAppender appender, Consumer<String> onNewTopic, Consumer<String> admitNewTopic) {
        this.admitNewTopic = admitNewTopic;
        this.store = store;
        this.partitions = partitions;
        this.newTopicConfig = newTopicConfig;
        this.clock = clock;
        this.appender = appender;
        this.onNewTopic = onNewTopic;
    }

    /**
     * Where a batch was stored.
     *
     * @param offset offset of its first event
     * @param count  number of events
     */
    public record Produced(String topic, int partition, long offset, int count) {
    }

    /**
     * Appends {@code batch} to {@code topic} (created on first write) as one chunk.
     *
     * @param partitionKey the key of every event, or {@code null} (round robin)
     */
    public CompletableFuture<Produced> produce(String topic, String partitionKey, EventBatch batch) {
        TopicInfo info = topics.get(topic);
        if (info == null) {
            if (store.topic(topic).isEmpty()) {
                admitNewTopic.accept(topic);
            }
            info = topics.computeIfAbsent(topic, name -> store.ensureTopic(name, newTopicConfig));
            onNewTopic.accept(topic);
        }
        int partition = partitions.choose(partitionKey);
        byte[] chunk = encode(partitionKey, batch, clock.millis());
        return appender.append(info, partition, chunk)
                .thenApply(result -> new Produced(topic, partition, result.baseOffset(), result.count()));
    }

    /** One chunk of every event with the same key and timestamp. */
    static byte[] encode(String partitionKey, EventBatch batch, long timestamp) {
        byte[] key = partitionKey == null ? null : partitionKey.getBytes(StandardCharsets.UTF_8);
        int keyBytes = key == null ? 0 : key.length;
        long expected = batch.valueBytes() + (long) batch.count() * (12 + keyBytes);
        ChunkBuilder builder = new ChunkBuilder((int) Math.min(Integer.MAX_VALUE - 64, expected));
        for (int i = 0; i < batch.count(); i++) {
            builder.add(key, batch.body(), batch.offset(i), batch.length(i), timestamp);
        }
        return builder.build();
    }
}
