package io.runnel.broker.cluster;

import io.runnel.broker.common.Errors;
import io.runnel.broker.consume.OffsetCommit;
import io.runnel.broker.consume.OffsetLog;
import io.runnel.broker.replication.ReplicaManager;
import io.runnel.broker.replication.ReplicatedChunkListener;
import io.runnel.broker.replication.TopicDirectory;
import io.runnel.discovery.Cluster;
import io.runnel.storage.LogStore;
import io.runnel.storage.OffsetKey;
import io.runnel.storage.TopicInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Committed offsets in a cluster: the replicated internal topic {@link OffsetTopic}. A leader appends a group's
 * commits to the offsets partition that matches the data partition (same leader, same replicas), through the
 * same replicated append as events, and stores them locally once acknowledged; a follower applies every commit
 * it appends ({@link #appended}), so a new leader already knows every acknowledged commit.
 */
final class ReplicatedOffsetLog implements OffsetLog, ReplicatedChunkListener {
    private static final Logger log = LoggerFactory.getLogger(ReplicatedOffsetLog.class);

    private final Cluster cluster;
    private final LogStore store;
    private final TopicDirectory topics;
    private volatile ReplicaManager replicas;
    private volatile Consumer<List<OffsetCommit>> listener = commits -> { };
    private volatile boolean announced;

    ReplicatedOffsetLog(Cluster cluster, LogStore store, TopicDirectory topics) {
        this.cluster = cluster;
        this.store = store;
        this.topics = topics;
    }

    /** The replicas commits go through (set once, before the first commit). */
    void attach(ReplicaManager replicas) {
        this.replicas = replicas;
    }

    /**
     * Told the commits this broker applied as a follower (on a range's thread, after they were queued for the
     * store): the consumer groups update their view of them.
     */
    void listen(Consumer<List<OffsetCommit>> listener) {
        this.listener = listener;
    }

    /**
     * Appends the commits through replication (one chunk per partition), then stores them locally. Completes once
     * every partition's chunk is acknowledged (durable on a majority); fails with {@code not_leader} for a
     * partition this broker does not lead.
     */
    @Override
    public CompletableFuture<Void> commit(List<OffsetCommit> commits) {
        if (commits.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        ReplicaManager r = replicas;
        if (r == null) {
            return CompletableFuture.failedFuture(Errors.NOT_READY.exception("the broker is starting; the commit was not stored; retry"));
        }
        TopicInfo offsets;
        try {
            offsets = topics.ensure(OffsetTopic.NAME);
            if (!announced) {
                announced = true;
                cluster.addTopic(OffsetTopic.NAME).whenComplete((v, e) -> {
                    if (e != null) {
                        log.warn("adding {} to the cluster metadata failed: {}", OffsetTopic.NAME, e.toString());
                    }
                });
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        Map<Integer, List<OffsetCommit>> byPartition = new TreeMap<>();
        commits.forEach(c -> byPartition.computeIfAbsent(c.partition(), k -> new ArrayList<>()).add(c));
        List<CompletableFuture<Void>> done = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (Map.Entry<Integer, List<OffsetCommit>> e : byPartition.entrySet()) {
            int p = e.getKey();
            List<OffsetCommit> batch = e.getValue();
            if (!r.serves(p)) {
                done.add(CompletableFuture.failedFuture(Errors.NOT_LEADER.exception("this broker no longer leads partition "
                        + p + "; the commit was not stored; retry")));
                continue;
            }
            done.add(r.append(offsets, p, OffsetTopic.encode(batch, now)).thenCompose(x -> storeLocally(batch)));
        }
        return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> storeLocally(List<OffsetCommit> commits) {
        Map<OffsetKey, Long> local = new HashMap<>();
        for (OffsetCommit c : commits) { // later records of a batch win, as in the log
            local.put(new OffsetKey(c.group(), topics.ensure(c.topic()).id(), c.partition()), c.offset());
        }
        return store.commitOffsets(local);
    }

    @Override
    public boolean wants(String topic) {
        return OffsetTopic.NAME.equals(topic);
    }

    /** A follower appended a chunk of {@link OffsetTopic}: its commits become this broker's too. */
    @Override
    public void appended(String topic, int partition, byte[] chunk) {
        List<OffsetCommit> commits = OffsetTopic.decode(chunk);
        if (commits.isEmpty()) {
            return;
        }
        storeLocally(commits).whenComplete((v, e) -> {
            if (e != null) {
                log.warn("storing {} replicated commits failed: {}", commits.size(), e.toString());
            }
        });
        try {
            listener.accept(commits);
        } catch (RuntimeException e) {
            log.warn("offset listener failed", e);
        }
    }
}
