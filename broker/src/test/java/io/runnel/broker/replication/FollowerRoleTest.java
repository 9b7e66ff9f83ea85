package io.runnel.broker.replication;

import static io.runnel.broker.replication.ReplicaTestContext.generation;
import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.broker.cluster.transport.ClusterMessage;
import io.runnel.broker.cluster.transport.ClusterMessage.AckStatus;
import io.runnel.broker.cluster.transport.ClusterMessage.Fetch;
import io.runnel.broker.cluster.transport.ClusterMessage.FetchPartition;
import io.runnel.broker.cluster.transport.ClusterMessage.FetchReply;
import io.runnel.broker.cluster.transport.ClusterMessage.Follow;
import io.runnel.broker.cluster.transport.ClusterMessage.FollowReply;
import io.runnel.broker.cluster.transport.ClusterMessage.Position;
import io.runnel.broker.cluster.transport.ClusterMessage.Replicate;
import io.runnel.broker.cluster.transport.ClusterMessage.ReplicateAck;
import io.runnel.broker.cluster.transport.ClusterMessage.ReplyStatus;
import io.runnel.broker.cluster.transport.ClusterMessage.TruncationPoint;
import io.runnel.storage.Chunk;
import io.runnel.discovery.Generation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Broker 1 following range 0 (led by broker 0), driven without threads, sockets or sleeps: the leader is a mock
 * channel whose Fetch and Follow requests the test answers.
 */
class FollowerRoleTest {
    private final ReplicaTestContext t = new ReplicaTestContext(1);
    private final List<ClusterMessage> replies = new ArrayList<>();

    /** Writes {@code count} one-event chunks of generation {@code generation} to partition 0, as an earlier leader did. */
    private void history(int generation, int count) {
        for (int i = 0; i < count; i++) {
            t.store.append(t.topic().id(), 0, generation, ReplicaTestContext.chunk("e"));
        }
    }

    private long logEnd() {
        return t.store.state(t.topic().id(), 0).logEndOffset();
    }

    private Replicate frame(long id, int version, long base) {
        byte[] chunk = ReplicaTestContext.chunk("x");
        Chunk.stamp(chunk, base, version);
        return new Replicate(id, 0, version, ReplicaTestContext.TOPIC, 0, base, chunk);
    }

    private void deliver(RangeReplica follower, Replicate r) {
        follower.execute(() -> follower.onReplicate(0, r, replies::add));
        t.run();
    }

    private ReplicateAck lastAck() {
        return (ReplicateAck) replies.getLast();
    }

    /** Answers the follower's Fetch with {@code points}, and its Follow with OK. */
    private Follow join(RangeReplica follower, int version, TruncationPoint... points) {
        MockPeerChannel.Pending fetch = t.peer(0).take(Fetch.class);
        fetch.answer().complete(new FetchReply(fetch.request().requestId(), 0, version, ReplyStatus.OK, List.of(points),
                List.of(ReplicaTestContext.TOPIC)));
        t.run();
        MockPeerChannel.Pending follow = t.peer(0).take(Follow.class);
        follow.answer().complete(new FollowReply(follow.request().requestId(), 0, version, ReplyStatus.OK));
        t.run();
        assertThat(follower.follower().state()).isEqualTo(FollowerRole.State.FOLLOWING);
        return (Follow) follow.request();
    }

    @Test
    void truncatesWhatTheNewGenerationDoesNotKeepThenFollowsAndAppends() {
        history(1, 5);
        history(2, 3); // written as leader of generation 2, never acknowledged: the new leader never had it
        RangeReplica follower = t.replica(0, generation(0, 3, 0, Set.of(0, 1, 2)));
        assertThat(follower.follower().state()).isEqualTo(FollowerRole.State.FETCH_SENT);
        Fetch fetch = (Fetch) t.peer(0).requests.values().iterator().next().request();
        assertThat(fetch.partitions()).containsExactly(new FetchPartition(ReplicaTestContext.TOPIC, 0, 8, 2));

        // The leader's history: generation 1 ends at 5 (it never had 2), its log starts at 0.
        Follow follow = join(follower, 3, new TruncationPoint(ReplicaTestContext.TOPIC, 0, 1, 5, 0));
        assertThat(logEnd()).isEqualTo(5);
        assertThat(follow.positions()).containsExactly(new Position(ReplicaTestContext.TOPIC, 0, 5));

        deliver(follower, frame(7, 3, 5));
        assertThat(lastAck().status()).isEqualTo(AckStatus.OK);
        assertThat(lastAck().value()).isEqualTo(6);
        assertThat(t.store.lastGeneration(t.topic().id(), 0)).isEqualTo(3);
        assertThat(follower.highWatermark(ReplicaTestContext.TOPIC, 0)).as("learnt from the frame").isEqualTo(5);
    }

    @Test
    void refusesChunksBeforeItJoinedAndChunksOfAnotherGeneration() {
        RangeReplica follower = t.replica(0, generation(0, 3, 0, Set.of(0, 1, 2)));
        deliver(follower, frame(1, 3, 0));
        assertThat(lastAck().status()).isEqualTo(AckStatus.NOT_FOLLOWING);

        join(follower, 3, new TruncationPoint(ReplicaTestContext.TOPIC, 0, 0, 0, 0));
        deliver(follower, frame(2, 2, 0));
        assertThat(lastAck().status()).isEqualTo(AckStatus.STALE_GENERATION);
        assertThat(lastAck().value()).as("the version it knows").isEqualTo(3);

        deliver(follower, frame(3, 3, 4));
        assertThat(lastAck().status()).isEqualTo(AckStatus.OFFSET_MISMATCH);
        assertThat(lastAck().value()).as("where its log ends").isZero();
        assertThat(logEnd()).isZero();
    }

    @Test
    void restartsAtTheLeadersLogStartWhenRetentionRemovedWhatItLacks() {
        history(1, 3);
        RangeReplica follower = t.replica(0, generation(0, 2, 0, Set.of(0, 1, 2)));
        Follow follow = join(follower, 2, new TruncationPoint(ReplicaTestContext.TOPIC, 0, 1, 40, 10));
        assertThat(t.store.state(t.topic().id(), 0).logStartOffset()).isEqualTo(10);
        assertThat(logEnd()).isEqualTo(10);
        assertThat(follow.positions()).containsExactly(new Position(ReplicaTestContext.TOPIC, 0, 10));
        deliver(follower, frame(1, 2, 10));
        assertThat(lastAck().value()).isEqualTo(11);
    }

    @Test
    void aRefusedFetchIsRetriedAfterABackoff() {
        RangeReplica follower = t.replica(0, generation(0, 2, 0, Set.of(0, 1, 2)));
        MockPeerChannel.Pending fetch = t.peer(0).take(Fetch.class);
        fetch.answer().complete(new FetchReply(fetch.request().requestId(), 0, 2, ReplyStatus.NOT_LEADER, List.of(), List.of()));
        t.run();
        assertThat(follower.follower().state()).isEqualTo(FollowerRole.State.JOINING);

        t.tickAfter(follower, 50);
        assertThat(t.peer(0).requests).isEmpty();
        t.tickAfter(follower, 60);
        assertThat(t.peer(0).requests.values()).extracting(p -> p.request().getClass()).containsExactly((Class) Fetch.class);
    }

    @Test
    void joinsAgainWhenTheConnectionToTheLeaderComesBack() {
        RangeReplica follower = t.replica(0, generation(0, 2, 0, Set.of(0, 1, 2)));
        join(follower, 2, new TruncationPoint(ReplicaTestContext.TOPIC, 0, 0, 0, 0));

        t.peer(0).connected = false;
        follower.execute(() -> follower.onPeerDisconnected(0));
        t.run();
        assertThat(follower.follower().state()).isEqualTo(FollowerRole.State.JOINING);
        deliver(follower, frame(1, 2, 0));
        assertThat(lastAck().status()).as("no chunks while rejoining").isEqualTo(AckStatus.NOT_FOLLOWING);

        t.peer(0).connected = true;
        follower.execute(() -> follower.onPeerConnected(0));
        t.run();
        join(follower, 2, new TruncationPoint(ReplicaTestContext.TOPIC, 0, 0, 0, 0));
    }

    @Test
    void aNewerGenerationWithAnotherLeaderStartsANewJoin() {
        RangeReplica follower = t.replica(0, generation(0, 2, 0, Set.of(0, 1, 2)));
        join(follower, 2, new TruncationPoint(ReplicaTestContext.TOPIC, 0, 0, 0, 0));
        FollowerRole old = follower.follower();

        Generation v3 = generation(0, 3, 2, Set.of(1, 2));
        follower.execute(() -> follower.onGeneration(v3));
        t.run();
        assertThat(old.state()).isEqualTo(FollowerRole.State.CLOSED);
        assertThat(follower.follower().leader).isEqualTo(2);
        assertThat(t.peer(2).requests.values()).extracting(p -> p.request().getClass()).containsExactly((Class) Fetch.class);
        follower.execute(() -> follower.onGeneration(generation(0, 2, 0, Set.of(0, 1, 2))));
        t.run();
        assertThat(follower.follower().version).as("an older generation is ignored").isEqualTo(3);
    }
}
