package io.runnel.broker.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.runnel.broker.common.Errors;
import io.runnel.broker.common.RunnelException;
import io.runnel.discovery.Cluster;
import io.runnel.discovery.TokenRing;
import io.runnel.storage.Chunk;
import io.runnel.storage.ChunkBuilder;
import io.runnel.storage.OffsetKey;
import io.runnel.storage.TopicConfig;
import io.runnel.storage.TopicInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Consumer groups against the in-memory store fake: membership, positions, polls, commits. */
class ConsumerServiceTest {
    private static final Duration CONSUMER_TIMEOUT = Duration.ofMinutes(2);
    private static final long WAIT_S = 10;

    private final InMemoryLogStore store = new InMemoryLogStore();
    private final Cluster cluster = Cluster.singleNode(4);
    private final TokenRing ring = cluster.ring();
    private final MutableClock clock = new MutableClock();
    private ConsumerService service;

    @BeforeEach
    void start() {
        service = service(new ConsumerConfig(CONSUMER_TIMEOUT, 30_000, 1 << 20));
    }

    @AfterEach
    void stop() {
        service.close();
        cluster.close();
        store.close();
    }

    /** A single broker's groups over this test's store, cluster and clock. */
    private ConsumerService service(ConsumerConfig config) {
        return new ConsumerService(ConsumerContext.singleBroker(store, cluster, config, clock));
    }

    // ------------------------------------------------------------------ helpers

    private TopicInfo topic(String name) {
        return store.ensureTopic(name, TopicConfig.DEFAULT);
    }

    /** Appends one chunk of {@code events} durably and tells the service, as the produce path does. */
    private long produce(String topic, int partition, String... events) throws Exception {
        TopicInfo t = topic(topic);
        ChunkBuilder b = new ChunkBuilder();
        for (String e : events) {
            byte[] v = e.getBytes(StandardCharsets.UTF_8);
            b.add(v, 0, v.length, clock.millis());
        }
        long next = store.append(t.id(), partition, 1, b.build()).get(WAIT_S, TimeUnit.SECONDS).nextOffset();
        service.onAppend(topic, partition, next);
        return next;
    }

    private PollResult poll(String consumer) throws Exception {
        return service.poll(consumer, 0, 0).get(WAIT_S, TimeUnit.SECONDS);
    }

    private PollResult poll(String consumer, int maxBytes) throws Exception {
        return service.poll(consumer, 0, maxBytes).get(WAIT_S, TimeUnit.SECONDS);
    }

    private void register(String consumer, String group, StartPosition start, String... topics) throws Exception {
        service.register(consumer, group, List.of(topics), start).get(WAIT_S, TimeUnit.SECONDS);
    }

    private GroupView group(String name) throws Exception {
        return service.group(name).get(WAIT_S, TimeUnit.SECONDS).orElseThrow();
    }

    private Map<String, Set<Integer>> partitionsByMember(String group) throws Exception {
        Map<String, Set<Integer>> out = new HashMap<>();
        for (GroupView.Member m : group(group).members()) {
            Set<Integer> ps = new HashSet<>();
            m.assignment().forEach(a -> ps.add(a.partition()));
            out.put(m.consumerId(), ps);
        }
        return out;
    }

    private long committed(String group, String topic, int partition) {
        return store.committedOffset(new OffsetKey(group, topic(topic).id(), partition)).orElse(-1);
    }

    private static Throwable cause(CompletableFuture<?> f) {
        assertThatThrownBy(() -> f.get(WAIT_S, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        try {
            f.get();
            throw new AssertionError("not failed");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------------ registration

    @Test
    void unknownConsumersAreNotRegistered() {
        assertThat(cause(service.poll("nobody", 0, 0))).isInstanceOfSatisfying(RunnelException.class, e -> assertThat(e.error()).isEqualTo(Errors.NOT_REGISTERED))
                .hasMessageContaining("nobody").hasMessageContaining("register");
        assertThat(cause(service.commit("nobody"))).isInstanceOfSatisfying(RunnelException.class, e -> assertThat(e.error()).isEqualTo(Errors.NOT_REGISTERED));
        assertThat(cause(service.goodbye("nobody"))).isInstanceOfSatisfying(RunnelException.class, e -> assertThat(e.error()).isEqualTo(Errors.NOT_REGISTERED));
    }

    @Test
    void registrationArgumentsAreValidated() {
        assertThatThrownBy(() -> service.register(" ", "g", List.of("t"), StartPosition.LATEST))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("consumerId");
        assertThatThrownBy(() -> service.register("c", "g", List.of(), StartPosition.LATEST))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topic");
        assertThatThrownBy(() -> service.register("c", "g", List.of("bad/name"), StartPosition.LATEST))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad/name");
        assertThatThrownBy(() -> service.register("c", "", List.of("t"), StartPosition.LATEST))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("group");
    }

    @Test
    void startPositionParsesBarcoNames() {
        assertThat(StartPosition.parse("startFromLatest")).isEqualTo(StartPosition.LATEST);
        assertThat(StartPosition.parse("startFromEarliest")).isEqualTo(StartPosition.EARLIEST);
        assertThatThrownBy(() -> StartPosition.parse("earliest"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("startFromLatest").hasMessageContaining("startFromEarliest").hasMessageContaining("earliest");
    }

    @Test
    void configIsValidated() {
        assertThat(ConsumerConfig.defaults()).isEqualTo(new ConsumerConfig(Duration.ofMinutes(2), 30_000, 1 << 20));
        assertThatThrownBy(() -> new ConsumerConfig(Duration.ZERO, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConsumerConfig(Duration.ofSeconds(1), -1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConsumerConfig(Duration.ofSeconds(1), 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void registeringTwiceIsIdempotentAndReRegisteringUpdatesTheConsumer() throws Exception {
        register("c1", "g", StartPosition.LATEST, "a");
        register("c1", "g", StartPosition.LATEST, "a");
        GroupView g = group("g");
        assertThat(g.members()).hasSize(1);
        assertThat(g.members().get(0).assignment()).hasSize(4).allMatch(a -> a.topic().equals("a"));

        register("c1", "g", StartPosition.LATEST, "a", "b");
        assertThat(group("g").members().get(0).assignment()).hasSize(8);

        register("c1", "other", StartPosition.LATEST, "b");
        assertThat(group("g").members()).isEmpty();
        assertThat(group("other").members()).singleElement()
                .satisfies(m -> assertThat(m.topics()).containsExactly("b"));
    }

    // ------------------------------------------------------------------ positions

    @Test
    void latestStartsAtTheLogEndWhenTheGroupFirstSeesThePartition() throws Exception {
        produce("t", 0, "\"old\"");
        register("c1", "g", StartPosition.LATEST, "t");
        produce("t", 0, "\"new\"");

        assertThat(Polled.values(poll("c1"))).containsExactly("\"new\"");
    }

    @Test
    void earliestStartsAtTheLogStart() throws Exception {
        produce("t", 0, "1", "2");
        produce("t", 2, "3");
        register("c1", "g", StartPosition.EARLIEST, "t");

        assertThat(Polled.of(poll("c1"))).extracting(Polled::partition, Polled::offset, Polled::value)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(0, 0L, "1"),
                        org.assertj.core.groups.Tuple.tuple(0, 1L, "2"),
                        org.assertj.core.groups.Tuple.tuple(2, 0L, "3"));
    }

    @Test
    void aCommittedOffsetWinsOverTheStartPositionAndRecordsBelowItInsideAChunkAreSkipped() throws Exception {
        produce("t", 1, "0", "1", "2", "3", "4");
        store.commitOffsets(Map.of(new OffsetKey("g", topic("t").id(), 1), 2L)).get();
        register("c1", "g", StartPosition.EARLIEST, "t");

        PollResult r = poll("c1");
        assertThat(r.batches()).singleElement().satisfies(b -> {
            assertThat(b.startOffset()).isEqualTo(2);
            assertThat(b.nextOffset()).isEqualTo(5);
            assertThat(b.chunks()).hasSize(1);
            assertThat(b.chunks().get(0).baseOffset()).isEqualTo(0); // the chunk itself, not a copy
        });
        assertThat(Polled.values(r)).containsExactly("2", "3", "4");
    }

    @Test
    void theStartPositionOfANewGroupIsCommittedSoALaterOwnerDoesNotSkipData() throws Exception {
        produce("t", 0, "1", "2");
        register("c1", "g", StartPosition.LATEST, "t");
        await().untilAsserted(() -> assertThat(committed("g", "t", 0)).isEqualTo(2));
        produce("t", 0, "3");
        service.goodbye("c1").get(WAIT_S, TimeUnit.SECONDS); // never polled

        register("c2", "g", StartPosition.LATEST, "t");
        assertThat(Polled.values(poll("c2"))).containsExactly("3");
    }

    @Test
    void aTopicCreatedAfterRegistrationIsReadFromItsStart() throws Exception {
        register("c1", "g", StartPosition.LATEST, "later");
        assertThat(poll("c1").isEmpty()).isTrue();

        produce("later", 3, "\"first\"");
        assertThat(Polled.of(poll("c1"))).singleElement().satisfies(e -> {
            assertThat(e.partition()).isEqualTo(3);
            assertThat(e.offset()).isZero();
            assertThat(e.value()).isEqualTo("\"first\"");
        });
    }

    @Test
    void positionsBelowTheLogStartContinueFromIt() throws Exception {
        produce("t", 0, "0", "1");
        produce("t", 0, "2", "3");
        produce("t", 0, "4");
        register("c1", "g", StartPosition.EARLIEST, "t");
        store.deleteBefore(topic("t").id(), 0, 4);

        PollResult r = poll("c1");
        assertThat(r.batches()).singleElement().satisfies(b -> assertThat(b.startOffset()).isEqualTo(4));
        assertThat(Polled.values(r)).containsExactly("4");
    }

    // ------------------------------------------------------------------ commits

    @Test
    void eachPollCommitsWhatThePreviousPollReturned() throws Exception {
        register("c1", "g", StartPosition.EARLIEST, "t");
        produce("t", 0, "1", "2", "3");

        assertThat(Polled.values(poll("c1"))).hasSize(3);
        assertThat(committed("g", "t", 0)).as("nothing confirmed yet").isZero();

        produce("t", 0, "4");
        assertThat(Polled.values(poll("c1"))).containsExactly("4");
        assertThat(committed("g", "t", 0)).as("the first poll's data").isEqualTo(3);

        assertThat(poll("c1").isEmpty()).isTrue();
        assertThat(committed("g", "t", 0)).isEqualTo(4);
    }

    @Test
    void aPollAnswersOnlyOnceThePreviousPollsPositionsAreDurable() throws Exception {
        register("c1", "g", StartPosition.EARLIEST, "t");
        produce("t", 0, "1", "2");
        assertThat(Polled.values(poll("c1"))).containsExactly("1", "2");
        produce("t", 0, "3");

        store.commitGate = new java.util.concurrent.CountDownLatch(1);
        CompletableFuture<PollResult> second = service.poll("c1", 0, 0);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !second.isDone());
        assertThat(committed("g", "t", 0)).isZero();

        store.commitGate.countDown();
        assertThat(Polled.values(second.get(WAIT_S, TimeUnit.SECONDS))).containsExactly("3");
        assertThat(committed("g", "t", 0)).isEqualTo(2);
    }

    @Test
    void commitCommitsNowAndGoodbyeCommitsAndLeaves() throws Exception {
        register("c1", "g", StartPosition.EARLIEST, "t");
        produce("t", 0, "1", "2");
        produce("t", 1, "3");
        poll("c1");

        service.commit("c1").get(WAIT_S, TimeUnit.SECONDS);
        assertThat(committed("g", "t", 0)).isEqualTo(2);
        assertThat(committed("g", "t", 1)).isEqualTo(1);

        produce("t", 0, "4");
        poll("c1");
        service.goodbye("c1").get(WAIT_S, TimeUnit.SECONDS);
        assertThat(committed("g", "t", 0)).isEqualTo(3);
        assertThat(cause(service.poll("c1", 0, 0))).isInstanceOfSatisfying(RunnelException.class, e -> assertThat(e.error()).isEqualTo(Errors.NOT_REGISTERED));
        assertThat(group("g").committed()).contains(new GroupView.CommittedOffset("t", 0, 3),
                new GroupView.CommittedOffset("t", 1, 1));
    }

    @Test
    void committedOffsetsNeverMoveBackwards() throws Exception {
        produce("t", 0, "1", "2", "3");
        register("c1", "g", StartPosition.EARLIEST, "t");
        poll("c1");
        service.commit("c1").get(WAIT_S, TimeUnit.SECONDS);
        assertThat(committed("g", "t", 0)).isEqualTo(3);

        // c1 leaves without confirming anything new; c2 and c3 take over from offset 3.
        service.goodbye("c1").get(WAIT_S, TimeUnit.SECONDS);
        register("c2", "g", StartPosition.EARLIEST, "t");
        assertThat(poll("c2").isEmpty()).isTrue();
        service.commit("c2").get(WAIT_S, TimeUnit.SECONDS);

        List<Long> writtenForP0 = new ArrayList<>();
        OffsetKey p0 = new OffsetKey("g", topic("t").id(), 0);
        for (Map<OffsetKey, Long> batch : store.commits) {
            if (batch.containsKey(p0)) {
                writtenForP0.add(batch.get(p0));
            }
        }
        assertThat(writtenForP0).isSorted().doesNotHaveDuplicates();
    }

    // ------------------------------------------------------------------ rebalancing

    @Test
    void registeringRebalancesAndNoPartitionIsReadByTwoConsumers() throws Exception {
        register("c1", "g", StartPosition.EARLIEST, "t");
        assertThat(partitionsByMember("g").get("c1")).containsExactlyInAnyOrder(0, 1, 2, 3);

        register("c2", "g", StartPosition.EARLIEST, "t");
        Map<String, Set<Integer>> byMember = partitionsByMember("g");
        assertThat(byMember.get("c1")).containsExactlyInAnyOrder(0, 2);
        assertThat(byMember.get("c2")).containsExactlyInAnyOrder(1, 3);

        for (int p = 0; p < 4; p++) {
            produce("t", p, "\"p" + p + "\"");
        }
        List<Polled> c1 = Polled.of(poll("c1"));
        List<Polled> c2 = Polled.of(poll("c2"));
        assertThat(c1).extracting(Polled::partition).containsExactlyInAnyOrder(0, 2);
        assertThat(c2).extracting(Polled::partition).containsExactlyInAnyOrder(1, 3);
    }

    @Test
    void goodbyeHandsPartitionsOnFromTheCommittedOffsets() throws Exception {
        register("c1", "g", StartPosition.EARLIEST, "t");
        register("c2", "g", StartPosition.EARLIEST, "t");
        for (int p = 0; p < 4; p++) {
            produce("t", p, "\"p" + p + "a\"");
        }
        assertThat(Polled.of(poll("c1"))).extracting(Polled::partition).containsExactlyInAnyOrder(0, 2);
        service.goodbye("c1").get(WAIT_S, TimeUnit.SECONDS);

        assertThat(partitionsByMember("g")).containsOnlyKeys("c2");
        assertThat(partitionsByMember("g").get("c2")).containsExactlyInAnyOrder(0, 1, 2, 3);
        produce("t", 0, "\"p0b\"");
        // c1 confirmed p0a and p2a by saying goodbye: c2 gets only what is new there, plus its own partitions.
        assertThat(Polled.values(poll("c2"))).containsExactlyInAnyOrder("\"p0b\"", "\"p1a\"", "\"p3a\"");
    }

    @Test
    void aSilentConsumerTimesOutAndItsUncommittedReadsAreDeliveredAgain() throws Exception {
        register("c1", "g", StartPosition.EARLIEST, "t");
        register("c2", "g", StartPosition.EARLIEST, "t");
        produce("t", 0, "\"a\"", "\"b\"");
        produce("t", 2, "\"c\"");
        assertThat(Polled.values(poll("c1"))).containsExactlyInAnyOrder("\"a\"", "\"b\"", "\"c\"");
        // c1 dies here: it never polls again, so it never confirms a, b and c.

        clock.advance(CONSUMER_TIMEOUT.minusSeconds(1));
        service.commit("c2").get(WAIT_S, TimeUnit.SECONDS); // c2 stays alive
        service.sweepNow().get(WAIT_S, TimeUnit.SECONDS);
        assertThat(partitionsByMember("g")).containsOnlyKeys("c1", "c2");

        clock.advance(Duration.ofSeconds(2));
        service.sweepNow().get(WAIT_S, TimeUnit.SECONDS);
        assertThat(partitionsByMember("g")).containsOnlyKeys("c2");
        assertThat(partitionsByMember("g").get("c2")).containsExactlyInAnyOrder(0, 1, 2, 3);

        assertThat(Polled.values(poll("c2"))).containsExactlyInAnyOrder("\"a\"", "\"b\"", "\"c\"");
        assertThat(cause(service.poll("c1", 0, 0))).isInstanceOfSatisfying(RunnelException.class, e -> assertThat(e.error()).isEqualTo(Errors.NOT_REGISTERED));
    }

    @Test
    void aConsumerInALongPollDoesNotTimeOut() throws Exception {
        service.close();
        service = service(new ConsumerConfig(Duration.ofSeconds(1), 30_000, 1 << 20));
        register("c1", "g", StartPosition.EARLIEST, "t");
        CompletableFuture<PollResult> parked = service.poll("c1", 30_000, 0);
        service.groups().get(WAIT_S, TimeUnit.SECONDS); // calls run in order: the poll has begun
        clock.advance(Duration.ofMinutes(5));
        service.sweepNow().get(WAIT_S, TimeUnit.SECONDS);
        assertThat(partitionsByMember("g")).containsOnlyKeys("c1");
        assertThat(parked).isNotDone();
        produce("t", 0, "1");
        assertThat(Polled.values(parked.get(WAIT_S, TimeUnit.SECONDS))).containsExactly("1");
    }

    @Test
    void dataReadWhileARebalanceMovesThePartitionIsNotHandedToTheOldOwner() throws Exception {
        register("c1", "g", StartPosition.EARLIEST, "t");
        for (int p = 0; p < 4; p++) {
            produce("t", p, "\"p" + p + "\"");
        }
        store.readGate = new java.util.concurrent.CountDownLatch(1);
        CompletableFuture<PollResult> inFlight = service.poll("c1", 0, 0);
        assertThat(store.readsAtGate.tryAcquire(WAIT_S, TimeUnit.SECONDS)).isTrue(); // c1's read has begun

        register("c2", "g", StartPosition.EARLIEST, "t"); // takes partitions 1 and 3 away from c1
        store.readGate.countDown();
        store.readGate = null;

        assertThat(Polled.of(inFlight.get(WAIT_S, TimeUnit.SECONDS))).extracting(Polled::value)
                .containsExactlyInAnyOrder("\"p0\"", "\"p2\"");
        assertThat(Polled.values(poll("c2"))).containsExactlyInAnyOrder("\"p1\"", "\"p3\"");
    }

    // ------------------------------------------------------------------ polls

    @Test
    void longPollWakesOnAppend() throws Exception {
        register("c1", "g", StartPosition.LATEST, "t");
        CompletableFuture<PollResult> parked = service.poll("c1", 20_000, 0);
        // Answered only by the append: a premature empty answer would fail below.
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !parked.isDone());
        produce("t", 2, "{\"x\":1}");

        PollResult r = parked.get(WAIT_S, TimeUnit.SECONDS);
        assertThat(Polled.of(r)).singleElement().satisfies(e -> {
            assertThat(e.partition()).isEqualTo(2);
            assertThat(e.value()).isEqualTo("{\"x\":1}");
        });
    }

    @Test
    void longPollAnswersEmptyWhenItsTimeoutElapses() throws Exception {
        register("c1", "g", StartPosition.LATEST, "t");
        produce("other", 0, "1");
        PollResult r = service.poll("c1", 200, 0).get(WAIT_S, TimeUnit.SECONDS);
        assertThat(r.isEmpty()).isTrue();
    }

    @Test
    void pastMaxParkedPollsALongPollAnswersAtOnce() throws Exception {
        service.close();
        service = service(new ConsumerConfig(CONSUMER_TIMEOUT, 30_000, 1 << 20, new ConsumerConfig.Limits(1000, 1000, 1)));
        register("c1", "g1", StartPosition.LATEST, "t");
        register("c2", "g2", StartPosition.LATEST, "t");
        CompletableFuture<PollResult> parked = service.poll("c1", 30_000, 0);
        service.groups().get(WAIT_S, TimeUnit.SECONDS); // calls run in order: c1's poll is parked
        assertThat(service.poll("c2", 30_000, 0).get(WAIT_S, TimeUnit.SECONDS).isEmpty()).as("over the limit").isTrue();
        assertThat(service.parkedPolls()).isEqualTo(1);
        assertThat(service.pollsPastParkLimit()).isEqualTo(1);
        assertThat(parked).isNotDone();
        produce("t", 1, "1");
        assertThat(Polled.values(parked.get(WAIT_S, TimeUnit.SECONDS))).containsExactly("1");
        // The slot is free again: c1's next long poll (it has read everything) parks.
        CompletableFuture<PollResult> again = service.poll("c1", 30_000, 0);
        service.groups().get(WAIT_S, TimeUnit.SECONDS);
        assertThat(again).isNotDone();
    }

    @Test
    void registrationsPastTheGroupLimitsAreRefused() throws Exception {
        service.close();
        service = service(new ConsumerConfig(CONSUMER_TIMEOUT, 30_000, 1 << 20, new ConsumerConfig.Limits(2, 2, 1000)));
        register("a1", "a", StartPosition.LATEST, "t");
        register("a2", "a", StartPosition.LATEST, "t");
        assertThat(cause(service.register("a3", "a", List.of("t"), StartPosition.LATEST)))
                .isInstanceOfSatisfying(RunnelException.class, e -> assertThat(e.error()).isEqualTo(Errors.LIMIT_EXCEEDED))
                .hasMessageContaining("max-consumers-per-group");
        register("b1", "b", StartPosition.LATEST, "t");
        assertThat(cause(service.register("c1", "c", List.of("t"), StartPosition.LATEST)))
                .hasMessageContaining("max-groups");
        register("a1", "a", StartPosition.LATEST, "t"); // registering again is not a new member
    }

    @Test
    void longPollIsCappedByTheConfiguredWait() throws Exception {
        service.close();
        service = service(new ConsumerConfig(CONSUMER_TIMEOUT, 100, 1 << 20));
        register("c1", "g", StartPosition.LATEST, "t");
        assertThat(service.poll("c1", 3_600_000, 0).get(WAIT_S, TimeUnit.SECONDS).isEmpty()).isTrue();
    }

    @Test
    void anAppendToAnotherConsumersPartitionDoesNotAnswerALongPoll() throws Exception {
        register("c1", "g", StartPosition.LATEST, "t");
        register("c2", "g", StartPosition.LATEST, "t");
        CompletableFuture<PollResult> c1 = service.poll("c1", 20_000, 0); // partitions 0 and 2
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(2)).until(() -> !c1.isDone());
        produce("t", 1, "\"for c2\"");
        assertThat(Polled.values(poll("c2"))).containsExactly("\"for c2\"");
        assertThat(c1).isNotDone();
        produce("t", 0, "\"for c1\"");
        assertThat(Polled.values(c1.get(WAIT_S, TimeUnit.SECONDS))).containsExactly("\"for c1\"");
    }

    @Test
    void aParkedPollFollowsARebalance() throws Exception {
        register("c1", "g", StartPosition.LATEST, "t");
        CompletableFuture<PollResult> c1 = service.poll("c1", 20_000, 0); // all partitions
        register("c2", "g", StartPosition.LATEST, "t"); // c1 keeps 0 and 2
        produce("t", 1, "\"for c2\"");
        assertThat(Polled.values(poll("c2"))).containsExactly("\"for c2\"");
        assertThat(c1).isNotDone();
        produce("t", 2, "\"for c1\"");
        assertThat(Polled.values(c1.get(WAIT_S, TimeUnit.SECONDS))).containsExactly("\"for c1\"");
    }

    @Test
    void aParkedPollAnswersWithDataOfPartitionsItTakesOver() throws Exception {
        register("c1", "g", StartPosition.EARLIEST, "t");
        register("c2", "g", StartPosition.EARLIEST, "t");
        produce("t", 1, "\"unread by c2\"");
        CompletableFuture<PollResult> c1 = service.poll("c1", 20_000, 0); // 0 and 2: nothing there
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(2)).until(() -> !c1.isDone());

        service.goodbye("c2").get(WAIT_S, TimeUnit.SECONDS);
        assertThat(Polled.values(c1.get(WAIT_S, TimeUnit.SECONDS))).containsExactly("\"unread by c2\"");
    }

    @Test
    void aSecondPollAnswersTheFirstEmpty() throws Exception {
        register("c1", "g", StartPosition.LATEST, "t");
        CompletableFuture<PollResult> first = service.poll("c1", 20_000, 0);
        CompletableFuture<PollResult> second = service.poll("c1", 20_000, 0);
        assertThat(first.get(WAIT_S, TimeUnit.SECONDS).isEmpty()).isTrue();
        produce("t", 3, "1");
        assertThat(Polled.values(second.get(WAIT_S, TimeUnit.SECONDS))).containsExactly("1");
    }

    @Test
    void readsRunOnThePollThreadsNotTheCaller() throws Exception {
        register("c1", "g", StartPosition.EARLIEST, "t");
        produce("t", 0, "1");
        store.readThreads.clear();
        poll("c1");
        assertThat(store.readThreads).isNotEmpty().allMatch(n -> n.startsWith("runnel-poll-"));
    }

    @Test
    void maxBytesIsHonouredAndAtLeastOneChunkIsReturned() throws Exception {
        register("c1", "g", StartPosition.EARLIEST, "t");
        String event = "\"" + "x".repeat(100) + "\"";
        int chunkBytes = 0;
        for (int i = 0; i < 10; i++) {
            produce("t", 0, event);
        }
        chunkBytes = Chunk.HEADER_SIZE + 12 + event.length();

        PollResult tiny = poll("c1", 1);
        assertThat(tiny.batches()).singleElement().satisfies(b -> assertThat(b.chunks()).hasSize(1));

        PollResult some = poll("c1", 3 * chunkBytes);
        long bytes = some.batches().stream().mapToLong(PartitionBatch::chunkBytes).sum();
        assertThat(bytes).isLessThanOrEqualTo(3L * chunkBytes);
        assertThat(some.eventCount()).isEqualTo(3);

        PollResult rest = poll("c1", 1 << 20);
        assertThat(rest.eventCount()).isEqualTo(6);
        assertThat(Polled.of(rest)).extracting(Polled::offset).containsExactly(4L, 5L, 6L, 7L, 8L, 9L);
    }

    @Test
    void pollsRotateTheirFirstPartitionSoABusyOneCannotStarveTheOthers() throws Exception {
        register("c1", "g", StartPosition.EARLIEST, "t");
        String big = "\"" + "y".repeat(1000) + "\"";
        for (int i = 0; i < 50; i++) {
            produce("t", 0, big);
        }
        produce("t", 1, "\"p1\"");
        produce("t", 2, "\"p2\"");
        produce("t", 3, "\"p3\"");

        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            poll("c1", 100).batches().forEach(b -> seen.add(b.topic() + "/" + b.partition()));
        }
        assertThat(seen).containsExactlyInAnyOrder("t/0", "t/1", "t/2", "t/3");
    }

    @Test
    void onlyPartitionsThisBrokerLeadsAreServed() throws Exception {
        service.close();
        service = new ConsumerService(new ConsumerContext(store, ring, cluster, new LocalOffsetLog(store), p -> p % 2 == 1,
                ReadLimit.NONE, new ConsumerConfig(CONSUMER_TIMEOUT, 30_000, 1 << 20), clock));
        register("c1", "g", StartPosition.EARLIEST, "t");
        for (int p = 0; p < 4; p++) {
            produce("t", p, "\"p" + p + "\"");
        }
        assertThat(Polled.of(poll("c1"))).extracting(Polled::partition).containsExactlyInAnyOrder(1, 3);
        assertThat(group("g").members().get(0).assignment()).hasSize(4)
                .filteredOn(GroupView.Assigned::served).extracting(GroupView.Assigned::partition)
                .containsExactlyInAnyOrder(1, 3);
    }

    @Test
    void aBrokerThatLeadsNoneOfTheConsumersPartitionsAnswersItsLongPollAtOnceAndNamesTheLeaders() throws Exception {
        // Broker 1 of a cluster whose only range (all four partitions) broker 0 leads.
        service.close();
        service = new ConsumerService(new ConsumerContext(store, ring, new OrdinalOverride(cluster, 1), new LocalOffsetLog(store),
                p -> false, ReadLimit.NONE, new ConsumerConfig(CONSUMER_TIMEOUT, 30_000, 1 << 20), clock));
        register("c1", "g", StartPosition.EARLIEST, "t");
        produce("t", 0, "\"read at broker 0\"");

        // A 30 s long poll: it answers within WAIT_S only if it is not held.
        PollResult r = service.poll("c1", 30_000, 0).get(WAIT_S, TimeUnit.SECONDS);
        assertThat(r.isEmpty()).isTrue();
        assertThat(r.leaders()).isEqualTo(new PartitionLeaders(1, List.of(0)));
        assertThat(r.leaders().answeringBrokerLeads()).isFalse();
    }

    @Test
    void aBrokerThatLeadsSomeOfThePartitionsHoldsTheLongPollAndEveryAnswerNamesTheLeaders() throws Exception {
        register("c1", "g", StartPosition.LATEST, "t");
        CompletableFuture<PollResult> parked = service.poll("c1", 20_000, 0);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !parked.isDone());
        produce("t", 1, "1");
        PollResult r = parked.get(WAIT_S, TimeUnit.SECONDS);
        assertThat(Polled.values(r)).containsExactly("1");
        assertThat(r.leaders()).isEqualTo(new PartitionLeaders(0, List.of(0)));
        assertThat(r.leaders().headerValue()).isEqualTo("0");

        PollResult empty = service.poll("c1", 0, 0).get(WAIT_S, TimeUnit.SECONDS);
        assertThat(empty.isEmpty()).isTrue();
        assertThat(empty.leaders().answeringBrokerLeads()).isTrue();
    }

    @Test
    void aConsumerWithoutPartitionsStillLongPolls() throws Exception {
        service.close();
        service = new ConsumerService(new ConsumerContext(store, ring, new OrdinalOverride(cluster, 1), new LocalOffsetLog(store),
                p -> false, ReadLimit.NONE, new ConsumerConfig(CONSUMER_TIMEOUT, 30_000, 1 << 20), clock));
        for (int i = 0; i < 5; i++) {
            register("c" + i, "g", StartPosition.LATEST, "t"); // four partitions: c4 gets none
        }
        CompletableFuture<PollResult> idle = service.poll("c4", 20_000, 0);
        // Held until a rebalance gives it partitions (or its timeout): answering at once would make its client spin.
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !idle.isDone());
        service.goodbye("c0").get(WAIT_S, TimeUnit.SECONDS);
        PollResult r = idle.get(WAIT_S, TimeUnit.SECONDS); // now it has partition 0, led by broker 0: answered
        assertThat(r.leaders().leaders()).containsExactly(0);
    }

    @Test
    void aPollServesSeveralPartitionsUpToMaxBytes() throws Exception {
        register("c1", "g", StartPosition.EARLIEST, "t");
        String event = "\"" + "z".repeat(200) + "\"";
        for (int p = 0; p < 4; p++) {
            for (int i = 0; i < 5; i++) {
                produce("t", p, event, event);
            }
        }
        int chunkBytes = Chunk.HEADER_SIZE + 2 * (12 + event.length());
        // Room for 16 of the 20 chunks: one answer holds all four partitions, up to maxBytes.
        PollResult r = poll("c1", 16 * chunkBytes);
        assertThat(r.batches()).extracting(PartitionBatch::partition).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(r.batches().stream().mapToLong(PartitionBatch::chunkBytes).sum()).isEqualTo(16L * chunkBytes);
        PollResult rest = poll("c1", 1 << 20);
        assertThat(r.eventCount() + rest.eventCount()).isEqualTo(40);
    }

    @Test
    void closeAnswersParkedPollsAndRefusesNewCalls() throws Exception {
        register("c1", "g", StartPosition.LATEST, "t");
        CompletableFuture<PollResult> parked = service.poll("c1", 20_000, 0);
        await().atMost(Duration.ofSeconds(2)).until(() -> !parked.isDone());
        service.close();
        assertThat(parked.get(WAIT_S, TimeUnit.SECONDS).isEmpty()).isTrue();
        assertThat(cause(service.poll("c1", 0, 0))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> register("c2", "g", StartPosition.LATEST, "t")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void viewsShowMembersAssignmentsAndPositions() throws Exception {
        produce("t", 0, "1", "2");
        register("b", "g", StartPosition.EARLIEST, "t");
        register("a", "g", StartPosition.LATEST, "t");
        register("x", "h", StartPosition.LATEST, "u");
        poll("a");

        List<GroupView> all = service.groups().get(WAIT_S, TimeUnit.SECONDS);
        assertThat(all).extracting(GroupView::group).containsExactly("g", "h");
        GroupView g = all.get(0);
        assertThat(g.members()).extracting(GroupView.Member::consumerId).containsExactly("a", "b");
        GroupView.Member a = g.members().get(0);
        assertThat(a.onNewGroup()).isEqualTo(StartPosition.LATEST);
        assertThat(a.lastSeen()).isEqualTo(clock.instant());
        assertThat(a.assignment()).extracting(GroupView.Assigned::partition).containsExactly(0, 2);
        // b registered first with EARLIEST, so the group's start in partition 0 was 0; a read both events.
        assertThat(a.assignment().get(0).position()).isEqualTo(2);
        assertThat(all.get(1).members().get(0).assignment()).allMatch(x -> x.position() == -1);
        assertThat(service.group("nope").get(WAIT_S, TimeUnit.SECONDS)).isEmpty();
    }
}
