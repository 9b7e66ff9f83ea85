package io.runnel.broker.consume;

import io.runnel.discovery.ConsumerRegistration;
import io.runnel.broker.common.TopicNames;
import io.runnel.discovery.Cluster;
import io.runnel.discovery.ClusterState;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * Consumer groups of one broker: registration, partition assignment, read positions, polls (long
 * polls included), commits, seeks and the eviction of silent consumers. The facade over
 * {@link GroupMembership} (who reads what), {@link OffsetCommitter} (what is committed), {@link PollEngine}
 * (polls) and {@link GroupViews}, all around one group thread; built from one {@link ConsumerContext}, the same
 * for a single broker and a cluster.
 *
 * <h2>Threads</h2>
 * All group state (members, assignments, positions, parked polls) has one owner, the single
 * {@code runnel-consumer-groups} thread: every public method only validates its arguments and
 * queues a task there, so the callers (Netty event loops) never block and never touch RocksDB.
 * Chunk reads run on a small {@code runnel-poll} pool and their results are applied back on the
 * group thread, which re-checks that the partitions are still assigned and the positions unchanged
 * (a rebalance may have happened meanwhile). The group thread itself does only the few point
 * lookups a rebalance needs (committed offsets, log start and end) and queues commits. Store futures
 * complete on the store's writer thread; the service hops off it at once. Poll futures complete on a
 * {@code runnel-poll} thread (so the caller may encode the answer there), the others on the group thread:
 * callbacks must not block.
 *
 * <h2>Membership</h2>
 * Registrations live in the cluster metadata ({@link Cluster}: raft, or a single-node cluster): every broker
 * applies the same registrations and so computes the same assignment. A consumer silent for the consumer
 * timeout is removed by the cluster (on every broker, for a cluster).
 *
 * <h2>Delivery</h2>
 * At least once. A consumer's position in a partition is where the data of its last poll ended; the
 * next poll commits those positions (durably, through the {@link OffsetLog}) and answers only once that commit
 * is durable. {@link #commit} commits now, {@link #goodbye} commits and leaves. A partition that moves to
 * another consumer continues from the last committed offset, so what the old owner read but did not commit is
 * delivered again. Committed offsets never move backwards, except by {@link #seek}. In a cluster a broker
 * commits only the partitions it leads and learns the others' commits from {@link #onReplicatedCommits}; it
 * forgets positions in partitions it stops leading.
 *
 * <h2>New partitions</h2>
 * The first time a group is assigned a partition with no committed offset it starts at the log end
 * ({@link StartPosition#LATEST}) or start ({@link StartPosition#EARLIEST}) and commits that position
 * at once, so a later owner does not skip what was written in between. Topics that do not exist yet
 * yield nothing; when they appear, the group reads them from their start, since all their data was
 * written after it subscribed.
 *
 * <h2>Errors</h2>
 * Futures fail with a {@link io.runnel.broker.common.RunnelException}: {@code not_registered} for an unknown
 * consumer, {@code unknown_topic} or {@code bad_query} for a seek; with {@link IllegalStateException} once the
 * service is closed. Bad arguments throw {@link IllegalArgumentException} at once.
 */
public final class ConsumerService implements AutoCloseable {
    private final ConsumerConfig config;
    private final Cluster cluster;
    private final Clock clock;
    private final GroupThread thread = new GroupThread();
    private final GroupState state;
    private final OffsetCommitter offsets;
    private final GroupMembership membership;
    private final PollEngine polls;
    private final GroupViews views;
    private final ScheduledFuture<?> sweeper;

    public ConsumerService(ConsumerContext ctx) {
        this.config = ctx.config();
        this.cluster = ctx.cluster();
        this.clock = ctx.clock();
        this.state = new GroupState(ctx.store());
        this.offsets = new OffsetCommitter(ctx, state, thread);
        this.membership = new GroupMembership(ctx, state, thread, offsets);
        this.polls = new PollEngine(ctx, state, thread, offsets, membership);
        this.membership.attach(polls);
        this.views = new GroupViews(ctx, state);
        long period = sweepPeriod(config.consumerTimeout()).toMillis();
        this.sweeper = thread.scheduleWithFixedDelay(membership::sweep, period);
        cluster.evictSilentConsumers(config.consumerTimeout());
        cluster.addListener(this::onClusterState);
    }

    /**
     * The metadata changed. Reconciles with the newest state, not the one delivered: a listener's states may lag
     * behind {@link Cluster#state()}, which registrations read at once, and applying an older one after a newer
     * one would drop a member that just registered.
     */
    private void onClusterState(ClusterState changed) {
        if (!thread.closed()) {
            thread.execute(() -> membership.reconcile(cluster.state().consumers()));
        }
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

    // ---------------------------------------------------------------- public API (any thread)

    /**
     * Registers a consumer, or updates its group, topics or start position. Idempotent: the same
     * registration again only counts as a sign of life. Changing the group or topics rebalances.
     * The returned future completes once it has taken effect here (start positions fixed), so answer the client
     * only then: with {@link StartPosition#LATEST}, events produced after that answer are guaranteed to be read.
     *
     * @throws IllegalArgumentException if an argument is missing or a topic name is invalid
     * @throws IllegalStateException    if the service is closed
     */
    public CompletableFuture<Void> register(String consumerId, String group, List<String> topics,
                                            StartPosition onNewGroup) {
        return register(consumerId, group, topics, onNewGroup, null);
    }

    /**
     * {@link #register(String, String, List, StartPosition)} by an authenticated principal, whom the registration
     * records: the future fails with {@code forbidden} when another principal registered the same consumer id.
     *
     * @param owner the principal's name, {@code null} without authentication
     */
    public CompletableFuture<Void> register(String consumerId, String group, List<String> topics,
                                            StartPosition onNewGroup, String owner) {
        requireId(consumerId);
        if (group == null || group.isBlank()) {
            throw new IllegalArgumentException("group must not be empty");
        }
        Objects.requireNonNull(onNewGroup, "onNewGroup");
        if (topics == null || topics.isEmpty()) {
            throw new IllegalArgumentException("subscribe to at least one topic");
        }
        for (String t : topics) {
            if (!TopicNames.isValid(t)) {
                throw new IllegalArgumentException(TopicNames.problem(t));
            }
        }
        if (thread.closed()) {
            throw GroupThread.closedException();
        }
        return membership.register(consumerId, group, List.copyOf(new TreeSet<>(topics)), onNewGroup, owner);
    }

    /** The cluster-wide registration of a consumer, if it is registered (as far as this broker knows). Any thread. */
    public Optional<ConsumerRegistration> registration(String consumerId) {
        return membership.registration(consumerId);
    }

    /**
     * Commits what the previous poll returned, then answers with data from the consumer's partitions,
     * waiting up to {@code timeoutMs} (capped by {@link ConsumerConfig#maxPollWaitMs()}) for some.
     * Completes with {@link PollResult#EMPTY} when there is none, and exceptionally with
     * {@code not_registered} for an unknown consumer.
     *
     * @param maxBytes most chunk bytes to return; {@code <= 0} or above the configured cap means the cap
     */
    public CompletableFuture<PollResult> poll(String consumerId, long timeoutMs, int maxBytes) {
        requireId(consumerId);
        CompletableFuture<PollResult> future = new CompletableFuture<>();
        long waitMs = Math.min(Math.max(0, timeoutMs), config.maxPollWaitMs());
        int bytes = maxBytes <= 0 ? config.maxPollBytes() : Math.min(maxBytes, config.maxPollBytes());
        thread.submit(future, () -> polls.start(consumerId, waitMs, bytes, future));
        return future;
    }

    /** Commits the consumer's positions now; completes once durable. */
    public CompletableFuture<Void> commit(String consumerId) {
        requireId(consumerId);
        CompletableFuture<Void> future = new CompletableFuture<>();
        thread.submit(future, () -> {
            GroupMember m = membership.member(consumerId);
            m.lastSeenMillis = clock.millis();
            thread.completeHere(offsets.commitPositions(m), future);
        });
        return future;
    }

    /**
     * Commits the consumer's positions and removes it from its group, whose partitions are rebalanced
     * at once. Completes once the commit is durable and the removal applied here.
     */
    public CompletableFuture<Void> goodbye(String consumerId) {
        requireId(consumerId);
        CompletableFuture<Void> future = new CompletableFuture<>();
        thread.submit(future, () -> {
            GroupMember m = membership.member(consumerId);
            CompletableFuture<Void> committed = offsets.commitPositions(m);
            thread.completeHere(committed.thenCompose(v -> membership.leave(m.group, m.id)), future);
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
        thread.submit(future, () -> {
            GroupMember m = state.members.get(consumerId);
            if (m == null) {
                future.complete(null);
                return;
            }
            thread.completeHere(membership.leave(m.group, m.id), future);
        });
        return future;
    }

    /**
     * Sets the group's committed offset in each of {@code partitions} of {@code topic} (backwards too),
     * and the read position of the member that owns it here. In a cluster only for partitions this
     * broker leads. Completes with the new offsets once durable; exceptionally with {@code unknown_topic} or,
     * for an offset beyond the end, {@code bad_query}.
     */
    public CompletableFuture<List<OffsetCommit>> seek(String group, String topic, SeekTarget target, List<Integer> partitions) {
        CompletableFuture<List<OffsetCommit>> future = new CompletableFuture<>();
        thread.submit(future, () -> thread.completeHere(offsets.seek(group, topic, target, partitions), future));
        return future;
    }

    /**
     * Commits this broker stored as a follower of the partitions' leader: they become the group's
     * committed offsets here (a later leadership starts from them). Any thread; does not block.
     */
    public void onReplicatedCommits(List<OffsetCommit> commits) {
        if (!thread.closed()) {
            thread.execute(() -> offsets.applyReplicated(commits));
        }
    }

    /**
     * Tells the service that a partition's log grew durably to {@code nextOffset} (its high watermark in a
     * cluster): wakes long polls waiting on it. Cheap and non-blocking; may be called from any thread.
     */
    public void onAppend(String topic, int partition, long nextOffset) {
        if (!thread.closed()) {
            polls.onAppend(topic, partition, nextOffset);
        }
    }

    /** Snapshots of every group this broker knows, by name. */
    public CompletableFuture<List<GroupView>> groups() {
        return thread.query(() -> state.groups.values().stream().map(views::view).toList());
    }

    /** Snapshot of one group. */
    public CompletableFuture<Optional<GroupView>> group(String name) {
        return thread.query(() -> Optional.ofNullable(state.groups.get(name)).map(views::view));
    }

    /** Answers pending polls empty and stops the service's threads. Does not close the store. */
    /** Long polls parked on this broker now. Any thread. */
    public int parkedPolls() {
        return polls.parkedPolls();
    }

    /** Long polls answered at once so far because {@code max-parked-polls} were parked. Any thread. */
    public long pollsPastParkLimit() {
        return polls.pollsPastParkLimit();
    }

    @Override
    public void close() {
        if (thread.closed()) {
            return;
        }
        sweeper.cancel(false);
        thread.close(polls::answerAll);
    }

    /** Runs the eviction of silent consumers now (it also runs periodically). */
    CompletableFuture<Void> sweepNow() {
        return thread.query(() -> {
            membership.sweep();
            return null;
        });
    }

    private static void requireId(String consumerId) {
        if (consumerId == null || consumerId.isBlank()) {
            throw new IllegalArgumentException("consumerId must not be empty");
        }
    }

    private static Duration sweepPeriod(Duration consumerTimeout) {
        long ms = Math.clamp(consumerTimeout.toMillis() / 4, 10, 5_000);
        return Duration.ofMillis(ms);
    }
}
