package io.runnel.broker.replication;

import static io.runnel.broker.replication.ReplicaTestContext.generation;
import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.broker.cluster.transport.ClusterMessage.AckStatus;
import io.runnel.broker.cluster.transport.ClusterMessage.Replicate;
import io.runnel.broker.cluster.transport.ClusterMessage.ReplicateAck;
import io.runnel.broker.common.Errors;
import io.runnel.broker.common.Futures;
import io.runnel.broker.common.RunnelException;
import io.runnel.discovery.Generation;
import io.runnel.storage.AppendResult;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The leader of range 0 on broker 0 (replicas 0, 1, 2), driven without threads, sockets or sleeps: followers are
 * mock channels whose frames the test acknowledges, the metadata a fake whose proposals the test commits.
 */
class LeaderRoleTest {
    private final ReplicaTestContext t = new ReplicaTestContext(0);
    private final Generation v1 = generation(0, 1, 0, Set.of(0, 1, 2));

    private RangeReplica leaderWithFollowers(Generation g, int... followers) {
        RangeReplica leader = t.replica(0, g);
        for (int f : followers) {
            t.follow(leader, f, g.version(), 0);
        }
        return leader;
    }

    private static Errors error(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        return Errors.forException(f.handle((v, e) -> e).join());
    }

    @Test
    void takesWritesOnlyOnceEnoughFollowersJoinedTheGeneration() {
        RangeReplica leader = t.replica(0, v1);
        assertThat(leader.leader().state()).isEqualTo(LeaderState.AWAITING_FOLLOWERS);
        assertThat(leader.takesWrites()).isFalse();
        assertThat(error(t.produce(leader, 0, "a"))).isEqualTo(Errors.NOT_LEADER);
        assertThat(t.store.state(t.topic().id(), 0).logEndOffset()).as("nothing written while unconfirmed").isZero();

        t.follow(leader, 1, 1, 0);
        assertThat(leader.leader().state()).isEqualTo(LeaderState.SERVING);
        assertThat(leader.takesWrites()).isTrue();
    }

    @Test
    void aWriteIsAcknowledgedOnceEveryInSyncReplicaHoldsIt() {
        RangeReplica leader = leaderWithFollowers(v1, 1, 2);
        CompletableFuture<AppendResult> acked = t.produce(leader, 0, "a", "b");
        assertThat(acked).isNotDone();

        List<Replicate> toOne = t.ackAll(leader, 1);
        assertThat(toOne).hasSize(1);
        assertThat(acked).as("broker 2 is in the ISR and lacks it").isNotDone();

        t.ackAll(leader, 2);
        assertThat(acked).isCompletedWithValue(new AppendResult(0, 2));
        assertThat(t.watermarks).last().satisfies(w -> assertThat(w).containsExactly(0, 2));
        assertThat(leader.highWatermark(ReplicaTestContext.TOPIC, 0)).isEqualTo(2);
    }

    @Test
    void aLaggingFollowerIsProposedOutOfTheIsrAndTheOthersAcknowledge() {
        RangeReplica leader = leaderWithFollowers(v1, 1, 2);
        CompletableFuture<AppendResult> acked = t.produce(leader, 0, "a");
        t.ackAll(leader, 1);

        t.tickAfter(leader, ReplicaTestContext.REPLICA_LAG.toMillis() + 1);
        FakeMetadata.Proposal shrink = t.metadata.take();
        assertThat(shrink.newLeader()).isEqualTo(-1);
        assertThat(shrink.isr()).containsExactlyInAnyOrder(0, 1);
        assertThat(leader.leader().inFlight()).isInstanceOf(IsrChange.Shrink.class);

        t.tickAfter(leader, 100);
        assertThat(t.metadata.proposals).as("one ISR change at a time").isEmpty();
        assertThat(acked).isNotDone();

        FakeMetadata.accept(shrink, v1);
        t.run();
        assertThat(leader.leader().inFlight()).isEqualTo(IsrChange.NONE);
        assertThat(acked).isCompletedWithValue(new AppendResult(0, 1));
    }

    @Test
    void aCaughtUpFollowerIsProposedBackAndHoldsTheWatermarkWhileTheChangeIsInFlight() {
        Generation narrow = generation(0, 1, 0, Set.of(0, 1));
        RangeReplica leader = leaderWithFollowers(narrow, 1, 2);
        CompletableFuture<AppendResult> first = t.produce(leader, 0, "a");
        t.ackAll(leader, 1);
        assertThat(first).as("the ISR {0, 1} holds it").isCompletedWithValue(new AppendResult(0, 1));

        t.ackAll(leader, 2); // broker 2 catches up
        t.tickAfter(leader, 10);
        FakeMetadata.Proposal expand = t.metadata.take();
        assertThat(expand.isr()).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(leader.leader().inFlight()).isEqualTo(new IsrChange.Expand(Set.of(0, 1, 2), 2));

        CompletableFuture<AppendResult> second = t.produce(leader, 0, "b");
        t.ackAll(leader, 1);
        assertThat(second).as("the joining member must hold it too").isNotDone();
        t.ackAll(leader, 2);
        assertThat(second).isCompletedWithValue(new AppendResult(1, 1));

        FakeMetadata.accept(expand, narrow);
        t.run();
        assertThat(leader.leader().inFlight()).isEqualTo(IsrChange.NONE);
    }

    @Test
    void aFailedExpansionNoLongerHoldsTheWatermarkAndIsRetriedAfterABackoff() {
        Generation narrow = generation(0, 1, 0, Set.of(0, 1));
        RangeReplica leader = leaderWithFollowers(narrow, 1, 2);
        t.tickAfter(leader, 10);
        FakeMetadata.Proposal expand = t.metadata.take(); // broker 2 joined at 0 and holds everything
        CompletableFuture<AppendResult> write = t.produce(leader, 0, "a");
        t.ackAll(leader, 1);
        assertThat(write).isNotDone();

        expand.answer().completeExceptionally(new IllegalStateException("no quorum"));
        t.run();
        assertThat(write).isCompletedWithValue(new AppendResult(0, 1));
        t.ackAll(leader, 2); // caught up again
        t.tickAfter(leader, 100);
        assertThat(t.metadata.proposals).as("backing off").isEmpty();
        t.tickAfter(leader, 1000);
        assertThat(t.metadata.proposals).hasSize(1);
    }

    @Test
    void aFollowerThatKnowsANewerGenerationDeposesTheLeader() {
        RangeReplica leader = leaderWithFollowers(v1, 1, 2);
        CompletableFuture<AppendResult> acked = t.produce(leader, 0, "a");
        Replicate frame = t.peer(1).drain(Replicate.class).getFirst();
        leader.execute(() -> leader.onAck(1, new ReplicateAck(frame.requestId(), 0, 1, frame.topic(), 0,
                AckStatus.STALE_GENERATION, 2)));
        t.run();

        assertThat(error(acked)).isEqualTo(Errors.NOT_LEADER);
        assertThat(leader.leader().state()).isEqualTo(LeaderState.DEPOSED);
        assertThat(leader.takesWrites()).isFalse();
        t.tickAfter(leader, ReplicaTestContext.REPLICA_LAG.toMillis() * 4);
        assertThat(t.metadata.proposals).as("a deposed leader proposes nothing").isEmpty();
    }

    @Test
    void aNewerGenerationNamingAnotherLeaderEndsTheRoleAndStartsFollowing() {
        RangeReplica leader = leaderWithFollowers(v1, 1, 2);
        CompletableFuture<AppendResult> acked = t.produce(leader, 0, "a");
        LeaderRole role = leader.leader();

        leader.execute(() -> leader.onGeneration(generation(0, 2, 1, Set.of(1, 2))));
        t.run();
        assertThat(error(acked)).isEqualTo(Errors.NOT_LEADER);
        assertThat(role.state()).isEqualTo(LeaderState.CLOSED);
        assertThat(leader.leader()).isNull();
        assertThat(leader.follower()).isNotNull();
        assertThat(t.peer(1).requests).as("it joins the new leader with a Fetch").hasSize(1);
    }

    @Test
    void handOverFencesDrainsAndThenProposesTheMostCaughtUpInSyncFollower() {
        RangeReplica leader = leaderWithFollowers(v1, 1, 2);
        CompletableFuture<AppendResult> taken = t.produce(leader, 0, "a");
        CompletableFuture<Integer> moved = leader.handOver(Duration.ofSeconds(1));
        t.run();

        assertThat(leader.leader().state()).isEqualTo(LeaderState.FENCED);
        assertThat(leader.takesWrites()).isFalse();
        CompletableFuture<AppendResult> refused = t.produce(leader, 0, "b");
        assertThat(error(refused)).isEqualTo(Errors.NOT_LEADER);
        assertThat(Futures.unwrap(refused.handle((v, e) -> e).join())).hasMessageContaining("handing");

        t.ackAll(leader, 2);
        t.executor.advance(10);
        assertThat(t.metadata.proposals).as("not before the write taken is acknowledged").isEmpty();
        t.ackAll(leader, 1);
        assertThat(taken).isCompletedWithValue(new AppendResult(0, 1));
        t.executor.advance(10);

        FakeMetadata.Proposal handOver = t.metadata.take();
        assertThat(handOver.newLeader()).isIn(1, 2);
        assertThat(handOver.version()).isEqualTo(1);
        assertThat(handOver.isr()).doesNotContain(0);
        FakeMetadata.accept(handOver, v1);
        assertThat(moved).isCompletedWithValue(handOver.newLeader());

        leader.execute(() -> leader.onGeneration(generation(0, 2, handOver.newLeader(), handOver.isr())));
        t.run();
        assertThat(leader.follower()).as("a leaving broker does not follow").isNull();
    }

    @Test
    void aWriteNotAcknowledgedWithinThePendingTimeoutIsAnsweredWithAnUnknownOutcome() {
        RangeReplica leader = leaderWithFollowers(v1, 1, 2);
        CompletableFuture<AppendResult> acked = t.produce(leader, 0, "a");
        t.tickAfter(leader, ReplicaTestContext.PENDING_TIMEOUT.toMillis() + 1);
        assertThat(error(acked)).isEqualTo(Errors.REPLICATION_TIMEOUT);
        assertThat(Futures.unwrap(acked.handle((v, e) -> e).join())).hasMessageContaining("may or may not be stored");
    }

    @Test
    void writesWaitingWhenTheMajorityLeavesTheViewAreAnsweredAtTheNextTick() {
        RangeReplica leader = leaderWithFollowers(v1, 1, 2);
        CompletableFuture<AppendResult> acked = t.produce(leader, 0, "a");
        t.metadata.live = Set.of(0);
        t.tickAfter(leader, 100);
        assertThat(error(acked)).isEqualTo(Errors.NOT_ENOUGH_REPLICAS);
        assertThat(error(t.produce(leader, 0, "b"))).isEqualTo(Errors.NOT_ENOUGH_REPLICAS);
    }

    @Test
    void aDisconnectedFollowerIsStreamedAgainFromWhatItAcknowledged() {
        RangeReplica leader = leaderWithFollowers(v1, 1, 2);
        t.produce(leader, 0, "a");
        t.ackAll(leader, 1);
        t.produce(leader, 0, "b");
        assertThat(t.peer(1).drain(Replicate.class)).hasSize(1); // lost with the connection

        t.peer(1).connected = false;
        leader.execute(() -> leader.onPeerDisconnected(1));
        t.run();
        t.peer(1).connected = true;
        leader.execute(() -> leader.onPeerConnected(1));
        t.run();
        List<Replicate> resent = t.peer(1).drain(Replicate.class);
        assertThat(resent).extracting(r -> io.runnel.storage.Chunk.wrap(r.chunk()).baseOffset()).containsExactly(1L);
    }

    @Test
    void errorsAreTheCatalogs() {
        RunnelException e = LeaderRole.notLeader();
        assertThat(e.error()).isEqualTo(Errors.NOT_LEADER);
        assertThat(e.retryAfterSeconds()).isPositive();
    }
}
