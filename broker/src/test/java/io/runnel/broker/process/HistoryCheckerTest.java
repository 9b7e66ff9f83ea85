package io.runnel.broker.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker must find every kind of inconsistency it names, and accept a consistent history. */
class HistoryCheckerTest {
    private static final String TOPIC = "t";

    private static HttpLoad.Acked acked(String key, int partition, long offset, String... ids) {
        return new HttpLoad.Acked(new HttpLoad.Batch(key, List.of(ids)),
                new ProducerClient.Ack(TOPIC, partition, offset, ids.length), 0, 0);
    }

    private static HttpLoad.Unacked unacked(String key, String... ids) {
        return new HttpLoad.Unacked(new HttpLoad.Batch(key, List.of(ids)), "reset");
    }

    private static ConsumerClient.Record record(int partition, long offset, String key, String id) {
        return new ConsumerClient.Record(TOPIC, partition, offset, 1, json(ProducerClient.event(key, id)));
    }

    private static JsonNode json(String s) {
        try {
            return ProducerClient.JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** key a: two batches in partition 0; key b: one in partition 1; one unacknowledged batch of b. */
    private final List<HttpLoad.Acked> acked = List.of(
            acked("a", 0, 0, "a1", "a2"),
            acked("b", 1, 0, "b1"),
            acked("a", 0, 2, "a3"));
    private final List<HttpLoad.Unacked> unacked = List.of(unacked("b", "b2", "b3"));

    private List<ConsumerClient.Record> consistent() {
        return new ArrayList<>(List.of(
                record(0, 0, "a", "a1"), record(0, 1, "a", "a2"), record(0, 2, "a", "a3"),
                record(1, 0, "b", "b1")));
    }

    @Test
    void acceptsAConsistentHistoryWithOrWithoutTheUnacknowledgedBatch() {
        HistoryChecker.Report without = HistoryChecker.check(acked, unacked, consistent());
        assertThat(without.problems()).isEmpty();
        assertThat(without.ackedFound()).isEqualTo(4);
        assertThat(without.unackedPresentBatches()).isZero();

        List<ConsumerClient.Record> with = consistent();
        with.add(record(1, 1, "b", "b2"));
        with.add(record(1, 2, "b", "b3"));
        HistoryChecker.Report report = HistoryChecker.check(acked, unacked, with);
        assertThat(report.problems()).isEmpty();
        assertThat(report.unackedPresentBatches()).isEqualTo(1);
        assertThat(report.unackedPresentEvents()).isEqualTo(2);
        assertThat(report.summary()).contains("acked batches=3 events=4").contains("present batches=1 events=2");
    }

    @Test
    void findsALostEvent() {
        List<ConsumerClient.Record> read = consistent();
        read.remove(2); // a3
        HistoryChecker.Report report = HistoryChecker.check(acked, unacked, read);
        assertThat(report.lost()).isEqualTo(1);
        assertThat(report.problems()).anyMatch(p -> p.startsWith("lost: 1") && p.contains("a3@0/2"));
    }

    @Test
    void findsAnEventAtAnotherOffsetThanAcknowledged() {
        List<ConsumerClient.Record> read = consistent();
        read.set(3, record(1, 5, "b", "b1"));
        assertThat(HistoryChecker.check(acked, unacked, read).problems())
                .anyMatch(p -> p.startsWith("moved: b1 acknowledged at 1/0 but read at [1/5]"));
    }

    @Test
    void findsBatchesOfAKeyAgainstAcknowledgementOrder() {
        List<HttpLoad.Acked> swapped = List.of(acked("a", 0, 1, "a1"), acked("a", 0, 0, "a2"));
        List<ConsumerClient.Record> read = List.of(record(0, 0, "a", "a2"), record(0, 1, "a", "a1"));
        assertThat(HistoryChecker.check(swapped, List.of(), read).problems())
                .singleElement().asString().startsWith("reordered: key a");
    }

    @Test
    void findsAKeyInTwoPartitions() {
        List<HttpLoad.Acked> split = List.of(acked("a", 0, 0, "a1"), acked("a", 1, 0, "a2"));
        List<ConsumerClient.Record> read = List.of(record(0, 0, "a", "a1"), record(1, 0, "a", "a2"));
        assertThat(HistoryChecker.check(split, List.of(), read).problems())
                .singleElement().asString().contains("acknowledged in partitions 0 and 1");
    }

    @Test
    void findsAnEventStoredTwice() {
        List<ConsumerClient.Record> read = consistent();
        read.add(record(0, 3, "a", "a3"));
        assertThat(HistoryChecker.check(acked, unacked, read).problems())
                .anyMatch(p -> p.equals("duplicated: a3 stored at [0/2, 0/3]"));
    }

    @Test
    void findsTwoEventsAtOnePosition() {
        List<ConsumerClient.Record> read = consistent();
        read.add(record(1, 0, "b", "b2"));
        assertThat(HistoryChecker.check(acked, unacked, read).problems())
                .anyMatch(p -> p.equals("duplicated: 1/0 read as b1 and as b2"));
    }

    @Test
    void countsTheSameEventReadTwiceAtOnePositionAsRedelivery() {
        List<ConsumerClient.Record> read = consistent();
        read.add(record(0, 0, "a", "a1"));
        HistoryChecker.Report report = HistoryChecker.check(acked, unacked, read);
        assertThat(report.problems()).isEmpty();
        assertThat(report.redelivered()).isEqualTo(1);
    }

    @Test
    void findsAPartlyStoredUnacknowledgedBatch() {
        List<ConsumerClient.Record> read = consistent();
        read.add(record(1, 1, "b", "b2"));
        assertThat(HistoryChecker.check(acked, unacked, read).problems())
                .singleElement().asString().startsWith("torn: unacknowledged batch of b (2 events, b2..) stored as 1");
    }

    @Test
    void findsAnUnacknowledgedBatchStoredOutOfOrder() {
        List<ConsumerClient.Record> read = consistent();
        read.add(record(1, 1, "b", "b3"));
        read.add(record(1, 2, "b", "b2"));
        assertThat(HistoryChecker.check(acked, unacked, read).problems())
                .singleElement().asString().startsWith("torn:");
    }

    @Test
    void findsEventsNobodySentAndHoles() {
        List<ConsumerClient.Record> read = consistent();
        read.add(record(0, 5, "a", "zz"));
        read.add(new ConsumerClient.Record(TOPIC, 1, 1, 1, json("{\"other\":1}")));
        List<String> problems = HistoryChecker.check(acked, unacked, read).problems();
        assertThat(problems).anyMatch(p -> p.startsWith("invented: read zz at [0/5]"));
        assertThat(problems).anyMatch(p -> p.startsWith("invented: 1/1 holds {\"other\":1}"));
        assertThat(problems).anyMatch(p -> p.equals("holes: partition 0 offsets 3..4 not read"));
    }
}
