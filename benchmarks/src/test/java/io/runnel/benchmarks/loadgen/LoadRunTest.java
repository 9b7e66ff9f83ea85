package io.runnel.benchmarks.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs the load generator against an in-process stub broker on loopback. */
@Timeout(60)
class LoadRunTest {
    private StubBroker broker;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);

    @BeforeEach
    void start() throws InterruptedException {
        broker = new StubBroker();
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void fullSpeedCountsEveryAcknowledgedRequestAndItsLatency() throws Exception {
        LoadOptions o = LoadOptions.parse("--brokers", broker.endpoint().toString(), "--connections", "4",
                "--batch", "50", "--size", "120", "--events", "5000", "--warmup", "0");
        RunResult r = new LoadRun(o, out).run();

        SideSummary p = r.produce();
        assertThat(p.events()).isEqualTo(5000);
        assertThat(p.requests()).isEqualTo(100);
        assertThat(p.bytes()).isEqualTo(5000L * 120);
        assertThat(p.latencySamples()).isEqualTo(100);
        assertThat(p.latencyFrom()).isEqualTo("actual send");
        assertThat(p.maxMs()).isGreaterThanOrEqualTo(p.p50Ms()).isGreaterThan(0);
        assertThat(p.errors()).isEmpty();
        assertThat(r.consume()).isNull();
        assertThat(broker.produceRequests()).isEqualTo(100);
        assertThat(broker.storedEvents()).isEqualTo(5000);
    }

    @Test
    void keyedFixedRateRunMeasuresFromTheIntendedSendTime() throws Exception {
        LoadOptions o = LoadOptions.parse("--brokers", broker.endpoint().toString(), "--connections", "2",
                "--batch", "10", "--keys", "4", "--rate", "20000", "--events", "1000", "--warmup", "0");
        RunResult r = new LoadRun(o, out).run();

        assertThat(r.produce().requests()).isEqualTo(100);
        assertThat(r.produce().latencySamples()).isEqualTo(100);
        assertThat(r.produce().latencyFrom()).isEqualTo("intended send");
        assertThat(broker.keyedRequests()).isEqualTo(100);
    }

    @Test
    void consumersReceiveWhatWasProducedAndMeasureEndToEndLatency() throws Exception {
        String ep = broker.endpoint().toString();
        LoadOptions o = LoadOptions.parse("produce", "consume", "--brokers", ep, "--consumer-brokers", ep,
                "--connections", "2", "--batch", "20", "--events", "2000", "--warmup", "0",
                "--poll-timeout", "50", "--drain", "20");
        RunResult r = new LoadRun(o, out).run();

        assertThat(r.produce().events()).isEqualTo(2000);
        SideSummary c = r.consume();
        assertThat(c.events()).isEqualTo(2000);
        assertThat(c.latencySamples()).isEqualTo(2000);
        assertThat(c.latencyFrom()).isEqualTo("produce ts");
        assertThat(c.backlogEvents()).isZero();
        assertThat(c.errors()).isEmpty();
        assertThat(broker.goodbyes()).isEqualTo(1);
    }

    @Test
    void consumingFromTheStartCountsEachEventOnceAndRedeliveriesApart() throws Exception {
        broker.preload(3000);
        broker.rewindOnceAt(1200); // events 0..1199 come again once
        String ep = broker.endpoint().toString();
        LoadOptions o = LoadOptions.parse("consume", "--consumer-brokers", ep, "--events", "3000", "--warmup", "0",
                "--poll-timeout", "50");
        RunResult r = new LoadRun(o, out).run();

        SideSummary c = r.consume();
        assertThat(c.events()).isEqualTo(3000);
        assertThat(c.duplicateEvents()).isEqualTo(1200);
        assertThat(c.backlogEvents()).isEqualTo(3000); // produced before the run: no end-to-end latency
        assertThat(c.errors()).isEmpty();
        assertThat(broker.commits()).isEqualTo(1);
        assertThat(broker.goodbyes()).isEqualTo(1);
    }

    @Test
    void eventsReadDuringTheWarmupCountTowardTheEventsToConsume() throws Exception {
        broker.preload(2000);
        LoadOptions o = LoadOptions.parse("consume", "--consumer-brokers", broker.endpoint().toString(),
                "--events", "2000", "--warmup", "0.3", "--poll-timeout", "50");
        RunResult r = new LoadRun(o, out).run(); // it used to wait forever for the events read in the warmup

        assertThat(r.consume().events()).isBetween(0L, 2000L);
        assertThat(broker.storedEvents()).isEqualTo(2000);
    }

    @Test
    void consumersPollEveryBrokerConcurrentlyAndLeaveOneThatLeadsNoneOfTheirPartitions() throws Exception {
        broker.close();
        broker = new StubBroker(0, "0");
        try (StubBroker follower = new StubBroker(1, "0")) {
            broker.preload(2500);
            LoadOptions o = LoadOptions.parse("consume", "--consumer-brokers",
                    follower.endpoint() + "," + broker.endpoint(), "--events", "2500", "--warmup", "0",
                    "--poll-timeout", "50");
            RunResult r = new LoadRun(o, out).run();

            assertThat(r.consume().events()).isEqualTo(2500);
            // Told it leads none of the partitions (and to come back in 30 s), the follower is polled once only,
            // while the leader is polled at least 25 times (100 events per answer).
            assertThat(follower.polls()).isEqualTo(1);
            assertThat(broker.polls()).isGreaterThanOrEqualTo(25);
            assertThat(follower.commits()).isEqualTo(1);
            assertThat(broker.commits()).isEqualTo(1);
            assertThat(follower.goodbyes() + broker.goodbyes()).isEqualTo(1);
        }
    }

    @Test
    void unreachableBrokerIsCountedAsConnectErrors() throws Exception {
        Endpoint dead = broker.endpoint();
        broker.close();
        LoadOptions o = LoadOptions.parse("--brokers", dead.toString(), "--connections", "1",
                "--duration", "0.3", "--warmup", "0");
        RunResult r = new LoadRun(o, out).run();

        assertThat(r.anySuccess()).isFalse();
        assertThat(r.produce().errors()).containsKey("connect");
        broker = new StubBroker();
    }

    @Test
    void printsProgressAndAFinalTable() throws Exception {
        LoadOptions o = LoadOptions.parse("--brokers", broker.endpoint().toString(), "--connections", "2",
                "--duration", "1.2", "--warmup", "0.2");
        RunResult r = new LoadRun(o, out).run();
        LoadRun.printTable(r, out);

        String text = output.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("produce").contains("ev/s").contains("p99");
        assertThat(text).contains("== produce").contains("p99.9").contains("errors       none");
        assertThat(r.produce().requests()).isPositive();
        assertThat(r.produce().latencySamples()).isEqualTo(r.produce().requests());
    }
}
