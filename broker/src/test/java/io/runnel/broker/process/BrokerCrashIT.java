package io.runnel.broker.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.discovery.TokenRing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A single broker killed with {@code kill -9} in the middle of keyed produce load, twice, with
 * {@code fsync=always}: after each restart on the same data directory a fresh consumer group reads
 * everything from the earliest offsets, and {@link HistoryChecker} proves that every acknowledged
 * event is there, exactly once, at the offset its acknowledgement named, in acknowledgement order
 * per key; batches in flight at the kill are stored whole or not at all.
 */
class BrokerCrashIT {
    private static final String TOPIC = "crash-test";
    /** One broker, the default four partitions per range. */
    private static final TokenRing RING = new TokenRing(1, 4);
    private static final Duration READY = Duration.ofSeconds(30);
    private static final int ROUNDS = 2;
    private static final int ACKS_BEFORE_KILL = 300;

    @RegisterExtension
    final BrokerProcesses processes = new BrokerProcesses();

    @Test
    void everyAcknowledgedEventSurvivesKill9() {
        BrokerProcess broker = processes.broker("b0").address("127.0.0.2").fsync("always").build();
        broker.start().awaitReady(READY);

        List<HttpLoad.Acked> acked = new ArrayList<>();
        List<HttpLoad.Unacked> unacked = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            HttpLoad.Settings settings = new HttpLoad.Settings(TOPIC, "r" + round, 4, 50, 10, 50, round);
            int inFlightAtKill;
            try (HttpLoad load = new HttpLoad(broker.producerUri(), settings)) {
                load.start();
                load.awaitAcked(ACKS_BEFORE_KILL, Duration.ofSeconds(30));
                inFlightAtKill = load.inFlight();
                broker.kill();
                load.stop();
                assertThat(load.anomalies()).as("producer contract").isEmpty();
                acked.addAll(load.acked());
                unacked.addAll(load.unacked());
            }
            long pid = broker.pid();
            broker.start().awaitReady(READY);
            assertThat(broker.pid()).isNotEqualTo(pid);

            HistoryChecker.Report report = readBack(broker, round, acked, unacked);
            System.out.println("BrokerCrashIT round " + round + " (kill -9 with " + inFlightAtKill
                    + " requests in flight): " + report.summary());
            assertThat(report.problems()).as(report.describe()).isEmpty();
            assertThat(report.redelivered()).as("one consumer, no rebalance: nothing read twice").isZero();
            assertThat(report.ackedFound()).isEqualTo(report.ackedEvents());
        }
    }

    /** Reads the whole topic with a new group from the earliest offsets and checks it against the history. */
    private static HistoryChecker.Report readBack(BrokerProcess broker, int round, List<HttpLoad.Acked> acked,
                                                  List<HttpLoad.Unacked> unacked) {
        Set<String> expected = new HashSet<>();
        acked.forEach(a -> expected.addAll(a.batch().ids()));
        String consumerId = "checker-" + round;
        try (ConsumerClient consumer = new ConsumerClient(broker.consumerUri(), RING)) {
            consumer.register(consumerId, "verify-" + round, TOPIC, "startFromEarliest");
            Set<String> missing = new HashSet<>(expected);
            int[] checked = {0};
            List<ConsumerClient.Record> read = consumer.pollUntilQuiet(consumerId, all -> {
                for (; checked[0] < all.size(); checked[0]++) {
                    missing.remove(all.get(checked[0]).id());
                }
                return missing.isEmpty();
            }, Duration.ofMillis(500), Duration.ofSeconds(20));
            consumer.goodbye(consumerId);
            return HistoryChecker.check(acked, unacked, read);
        }
    }
}
