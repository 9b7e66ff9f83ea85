package io.runnel.broker.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.discovery.TokenRing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Committed consumer offsets survive a broker restart, graceful ({@code SIGTERM}) or not
 * ({@code kill -9}): after the restart the same consumer of the same group continues exactly after
 * its committed positions. Nothing committed is delivered again, nothing is skipped, and what was
 * read but not committed is delivered again (at least once). The consumer re-registers with
 * {@code startFromLatest}: a group with committed offsets must ignore it.
 */
class ConsumerRestartIT {
    private static final String TOPIC = "restart-test";
    private static final TokenRing RING = new TokenRing(1, 4);
    private static final Duration READY = Duration.ofSeconds(30);
    private static final String CONSUMER = "c1";
    private static final String GROUP = "g1";
    /** Small polls, so that a few of them read only part of the data. */
    private static final int SMALL_POLL_BYTES = 2048;

    @RegisterExtension
    final BrokerProcesses processes = new BrokerProcesses();

    enum Restart { SIGTERM, SIGKILL }

    @ParameterizedTest
    @EnumSource(Restart.class)
    void consumerContinuesAfterItsCommittedOffsets(Restart restart) {
        BrokerProcess broker = processes.broker("b0").address("127.0.0.3").fsync("always").build();
        broker.start().awaitReady(READY);
        List<HttpLoad.Acked> acked = new ArrayList<>(produce(broker, "before", 60));

        List<ConsumerClient.Record> committed = new ArrayList<>();
        List<ConsumerClient.Record> uncommitted;
        try (ConsumerClient consumer = new ConsumerClient(broker.consumerUri(), RING)) {
            consumer.register(CONSUMER, GROUP, TOPIC, "startFromEarliest");
            for (int i = 0; i < 3; i++) {
                ConsumerClient.Poll poll = consumer.poll(CONSUMER, Duration.ofSeconds(5), SMALL_POLL_BYTES);
                assertThat(poll.status()).as("poll %d finds data", i).isEqualTo(200);
                committed.addAll(poll.records());
            }
            consumer.commit(CONSUMER);
            // Read after the commit and never committed: must come again after the restart.
            uncommitted = consumer.poll(CONSUMER, Duration.ofSeconds(5), SMALL_POLL_BYTES).records();
        }
        long before = acked.stream().mapToLong(a -> a.batch().ids().size()).sum();
        assertThat(uncommitted).isNotEmpty();
        assertThat(committed.size() + uncommitted.size()).as("read only part before the restart").isLessThan((int) before);

        if (restart == Restart.SIGTERM) {
            broker.stop();
        } else {
            broker.kill();
        }
        broker.start().awaitReady(READY);
        acked.addAll(produce(broker, "after", 20));

        Set<String> all = ids(acked.stream().flatMap(a -> a.batch().ids().stream()).toList());
        Set<String> committedIds = idsOf(committed);
        List<ConsumerClient.Record> rest;
        try (ConsumerClient consumer = new ConsumerClient(broker.consumerUri(), RING)) {
            consumer.register(CONSUMER, GROUP, TOPIC, "startFromLatest");
            Set<String> missing = new HashSet<>(all);
            missing.removeAll(committedIds);
            int[] checked = {0};
            rest = consumer.pollUntilQuiet(CONSUMER, read -> {
                for (; checked[0] < read.size(); checked[0]++) {
                    missing.remove(read.get(checked[0]).id());
                }
                return missing.isEmpty();
            }, Duration.ofMillis(500), Duration.ofSeconds(20));
            consumer.goodbye(CONSUMER);
        }

        Set<String> restIds = idsOf(rest);
        Set<String> redelivered = new HashSet<>(restIds);
        redelivered.retainAll(committedIds);
        Set<String> skipped = new HashSet<>(all);
        skipped.removeAll(committedIds);
        skipped.removeAll(restIds);
        System.out.println("ConsumerRestartIT " + restart + ": produced=" + all.size() + ", committed before restart="
                + committed.size() + ", read uncommitted=" + uncommitted.size() + ", read after restart=" + rest.size()
                + ", committed redelivered=" + redelivered.size() + ", skipped=" + skipped.size());
        assertThat(redelivered).as("committed events delivered again").isEmpty();
        assertThat(skipped).as("events never delivered").isEmpty();
        assertThat(restIds).as("read but uncommitted events are delivered again").containsAll(idsOf(uncommitted));

        // Per partition, reading resumes exactly at the committed position.
        Map<Integer, Long> committedEnd = new TreeMap<>();
        committed.forEach(r -> committedEnd.merge(r.partition(), r.offset() + 1, Math::max));
        Map<Integer, Long> resumedAt = new TreeMap<>();
        rest.forEach(r -> resumedAt.merge(r.partition(), r.offset(), Math::min));
        resumedAt.forEach((partition, first) ->
                assertThat(first).as("first offset read after the restart in partition %d", partition)
                        .isEqualTo(committedEnd.getOrDefault(partition, 0L)));

        // And everything read is where its acknowledgement said, once.
        List<ConsumerClient.Record> history = new ArrayList<>(committed);
        history.addAll(rest);
        HistoryChecker.Report report = HistoryChecker.check(acked, List.of(), history);
        assertThat(report.problems()).as(report.describe()).isEmpty();
        assertThat(report.redelivered()).isZero();
    }

    /** Produces {@code batches} batches of 5 events over 8 keys, one at a time; all must be acknowledged. */
    private static List<HttpLoad.Acked> produce(BrokerProcess broker, String runId, int batches) {
        List<HttpLoad.Acked> out = new ArrayList<>();
        Map<String, Integer> perKey = new TreeMap<>();
        try (ProducerClient producer = new ProducerClient(broker.producerUri(), Duration.ofSeconds(10))) {
            for (int b = 0; b < batches; b++) {
                String key = "key-" + (b % 8);
                List<String> ids = new ArrayList<>();
                List<String> events = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    String id = runId + "-" + b + "-" + i;
                    ids.add(id);
                    events.add(ProducerClient.event(key, id));
                }
                ProducerClient.Ack ack = producer.send(TOPIC, key, events);
                assertThat(ack.count()).isEqualTo(5);
                int keySeq = perKey.merge(key, 1, Integer::sum) - 1;
                out.add(new HttpLoad.Acked(new HttpLoad.Batch(key, List.copyOf(ids)), ack, b + 1, keySeq));
            }
        } catch (Exception e) {
            throw new AssertionError("producing to " + broker + " failed", e);
        }
        return out;
    }

    private static Set<String> idsOf(List<ConsumerClient.Record> records) {
        return records.stream().map(ConsumerClient.Record::id).collect(Collectors.toSet());
    }

    private static Set<String> ids(List<String> ids) {
        return new HashSet<>(ids);
    }
}
