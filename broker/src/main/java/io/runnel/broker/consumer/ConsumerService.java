package io.runnel.broker.consumer;

import io.runnel.broker.common.Futures;
import io.runnel.discovery.Cluster;
import io.runnel.discovery.ClusterState;
import io.runnel.discovery.ConsumerRegistration;
import io.runnel.discovery.TokenRing;
import io.runnel.storage.Chunk;
import io.runnel.storage.LogStore;
import io.runnel.storage.OffsetKey;
import io.runnel.storage.PartitionState;
import io.runnel.storage.ReadResult;
import io.runnel.storage.TopicInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer groups of one broker: registration, partition assignment, read positions, polls (long
 * polls included), commits and the eviction of silent consumers.
 *
 * <h2>Threads</h2>
 * All group state (members, assignments, positions, parked polls) has one owner, the single
 * {@code runnel-consumer-groups} thread: every public method only validates its arguments and
 * queues a task there, so the callers (Netty event loops) never block and never touch RocksDB.
 * Chunk reads run on a small {@code runnel-poll} pool and their results are applied back on the
 * group thread, which re-checks that the partitions are still assigned and the positions unchanged
 * (a rebalance may have happened meanwhile). The group thread itself does only the few point
 * lookups a rebalance needs (committed offsets, log start and end) and queues commits. Store futures complete on the store's writer thread;
 * the service hops off it at once. Poll futures complete on a {@code runnel-poll} thread (so the
 * caller may encode the answer there), the others on the group thread: callbacks must not block.
 *
 * <h2>Delivery</h2>
 * At least once. A consumer's position in a partition is where the data of its last poll ended; the
 * next poll commits those positions (durably, through {@link LogStore#commitOffsets}) and answers
 * only once that commit is durable. {@link #commit} commits now, {@link #goodbye} commits and leaves.
 * A partition that moves to another consumer continues from the last committed offset, so what the
 * old owner read but did not commit is delivered again. Committed offsets never move backwards,
 * except by {@link #seek}. In a cluster ({@link OffsetLog}) a broker commits only the partitions it
 * leads, through the replicated {@code __consumer_offsets} topic, and learns the others' commits from
 * {@link #onReplicatedCommits}; it forgets positions in partitions it stops leading.
 *
 * <h2>Concurrent polls</h2>
 * A consumer has at most one outstanding poll: a new poll answers the earlier one at once with an
 * empty result (the client has evidently given up on it) and takes its place.
 *
 * <h2>New partitions</h2>
 * The first time a group is assigned a partition with no committed offset it starts at the log end
 * ({@link StartPosition#LATEST}) or start ({@link StartPosition#EARLIEST}) and commits that position
 * at once, so a later owner does not skip what was written in between. Topics that do not exist yet
 * yield nothing; when they appear, the group reads them from their start, since all their data was
 * written after it subscribed.
 */
public final class ConsumerService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsumerService.class);
    private static final int POLL_THREADS = 2;

    private final LogStore store;
    private final TokenRing ring;
    private final ConsumerConfig config;
    private final Clock clock;
    private final IntPredicate ledByThisBroker;
    private final ReadLimit readLimit;
    /** Cluster-wide membership, or {@code null}: then membership is this service's alone (single broker). */
    private final Cluster cluster;

    private final ScheduledThreadPoolExecutor groupThread;
    private final ExecutorService pollExecutor;
    /** Runs on the group thread; drops the task once closed (close answers every pending poll itself). */
    private final Executor onGroupThread;
    private final ScheduledFuture<?> sweeper;
    private volatile boolean closed;
    /** Where commits become durable in a cluster (replicated), or {@code null}: straight into the store. */
    private volatile OffsetLog offsetLog;

    // Group thread only.
    private final Map<String, GroupMember> members = new HashMap<>();
    private final Map<String, ConsumerGroup> groups = new TreeMap<>();
    private final Map<TopicPartition, Set<PendingPoll>> watchers = new HashMap<>();
    private final Map<String, Integer> topicIds = new HashMap<>();
    private final Map<Integer, String> topicNames = new HashMap<>();

    // Shared with onAppend callers.
    /** Partitions some parked poll waits on. */
    private final Set<TopicPartition> watched = ConcurrentHashMap.newKeySet();
    /** Partitions with an append not yet handed to the group thread. */
    private final Set<TopicPartition> wakeQueue = ConcurrentHashMap.newKeySet();
    /** Highest next offset reported by {@link #onAppend} per partition: closes the park/append race. */
    private final ConcurrentHashMap<TopicPartition, Long> appended = new ConcurrentHashMap<>();

    /** A service whose broker leads every partition (a single broker). */
    public ConsumerService(LogStore store, TokenRing ring, ConsumerConfig config, Clock clock) {
        this(store, ring, config, clock, p -> true);
    }

    /**
     * @param ledByThisBroker which partitions this broker serves; assignment still spans all of them,
     *                        so that every broker computes the same one
     */
    public ConsumerService(LogStore store, TokenRing ring, ConsumerConfig config, Clock clock,
                           IntPredicate ledByThisBroker) {
        this(store, ring, config, clock, ledByThisBroker, ReadLimit.NONE);
    }

    /**
     * @param ledByThisBroker which partitions this broker serves now (read on every poll)
     * @param readLimit       how far each partition may be read (its high watermark in a cluster)
     */
    public ConsumerService(LogStore store, TokenRing ring, ConsumerConfig config, Clock clock,
                           IntPredicate ledByThisBroker, ReadLimit readLimit) {
        this(store, ring, config, clock, ledByThisBroker, readLimit, null);
    }

    /**
     * A service whose group membership lives in the cluster metadata: registrations and goodbyes go through
     * {@code cluster} (committed by raft), every broker applies the same membership and so computes the same
     * assignment, and silent consumers are reported to the cluster, whose controller removes them.
     *
     * @param cluster the cluster metadata holding the consumer registrations
     */
    public ConsumerService(LogStore store, TokenRing ring, ConsumerConfig config, Clock clock,
                           IntPredicate ledByThisBroker, ReadLimit readLimit, Cluster cluster) {
        this(store, ring, config, clock, ledByThisBroker, readLimit, cluster, null);
    }

    /**
     * A clustered service whose commits go through {@code offsetLog} (see {@link #useOffsetLog}).
     *
     * @param offsetLog where commits become durable, or {@code null} for the store
     */
    public ConsumerService(LogStore store, TokenRing ring, ConsumerConfig config, Clock clock,
                           IntPredicate ledByThisBroker, ReadLimit readLimit, Cluster cluster, OffsetLog offsetLog) {
        this.offsetLog = offsetLog;
        this.cluster = cluster;
        this.readLimit = Objects.requireNonNull(readLimit, "readLimit");
        this.store = Objects.requireNonNull(store, "store");
        this.ring = Objects.requireNonNull(ring, "ring");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ledByThisBroker = Objects.requireNonNull(ledByThisBroker, "ledByThisBroker");
        this.groupThread = new ScheduledThreadPoolExecutor(1, daemonThreads("runnel-consumer-groups", false));
        this.groupThread.setRemoveOnCancelPolicy(true);
        this.groupThread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.pollExecutor = Executors.newFixedThreadPool(POLL_THREADS, daemonThreads("runnel-poll", true));
        this.onGroupThread = task -> {
            try {
                groupThread.execute(task);
            } catch (RejectedExecutionException e) {
                log.debug("consumer service closed; dropping a task");
            }
        };
        long period = sweepPeriod(config.consumerTimeout()).toMillis();
        this.sweeper = groupThread.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
        if (cluster != null) {
            cluster.evictSilentConsumers(config.consumerTimeout());
            cluster.addListener(this::onClusterState);
        }
    }

    private void onClusterState(ClusterState state) {
        if (!closed) {
            onGroupThread.execute(() -> reconcile(state.consumers()));
        }
    }

    /**
     * Makes commits durable through {@code log} (the cluster's replicated offsets topic) instead of the
     * store. Then a broker commits only the partitions it leads and learns the others' commits from
     * {@link #onReplicatedCommits}. Call before the service is used.
     */
    public void useOffsetLog(OffsetLog log) {
        this.offsetLog = log;
    }

    /**
     * Commits this broker stored as a follower of the partitions' leader: they become the group's
     * committed offsets here (a later leadership starts from them). Any thread; does not block.
     */
    public void onReplicatedCommits(List<OffsetCommit> commits) {
        if (closed) {
            return;
        }
        onGroupThread.execute(() -> {
            for (OffsetCommit c : commits) {
                Integer id = topicId(c.topic());
                if (id == null) {
                    continue; // read from the store when needed
                }
                // Known from now on, so that a later read of the store cannot race the write queued for it.
                ConsumerGroup g = groups.computeIfAbsent(c.group(), ConsumerGroup::new);
                g.committed.put(new OffsetKey(c.group(), id, c.partition()), c.offset());
                TopicPartition tp = new TopicPartition(c.topic(), c.partition());
                for (GroupMember m : g.members.values()) {
                    if (m.positions.containsKey(tp) && (c.seek() || !ledByThisBroker.test(c.partition()))) {
                        m.positions.put(tp, c.offset());
                    }
                }
            }
        });
    }

    /** Where a seek moves a group's committed offsets. */
    public sealed interface SeekTarget {
        /** The log start. */
        record Earliest() implements SeekTarget {
        }

        /** The end of what may be read (the high watermark in a cluster). */
        record Latest() implements SeekTarget {
        }

        /** The first offset whose chunk was written at or after {@code millis}. */
        record Timestamp(long millis) implements SeekTarget {
        }

        /** This offset (at most the end of what may be read). */
        record Offset(long offset) implements SeekTarget {
        }
    }

    /**
     * Sets the group's committed offset in each of {@code partitions} of {@code topic} (backwards too),
     * and the read position of the member that owns it here. In a cluster only for partitions this
     * broker leads. Completes with the new offsets once durable; exceptionally with
     * {@link java.util.NoSuchElementException} for an unknown topic and {@link IllegalArgumentException}
     * for an offset beyond the end.
     */
    public CompletableFuture<List<OffsetCommit>> seek(String group, String topic, SeekTarget target, List<Integer> partitions) {
        CompletableFuture<List<OffsetCommit>> future = new CompletableFuture<>();
        submit(future, () -> {
            Integer id = topicId(topic);
            if (id == null) {
                throw new java.util.NoSuchElementException("no topic '" + topic + "'");
            }
            List<OffsetCommit> commits = new ArrayList<>();
            for (int p : partitions) {
                PartitionState st = store.state(id, p);
                long limit = readLimit.maxOffset(topic, p);
                long end = Math.min(st.logEndOffset(), Math.max(st.logStartOffset(), limit));
                long offset = switch (target) {
                    case SeekTarget.Earliest e -> st.logStartOffset();
                    case SeekTarget.Latest l -> end;
                    case SeekTarget.Timestamp t -> Math.min(end, Math.max(st.logStartOffset(), store.offsetForTimestamp(id, p, t.millis())));
                    case SeekTarget.Offset o -> {
                        if (o.offset() > end) {
                            throw new IllegalArgumentException("offset " + o.offset() + " of partition " + p
                                    + " is beyond its end " + end);
                        }
                        yield Math.max(o.offset(), st.logStartOffset());
                    }
                };
                commits.add(new OffsetCommit(group, topic, p, offset, true));
            }
            ConsumerGroup g = groups.get(group);
            Map<OffsetKey, Long> batch = new HashMap<>();
            for (OffsetCommit c : commits) {
                OffsetKey key = new OffsetKey(group, id, c.partition());
                batch.put(key, c.offset());
                if (g != null) {
                    g.committed.put(key, c.offset());
                    TopicPartition tp = new TopicPartition(topic, c.partition());
                    for (GroupMember m : g.members.values()) {
                        if (m.assigned.contains(tp)) {
                            m.positions.put(tp, c.offset()); // a read in flight is dropped: its position changed
                        }
                    }
                }
            }
            log.info("group {}: seek of {} to {}: {}", group, topic, target, commits);
            completeOnGroupThread(writeCommits(batch, true).thenApply(v -> commits), future);
        });
        return future;
    }

    // ---------------------------------------------------------------- public API (any thread)

    /**
     * Registers a consumer, or updates its group, topics or start position. Idempotent: the same
     * registration again only counts as a sign of life. Changing the group or topics rebalances.
     * Takes effect before any later call of this service is handled; the returned future completes
     * once it has (start positions fixed), so answer the client only then: with
     * {@link StartPosition#LATEST}, events produced after that answer are guaranteed to be read.
     * Callers may ignore the future.
     *
     * @throws IllegalArgumentException if an argument is missing or a topic name is invalid
     * @throws IllegalStateException    if the service is closed
     */
    public CompletableFuture<Void> register(String consumerId, String group, List<String> topics,
                                            StartPosition onNewGroup) {
        requireId(consumerId);
        if (group == null || group.isBlank()) {
            throw new IllegalArgumentException("group must not be empty");
        }
        Objects.requireNonNull(onNewGroup, "onNewGroup");
        if (topics == null || topics.isEmpty()) {
            throw new IllegalArgumentException("subscribe to at least one topic");
        }
        for (String t : topics) {
            checkTopicName(t);
        }
        List<String> sorted = List.copyOf(new TreeSet<>(topics));
        checkOpen();
        if (cluster != null) {
            cluster.reportConsumerActivity(consumerId, 0);
            CompletableFuture<Void> done = new CompletableFuture<>();
            cluster.registerConsumer(new ConsumerRegistration(group, consumerId, sorted, onNewGroup.wireName()))
                    .whenComplete((v, e) -> {
                        if (e != null) {
                            done.completeExceptionally(Futures.unwrap(e));
                            return;
                        }
                        submit(done, () -> {
                            reconcile(cluster.state().consumers());
                            GroupMember m = members.get(consumerId);
                            if (m != null) {
                                m.lastSeenMillis = clock.millis();
                            }
                            done.complete(null);
                        });
                    });
            return done;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            groupThread.execute(() -> {
                try {
                    doRegister(consumerId, group, sorted, onNewGroup);
                    done.complete(null);
                } catch (RuntimeException e) {
                    log.error("registering consumer {} failed", consumerId, e);
                    done.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            throw closedException();
        }
        return done;
    }

    /**
     * Commits what the previous poll returned, then answers with data from the consumer's partitions,
     * waiting up to {@code timeoutMs} (capped by {@link ConsumerConfig#maxPollWaitMs()}) for some.
     * Completes with {@link PollResult#EMPTY} when there is none, and exceptionally with
     * {@link NotRegisteredException} for an unknown consumer.
     *
     * @param maxBytes most chunk bytes to return; {@code <= 0} or above the configured cap means the cap
     */
    public CompletableFuture<PollResult> poll(String consumerId, long timeoutMs, int maxBytes) {
        requireId(consumerId);
        CompletableFuture<PollResult> future = new CompletableFuture<>();
        long waitMs = Math.min(Math.max(0, timeoutMs), config.maxPollWaitMs());
        int bytes = maxBytes <= 0 ? config.maxPollBytes() : Math.min(maxBytes, config.maxPollBytes());
        submit(future, () -> startPoll(consumerId, waitMs, bytes, future));
        return future;
    }

    /** Commits the consumer's positions now; completes once durable. */
    public CompletableFuture<Void> commit(String consumerId) {
        requireId(consumerId);
        CompletableFuture<Void> future = new CompletableFuture<>();
        submit(future, () -> {
            GroupMember m = member(consumerId);
            m.lastSeenMillis = clock.millis();
            completeOnGroupThread(commitPositions(m), future);
        });
        return future;
    }

    /**
     * Commits the consumer's positions and removes it from its group, whose partitions are rebalanced
     * at once. Completes once the commit is durable.
     */
    public CompletableFuture<Void> goodbye(String consumerId) {
        requireId(consumerId);
        CompletableFuture<Void> future = new CompletableFuture<>();
        submit(future, () -> {
            GroupMember m = member(consumerId);
            CompletableFuture<Void> committed = commitPositions(m);
            if (cluster != null) {
                completeOnGroupThread(committed.thenCompose(v -> leaveCluster(m.group, m.id)), future);
                return;
            }
            removeMember(m, "said goodbye");
            completeOnGroupThread(committed, future);
        });
        return future;
    }

    /**
     * Removes the consumer from its group <em>without</em> committing: what its polls returned since
     * its last commit is delivered again to whoever reads those partitions next (this consumer too, if
     * it registers again). For in-process consumers such as the Kafka bridge, which commit only what
     * they could hand on and must not let a later poll commit the rest. Completes once the consumer is
     * gone (at once for an unknown consumer); a pending poll of it is answered empty.
     */
    public CompletableFuture<Void> leaveWithoutCommit(String consumerId) {
        requireId(consumerId);
        CompletableFuture<Void> future = new CompletableFuture<>();
        submit(future, () -> {
            GroupMember m = members.get(consumerId);
            if (m != null && cluster != null) {
                completeOnGroupThread(leaveCluster(m.group, m.id), future);
                return;
            }
            if (m != null) {
                removeMember(m, "left without committing");
            }
            future.complete(null);
        });
        return future;
    }

    /**
     * Tells the service that a partition's log grew durably to {@code nextOffset}: wakes long polls
     * waiting on it. Cheap and non-blocking; may be called from any thread.
     */
    public void onAppend(String topic, int partition, long nextOffset) {
        if (closed) {
            return;
        }
        TopicPartition tp = new TopicPartition(topic, partition);
        appended.merge(tp, nextOffset, Math::max);
        // Read after the write above: either the parking poll sees the new hint, or we see its watch.
        if (watched.contains(tp) && wakeQueue.add(tp)) {
            onGroupThread.execute(this::drainWakes);
        }
    }

    /** Snapshots of every group this broker knows, by name. */
    public CompletableFuture<List<GroupView>> groups() {
        return query(() -> groups.values().stream().map(this::view).toList());
    }

    /** Snapshot of one group. */
    public CompletableFuture<Optional<GroupView>> group(String name) {
        return query(() -> Optional.ofNullable(groups.get(name)).map(this::view));
    }

    /** Answers pending polls empty and stops the service's threads. Does not close the store. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sweeper.cancel(false);
        Runnable answerAll = () -> {
            for (GroupMember m : members.values()) {
                if (m.poll != null) {
                    PendingPoll p = m.poll;
                    unpark(p);
                    m.poll = null;
                    p.future.complete(PollResult.EMPTY);
                }
            }
        };
        try {
            groupThread.submit(answerAll).get(5, TimeUnit.SECONDS);
        } catch (RejectedExecutionException | ExecutionException | TimeoutException e) {
            log.warn("could not answer pending polls on close", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        groupThread.shutdown();
        pollExecutor.shutdown();
        try {
            if (!groupThread.awaitTermination(5, TimeUnit.SECONDS) || !pollExecutor.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("consumer service threads did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs the eviction of silent consumers now (it also runs periodically). */
    CompletableFuture<Void> sweepNow() {
        return query(() -> {
            sweep();
            return null;
        });
    }

    // ---------------------------------------------------------------- membership (group thread)

    private void doRegister(String id, String groupName, List<String> topics, StartPosition onNewGroup) {
        long now = clock.millis();
        GroupMember m = members.get(id);
        if (m != null && m.group.equals(groupName)) {
            m.lastSeenMillis = now;
            m.onNewGroup = onNewGroup;
            if (!m.topics.equals(topics)) {
                m.topics = topics;
                rebalance(groups.get(groupName), "consumer " + id + " changed its topics to " + topics);
            }
            return;
        }
        if (m != null) {
            removeMember(m, "moved to group " + groupName);
        }
        m = new GroupMember(id, groupName, topics, onNewGroup, now);
        members.put(id, m);
        ConsumerGroup g = groups.computeIfAbsent(groupName, ConsumerGroup::new);
        g.members.put(id, m);
        rebalance(g, "consumer " + id + " joined");
    }

    /** Removes a consumer from the cluster metadata; completes once this service applied the removal. */
    private CompletableFuture<Void> leaveCluster(String group, String id) {
        return cluster.removeConsumer(group, id).thenCompose(v -> query(() -> {
            reconcile(cluster.state().consumers());
            return null;
        }));
    }

    /**
     * Makes the local members match the cluster's registrations: adds new ones, applies changed groups or
     * topics, removes those gone. Every broker applies the same registrations, so all compute the same
     * assignment. A member first learnt here has no local sign of life (lastSeen 0) until it contacts this broker.
     */
    private void reconcile(Map<String, ConsumerRegistration> registered) {
        for (ConsumerRegistration r : registered.values()) {
            GroupMember m = members.get(r.consumerId());
            StartPosition start = StartPosition.parse(r.onNewGroup());
            if (m == null || !m.group.equals(r.group()) || !m.topics.equals(r.topics())) {
                long seen = m == null ? 0 : m.lastSeenMillis;
                doRegister(r.consumerId(), r.group(), r.topics(), start);
                members.get(r.consumerId()).lastSeenMillis = seen;
            } else {
                m.onNewGroup = start;
            }
        }
        for (GroupMember m : List.copyOf(members.values())) {
            ConsumerRegistration r = registered.get(m.id);
            if (r == null || !r.group().equals(m.group)) {
                removeMember(m, "left the group");
            }
        }
    }

    private void removeMember(GroupMember m, String why) {
        members.remove(m.id);
        ConsumerGroup g = groups.get(m.group);
        g.members.remove(m.id);
        if (m.poll != null) {
            finishNow(m.poll, PollResult.EMPTY);
        }
        m.assigned = List.of();
        m.positions = new HashMap<>();
        rebalance(g, "consumer " + m.id + " " + why);
    }

    private void sweep() {
        long now = clock.millis();
        long timeout = config.consumerTimeout().toMillis();
        if (cluster != null) {
            // The cluster's controller removes a consumer silent on every broker; report what this one saw.
            for (GroupMember m : members.values()) {
                if (m.poll != null) {
                    cluster.reportConsumerActivity(m.id, 0);
                } else if (m.lastSeenMillis > 0) {
                    cluster.reportConsumerActivity(m.id, Math.max(0, now - m.lastSeenMillis));
                }
            }
            return;
        }
        for (GroupMember m : List.copyOf(members.values())) {
            // A consumer waiting in a long poll is alive even if the poll outlasts the timeout.
            if (m.poll == null && now - m.lastSeenMillis >= timeout) {
                log.info("consumer {} of group {} timed out after {} ms of silence", m.id, m.group, now - m.lastSeenMillis);
                removeMember(m, "timed out");
            }
        }
    }

    /**
     * Recomputes the group's assignment. Partitions a member keeps keep its position; new ones start
     * from the committed offset. Parked polls whose partitions changed are retried at once.
     */
    private void rebalance(ConsumerGroup g, String why) {
        g.generation++;
        TreeMap<String, List<String>> subscriptions = new TreeMap<>();
        g.members.forEach((id, m) -> subscriptions.put(id, m.topics));
        Map<String, List<TopicPartition>> assignment = PartitionAssignor.assign(subscriptions, ring.partitionCount());
        Map<OffsetKey, Long> initial = new HashMap<>();
        List<PendingPoll> retry = new ArrayList<>();
        for (GroupMember m : g.members.values()) {
            List<TopicPartition> next = assignment.get(m.id);
            if (next.equals(m.assigned)) {
                continue;
            }
            Map<TopicPartition, Long> positions = new HashMap<>();
            for (TopicPartition tp : next) {
                Long kept = m.positions.get(tp);
                Long pos = kept != null ? kept : resolveStart(g, tp, m.onNewGroup, initial);
                if (pos != null) {
                    positions.put(tp, pos);
                }
            }
            m.assigned = next;
            m.positions = positions;
            if (m.poll != null && m.poll.parked()) {
                retry.add(m.poll);
            }
        }
        log.info("group {} generation {}: {}; {} members", g.name, g.generation, why, g.members.size());
        log.debug("group {} generation {} assignment {}", g.name, g.generation, assignment);
        commitInitial(initial);
        for (PendingPoll p : retry) {
            unpark(p);
            attempt(p);
        }
    }

    /**
     * The position a group starts at in a partition new to one of its members: the committed offset,
     * else (committing it now) the log start or end. {@code null} while the topic does not exist.
     */
    private Long resolveStart(ConsumerGroup g, TopicPartition tp, StartPosition onNewGroup, Map<OffsetKey, Long> initial) {
        Integer topicId = topicId(tp.topic());
        if (topicId == null) {
            g.awaitingTopics.add(tp.topic());
            return null;
        }
        OffsetKey key = new OffsetKey(g.name, topicId, tp.partition());
        Long committed = committed(g, key);
        if (committed != null || offsetLog != null && !ledByThisBroker.test(tp.partition())) {
            return committed; // in a cluster only the partition's leader picks (and commits) a start
        }
        PartitionState state = store.state(topicId, tp.partition());
        boolean fromStart = onNewGroup == StartPosition.EARLIEST || g.awaitingTopics.contains(tp.topic());
        long end = Math.min(state.logEndOffset(), Math.max(state.logStartOffset(), readLimit.maxOffset(tp.topic(), tp.partition())));
        long pos = fromStart ? state.logStartOffset() : end;
        g.committed.put(key, pos);
        initial.put(key, pos);
        return pos;
    }

    private Long committed(ConsumerGroup g, OffsetKey key) {
        Long c = g.committed.get(key);
        if (c == null) {
            var stored = store.committedOffset(key);
            if (stored.isPresent()) {
                c = stored.getAsLong();
                g.committed.put(key, c);
            }
        }
        return c;
    }

    private Integer topicId(String topic) {
        Integer id = topicIds.get(topic);
        if (id == null) {
            Optional<TopicInfo> info = store.topic(topic);
            if (info.isPresent()) {
                id = info.get().id();
                topicIds.put(topic, id); // topics are never deleted, so the id can be cached
                topicNames.put(id, topic);
            }
        }
        return id;
    }

    // ---------------------------------------------------------------- commits (group thread)

    /** Commits the member's positions above what its group committed; completes when durable. */
    private CompletableFuture<Void> commitPositions(GroupMember m) {
        ConsumerGroup g = groups.get(m.group);
        Map<OffsetKey, Long> batch = new HashMap<>();
        m.positions.forEach((tp, pos) -> {
            if (offsetLog != null && !ledByThisBroker.test(tp.partition())) {
                return; // its leader commits it (this broker did not serve it since it last led it)
            }
            OffsetKey key = new OffsetKey(g.name, topicIds.get(tp.topic()), tp.partition());
            Long c = committed(g, key);
            if (c == null || pos > c) { // never backwards
                batch.put(key, pos);
                g.committed.put(key, pos);
            }
        });
        return forgetOnFailure(g, batch, writeCommits(batch, false));
    }

    /** A failed commit is not the group's committed offset: read it again from the store when needed. */
    private CompletableFuture<Void> forgetOnFailure(ConsumerGroup g, Map<OffsetKey, Long> batch, CompletableFuture<Void> write) {
        write.whenComplete((v, e) -> {
            if (e != null) {
                onGroupThread.execute(() -> batch.forEach((k, pos) -> g.committed.remove(k, pos)));
            }
        });
        return write;
    }

    private void commitInitial(Map<OffsetKey, Long> initial) {
        writeCommits(initial, false).whenComplete((v, e) -> {
            if (e != null) {
                log.warn("could not commit start positions {}", initial, e);
            }
        });
    }

    private CompletableFuture<Void> writeCommits(Map<OffsetKey, Long> batch, boolean seek) {
        if (batch.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        try {
            OffsetLog replicated = offsetLog;
            if (replicated != null) {
                List<OffsetCommit> commits = new ArrayList<>(batch.size());
                batch.forEach((k, v) -> commits.add(new OffsetCommit(k.group(), topicNames.get(k.topicId()), k.partition(), v, seek)));
                return replicated.commit(commits);
            }
            return store.commitOffsets(batch);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    // ---------------------------------------------------------------- polls (group thread)

    private void startPoll(String id, long waitMs, int maxBytes, CompletableFuture<PollResult> future) {
        GroupMember m = member(id);
        m.lastSeenMillis = clock.millis();
        if (m.poll != null) {
            finishNow(m.poll, PollResult.EMPTY); // superseded: the newest poll wins
        }
        PendingPoll p = new PendingPoll(m, future, maxBytes, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs),
                commitPositions(m));
        m.poll = p;
        attempt(p);
    }

    /** Plans a read of the member's partitions and runs it on the poll pool. */
    private void attempt(PendingPoll p) {
        try {
            startRead(p);
        } catch (RuntimeException e) {
            fail(p, e);
        }
    }

    private void startRead(PendingPoll p) {
        GroupMember m = p.member;
        Map<TopicPartition, Long> hints = new HashMap<>();
        for (TopicPartition tp : m.assigned) {
            Long hint = appended.get(tp);
            if (hint != null) {
                hints.put(tp, hint);
            }
        }
        p.hintsAtPlan = hints;
        List<ReadTask> plan = plan(m);
        if (plan.isEmpty()) {
            parkOrFinish(p);
            return;
        }
        CompletableFuture<List<PartitionRead>> reads =
                CompletableFuture.supplyAsync(() -> readAll(plan, p.maxBytes), pollExecutor);
        // Answer only once the previous poll's positions are durably committed.
        p.commit.thenCombine(reads, (v, r) -> r)
                .whenCompleteAsync((r, e) -> applyReads(p, r, e), onGroupThread);
    }

    private List<ReadTask> plan(GroupMember m) {
        List<TopicPartition> assigned = m.assigned;
        int n = assigned.size();
        if (n == 0) {
            return List.of();
        }
        ConsumerGroup g = groups.get(m.group);
        Map<OffsetKey, Long> initial = new HashMap<>();
        List<ReadTask> plan = new ArrayList<>(n);
        int start = Math.floorMod(m.nextStart++, n);
        for (int i = 0; i < n; i++) {
            TopicPartition tp = assigned.get((start + i) % n);
            if (!ledByThisBroker.test(tp.partition())) {
                if (offsetLog != null) {
                    m.positions.remove(tp); // its leader may move on meanwhile: start from the committed offset if it comes back
                }
                continue;
            }
            Long pos = m.positions.get(tp);
            if (pos == null) {
                pos = resolveStart(g, tp, m.onNewGroup, initial); // the topic may exist by now
                if (pos == null) {
                    continue;
                }
                m.positions.put(tp, pos);
            }
            plan.add(new ReadTask(tp, topicIds.get(tp.topic()), pos));
        }
        commitInitial(initial);
        return plan;
    }

    /** Runs on the poll pool: reads each planned partition in turn until {@code maxBytes} is reached. */
    private List<PartitionRead> readAll(List<ReadTask> plan, int maxBytes) {
        List<PartitionRead> out = new ArrayList<>();
        long remaining = maxBytes;
        RuntimeException failure = null;
        for (ReadTask task : plan) {
            if (remaining <= 0) {
                break;
            }
            ReadResult r;
            try {
                long limit = readLimit.maxOffset(task.tp().topic(), task.tp().partition());
                r = limit == Long.MAX_VALUE
                        ? store.read(task.topicId(), task.tp().partition(), task.position(), (int) remaining)
                        : store.read(task.topicId(), task.tp().partition(), task.position(), (int) remaining, limit);
            } catch (RuntimeException e) {
                // A corrupt chunk in one partition should not stop the others; surface it if nothing else is read.
                log.error("reading {} at {} failed", task.tp(), task.position(), e);
                failure = e;
                continue;
            }
            out.add(new PartitionRead(task, r));
            for (Chunk c : r.chunks()) {
                remaining -= c.sizeBytes();
            }
        }
        if (failure != null && out.stream().allMatch(pr -> pr.result().isEmpty())) {
            throw failure;
        }
        return out;
    }

    /** Back on the group thread: keeps what is still this member's to read and advances positions. */
    private void applyReads(PendingPoll p, List<PartitionRead> reads, Throwable error) {
        if (!isCurrent(p)) {
            return; // answered already (superseded, member left, closed)
        }
        if (error != null) {
            fail(p, Futures.unwrap(error));
            return;
        }
        try {
            keepOwnedReads(p, reads);
        } catch (RuntimeException e) {
            fail(p, e);
        }
    }

    private void keepOwnedReads(PendingPoll p, List<PartitionRead> reads) {
        GroupMember m = p.member;
        List<PartitionBatch> batches = new ArrayList<>();
        for (PartitionRead read : reads) {
            TopicPartition tp = read.task().tp();
            Long pos = m.positions.get(tp);
            if (pos == null || pos != read.task().position()) {
                continue; // reassigned (or moved) while reading: never hand out someone else's partition
            }
            ReadResult r = read.result();
            long from = Math.max(pos, r.fromOffset());
            int before = batches.size();
            long end = toBatches(tp, from, r.chunks(), batches);
            if (batches.size() > before) {
                m.positions.put(tp, end);
            } else if (from > pos) {
                m.positions.put(tp, from); // retention removed what lay below
            }
        }
        if (batches.isEmpty()) {
            parkOrFinish(p);
            return;
        }
        m.poll = null;
        m.lastSeenMillis = clock.millis();
        deliver(p, new PollResult(batches), null);
    }

    /**
     * Cuts a partition's chunks into batches of contiguous chunks of one generation (one answer object
     * each), skipping records below {@code from}. Returns where the last batch ends.
     */
    private long toBatches(TopicPartition tp, long from, List<Chunk> chunks, List<PartitionBatch> out) {
        long token = ring.rangeStartToken(ring.rangeOf(tp.partition()));
        int rangeIndex = ring.indexInRange(tp.partition());
        List<Chunk> run = new ArrayList<>();
        long runStart = from;
        long expected = from;
        int generation = 0;
        for (Chunk c : chunks) {
            if (c.nextOffset() <= from) {
                continue;
            }
            if (!run.isEmpty() && (c.generation() != generation || c.baseOffset() != expected)) {
                out.add(new PartitionBatch(tp.topic(), tp.partition(), token, rangeIndex, generation, runStart, expected, run));
                run = new ArrayList<>();
            }
            if (run.isEmpty()) {
                runStart = Math.max(from, c.baseOffset());
                generation = c.generation();
            }
            run.add(c);
            expected = c.nextOffset();
        }
        if (!run.isEmpty()) {
            out.add(new PartitionBatch(tp.topic(), tp.partition(), token, rangeIndex, generation, runStart, expected, run));
        }
        return expected;
    }

    /** Nothing to read: waits for an append on one of the member's partitions, or answers empty. */
    private void parkOrFinish(PendingPoll p) {
        long remaining = p.deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            finishAfterCommit(p);
            return;
        }
        Set<TopicPartition> watching = new HashSet<>();
        for (TopicPartition tp : p.member.assigned) {
            if (ledByThisBroker.test(tp.partition())) {
                watching.add(tp);
                watchers.computeIfAbsent(tp, k -> new HashSet<>()).add(p);
                watched.add(tp);
            }
        }
        p.watching = watching;
        // An append between planning the read and the watch above woke nobody: catch it here.
        for (TopicPartition tp : watching) {
            Long now = appended.get(tp);
            Long then = p.hintsAtPlan.get(tp);
            if (now != null && (then == null || now > then)) {
                unpark(p);
                attempt(p);
                return;
            }
        }
        p.timer = groupThread.schedule(() -> {
            p.timer = null;
            if (isCurrent(p)) {
                unpark(p);
                finishAfterCommit(p);
            }
        }, remaining, TimeUnit.NANOSECONDS);
    }

    private void drainWakes() {
        for (TopicPartition tp : List.copyOf(wakeQueue)) {
            wakeQueue.remove(tp);
            Set<PendingPoll> polls = watchers.get(tp);
            if (polls == null) {
                continue;
            }
            for (PendingPoll p : List.copyOf(polls)) {
                unpark(p);
                if (isCurrent(p)) {
                    attempt(p);
                }
            }
        }
    }

    private void unpark(PendingPoll p) {
        for (TopicPartition tp : p.watching) {
            Set<PendingPoll> polls = watchers.get(tp);
            if (polls != null && polls.remove(p) && polls.isEmpty()) {
                watchers.remove(tp);
                watched.remove(tp);
            }
        }
        p.watching = Set.of();
        if (p.timer != null) {
            p.timer.cancel(false);
            p.timer = null;
        }
    }

    private boolean isCurrent(PendingPoll p) {
        return p.member.poll == p && members.get(p.member.id) == p.member;
    }

    /** Answers empty once the previous poll's commit is durable (or with its failure). */
    private void finishAfterCommit(PendingPoll p) {
        p.member.poll = null;
        p.member.lastSeenMillis = clock.millis();
        p.commit.whenComplete((v, e) -> deliver(p, e == null ? PollResult.EMPTY : null, e == null ? null : Futures.unwrap(e)));
    }

    /** Answers with an error; the positions stay where the last answered poll left them. */
    private void fail(PendingPoll p, Throwable error) {
        if (!isCurrent(p)) {
            return;
        }
        if (!(error instanceof NotRegisteredException)) {
            log.warn("poll of consumer {} failed", p.member.id, error);
        }
        unpark(p);
        p.member.poll = null;
        deliver(p, null, error);
    }

    /** Answers at once, without waiting for the commit (superseded or member gone). */
    private void finishNow(PendingPoll p, PollResult result) {
        unpark(p);
        p.member.poll = null;
        deliver(p, result, null);
    }

    /** Completes a poll on the poll pool so that the caller's callback (encoding) runs there. */
    private void deliver(PendingPoll p, PollResult result, Throwable error) {
        Runnable complete = () -> {
            if (error != null) {
                p.future.completeExceptionally(error);
            } else {
                p.future.complete(result);
            }
        };
        try {
            pollExecutor.execute(complete);
        } catch (RejectedExecutionException e) {
            complete.run();
        }
    }

    // ---------------------------------------------------------------- views (group thread)

    private GroupView view(ConsumerGroup g) {
        List<GroupView.Member> ms = new ArrayList<>();
        for (GroupMember m : g.members.values()) {
            List<GroupView.Assigned> assigned = new ArrayList<>();
            for (TopicPartition tp : m.assigned) {
                assigned.add(new GroupView.Assigned(tp.topic(), tp.partition(),
                        m.positions.getOrDefault(tp, -1L), ledByThisBroker.test(tp.partition())));
            }
            ms.add(new GroupView.Member(m.id, m.topics, m.onNewGroup, Instant.ofEpochMilli(m.lastSeenMillis), assigned));
        }
        Map<Integer, String> names = new HashMap<>();
        for (TopicInfo t : store.topics()) {
            names.put(t.id(), t.name());
        }
        TreeMap<TopicPartition, Long> committed = new TreeMap<>();
        Map<OffsetKey, Long> all = new HashMap<>(store.committedOffsets(g.name));
        all.putAll(g.committed); // some may still be on their way to disk; a seek may have moved them back
        all.forEach((k, v) -> {
            String topic = names.get(k.topicId());
            if (topic != null) {
                committed.put(new TopicPartition(topic, k.partition()), v);
            }
        });
        List<GroupView.CommittedOffset> offsets = new ArrayList<>();
        List<GroupView.Lag> lags = new ArrayList<>();
        committed.forEach((tp, v) -> {
            offsets.add(new GroupView.CommittedOffset(tp.topic(), tp.partition(), v));
            Integer id = topicId(tp.topic());
            if (id != null && ledByThisBroker.test(tp.partition())) {
                long limit = readLimit.maxOffset(tp.topic(), tp.partition());
                long end = limit == Long.MAX_VALUE ? store.state(id, tp.partition()).logEndOffset() : limit;
                lags.add(new GroupView.Lag(tp.topic(), tp.partition(), v, end, Math.max(0, end - v),
                        cluster == null ? 0 : cluster.ordinal()));
            }
        });
        return new GroupView(g.name, ms, offsets, lags);
    }

    // ---------------------------------------------------------------- plumbing

    private GroupMember member(String id) {
        GroupMember m = members.get(id);
        if (m == null && cluster != null && cluster.state().consumers().containsKey(id)) {
            reconcile(cluster.state().consumers()); // registered elsewhere; its change has not reached us yet
            m = members.get(id);
        }
        if (m == null) {
            throw new NotRegisteredException(id);
        }
        return m;
    }

    /** Runs {@code task} on the group thread; its exceptions complete {@code future}. */
    private void submit(CompletableFuture<?> future, Runnable task) {
        if (closed) {
            future.completeExceptionally(closedException());
            return;
        }
        try {
            groupThread.execute(() -> {
                try {
                    task.run();
                } catch (Throwable t) {
                    future.completeExceptionally(t);
                    if (!(t instanceof NotRegisteredException)) {
                        log.error("consumer group task failed", t);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(closedException());
        }
    }

    private <T> CompletableFuture<T> query(Supplier<T> q) {
        CompletableFuture<T> future = new CompletableFuture<>();
        submit(future, () -> future.complete(q.get()));
        return future;
    }

    private <T> void completeOnGroupThread(CompletableFuture<T> source, CompletableFuture<T> target) {
        source.whenComplete((v, e) -> {
            Runnable complete = () -> {
                if (e != null) {
                    target.completeExceptionally(Futures.unwrap(e));
                } else {
                    target.complete(v);
                }
            };
            try {
                groupThread.execute(complete); // off the store's writer thread
            } catch (RejectedExecutionException rejected) {
                complete.run();
            }
        });
    }

    private void checkOpen() {
        if (closed) {
            throw closedException();
        }
    }

    private static IllegalStateException closedException() {
        return new IllegalStateException("consumer service is closed");
    }


    private static void requireId(String consumerId) {
        if (consumerId == null || consumerId.isBlank()) {
            throw new IllegalArgumentException("consumerId must not be empty");
        }
    }

    /** Kafka's topic name rule, also enforced by the producer API. */
    private static void checkTopicName(String t) {
        if (t == null || t.isEmpty() || t.length() > 249 || t.equals(".") || t.equals("..")) {
            throw new IllegalArgumentException("topic names are 1-249 characters and not '.' or '..': '" + t + "'");
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                throw new IllegalArgumentException("topic name '" + t + "' may only contain [a-zA-Z0-9._-]");
            }
        }
    }

    private static Duration sweepPeriod(Duration consumerTimeout) {
        long ms = Math.clamp(consumerTimeout.toMillis() / 4, 10, 5_000);
        return Duration.ofMillis(ms);
    }

    private static ThreadFactory daemonThreads(String name, boolean numbered) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, numbered ? name + "-" + n.incrementAndGet() : name);
            t.setDaemon(true);
            return t;
        };
    }

    private record ReadTask(TopicPartition tp, int topicId, long position) {
    }

    private record PartitionRead(ReadTask task, ReadResult result) {
    }
}
