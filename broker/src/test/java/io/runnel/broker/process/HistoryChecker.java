package io.runnel.broker.process;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares what producers were told ({@link HttpLoad} histories) with what a consumer read back
 * from the start of the log, and lists every way the two disagree:
 * <ul>
 *   <li><b>lost</b>: an acknowledged event was not read;</li>
 *   <li><b>moved</b>: an acknowledged event was read somewhere other than the partition and offset
 *       its acknowledgement named ({@code offset + index in batch});</li>
 *   <li><b>reordered</b>: two acknowledged batches of one key are stored against acknowledgement
 *       order, or in different partitions;</li>
 *   <li><b>duplicated</b>: one event id at two positions; two different events at one position;</li>
 *   <li><b>torn</b>: only part of an unacknowledged batch is stored, or not contiguously (a batch is
 *       stored whole or not at all);</li>
 *   <li><b>invented</b>: an event read that no producer sent;</li>
 *   <li><b>holes</b>: offsets of a partition read with gaps between them.</li>
 * </ul>
 * Unacknowledged batches (in flight when a broker died) may or may not be present; they are counted,
 * not judged, except for tearing. The same event read twice at the same position (redelivery) is
 * counted separately: whether that is allowed depends on the test.
 */
public final class HistoryChecker {
    private static final int MAX_LISTED = 25;

    private HistoryChecker() {
    }

    /** The outcome of a check; {@link #problems} is empty when the history is consistent. */
    public record Report(long ackedBatches, long ackedEvents, long read, long ackedFound, long lost,
                         long unackedBatches, long unackedEvents, long unackedPresentBatches,
                         long unackedPresentEvents, long redelivered, List<String> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }

        /** One line for the test log. */
        public String summary() {
            return "acked batches=" + ackedBatches + " events=" + ackedEvents + "; read=" + read
                    + "; acked found=" + ackedFound + " lost=" + lost
                    + "; in-flight (unacked) batches=" + unackedBatches + " events=" + unackedEvents
                    + ", present batches=" + unackedPresentBatches + " events=" + unackedPresentEvents
                    + "; redelivered=" + redelivered + "; problems=" + problems.size();
        }

        /** The summary and the first problems, for an assertion message. */
        public String describe() {
            StringBuilder out = new StringBuilder(summary());
            problems.stream().limit(MAX_LISTED).forEach(p -> out.append("\n  - ").append(p));
            if (problems.size() > MAX_LISTED) {
                out.append("\n  ... and ").append(problems.size() - MAX_LISTED).append(" more");
            }
            return out.toString();
        }
    }

    private record Position(int partition, long offset) implements Comparable<Position> {
        @Override
        public int compareTo(Position o) {
            return partition != o.partition ? Integer.compare(partition, o.partition) : Long.compare(offset, o.offset);
        }

        @Override
        public String toString() {
            return partition + "/" + offset;
        }
    }

    /**
     * @param acked   every acknowledged batch of the test, in acknowledgement order: the loads in the
     *                order they ran, each as {@link HttpLoad#acked()} lists it (per key this is also send
     *                order, since a key's batches are sent one at a time)
     * @param unacked every batch sent without acknowledgement
     * @param read    everything a consumer read from the earliest offsets, in the order read
     */
    public static Report check(Collection<HttpLoad.Acked> acked, Collection<HttpLoad.Unacked> unacked,
                               List<ConsumerClient.Record> read) {
        List<String> problems = new ArrayList<>();

        // What was read: one event per position, positions per event id.
        Map<Position, String> byPosition = new HashMap<>();
        Map<String, TreeSet<Position>> byId = new HashMap<>();
        long redelivered = 0;
        for (ConsumerClient.Record r : read) {
            Position pos = new Position(r.partition(), r.offset());
            String id = r.id();
            if (id == null) {
                problems.add("invented: " + pos + " holds " + r.value() + ", not a test event");
                continue;
            }
            String earlier = byPosition.putIfAbsent(pos, id);
            if (earlier != null) {
                if (earlier.equals(id)) {
                    redelivered++;
                } else {
                    problems.add("duplicated: " + pos + " read as " + earlier + " and as " + id);
                }
                continue;
            }
            byId.computeIfAbsent(id, k -> new TreeSet<>()).add(pos);
        }
        byId.forEach((id, positions) -> {
            if (positions.size() > 1) {
                problems.add("duplicated: " + id + " stored at " + positions);
            }
        });

        // Offsets of each partition: contiguous between the lowest and highest read.
        Map<Integer, TreeSet<Long>> offsets = new TreeMap<>();
        byPosition.keySet().forEach(p -> offsets.computeIfAbsent(p.partition(), k -> new TreeSet<>()).add(p.offset()));
        offsets.forEach((partition, os) -> {
            long expected = os.first();
            for (long o : os) {
                if (o != expected) {
                    problems.add("holes: partition " + partition + " offsets " + expected + ".." + (o - 1) + " not read");
                }
                expected = o + 1;
            }
        });

        // Acknowledged events: each read exactly where its acknowledgement said.
        Set<String> sent = new HashSet<>();
        long ackedEvents = 0;
        long found = 0;
        List<String> lostIds = new ArrayList<>();
        Map<String, List<HttpLoad.Acked>> byKey = new HashMap<>();
        for (HttpLoad.Acked a : acked) {
            byKey.computeIfAbsent(a.batch().key(), k -> new ArrayList<>()).add(a);
            List<String> ids = a.batch().ids();
            for (int i = 0; i < ids.size(); i++) {
                String id = ids.get(i);
                sent.add(id);
                ackedEvents++;
                Position expected = new Position(a.ack().partition(), a.ack().offset() + i);
                TreeSet<Position> at = byId.get(id);
                if (at == null) {
                    lostIds.add(id + "@" + expected);
                } else {
                    found++;
                    if (!at.contains(expected)) {
                        problems.add("moved: " + id + " acknowledged at " + expected + " but read at " + at);
                    }
                }
            }
        }
        if (!lostIds.isEmpty()) {
            problems.add("lost: " + lostIds.size() + " acknowledged events not read, e.g. "
                    + lostIds.subList(0, Math.min(10, lostIds.size())));
        }

        // Per key: acknowledged batches stored in acknowledgement order (the input's), in one partition.
        byKey.forEach((key, batches) -> {
            HttpLoad.Acked previous = null;
            for (HttpLoad.Acked a : batches) {
                if (previous != null) {
                    ProducerClient.Ack p = previous.ack();
                    ProducerClient.Ack n = a.ack();
                    if (p.partition() != n.partition()) {
                        problems.add("reordered: key " + key + " acknowledged in partitions " + p.partition()
                                + " and " + n.partition());
                    } else if (n.offset() < p.offset() + p.count()) {
                        problems.add("reordered: key " + key + " batch " + a.batch().ids().getFirst() + ".. at offset "
                                + n.offset() + " overlaps or precedes the batch acknowledged before it at "
                                + p.offset() + " (+" + p.count() + ")");
                    }
                }
                previous = a;
            }
        });

        // Unacknowledged batches: absent or whole, contiguous and in order.
        long unackedEvents = 0;
        long presentBatches = 0;
        long presentEvents = 0;
        for (HttpLoad.Unacked u : unacked) {
            List<String> ids = u.batch().ids();
            unackedEvents += ids.size();
            List<Position> at = new ArrayList<>();
            for (String id : ids) {
                sent.add(id);
                TreeSet<Position> p = byId.get(id);
                if (p != null) {
                    at.add(p.first());
                }
            }
            if (at.isEmpty()) {
                continue;
            }
            presentBatches++;
            presentEvents += at.size();
            boolean contiguous = at.size() == ids.size();
            for (int i = 1; contiguous && i < at.size(); i++) {
                contiguous = at.get(i).partition() == at.get(0).partition()
                        && at.get(i).offset() == at.get(0).offset() + i;
            }
            if (!contiguous) {
                problems.add("torn: unacknowledged batch of " + u.batch().key() + " (" + ids.size() + " events, "
                        + ids.getFirst() + "..) stored as " + at.size() + " events at " + at);
            }
        }

        byId.keySet().stream().filter(id -> !sent.contains(id)).sorted().limit(MAX_LISTED)
                .forEach(id -> problems.add("invented: read " + id + " at " + byId.get(id) + ", which no producer sent"));

        return new Report(acked.size(), ackedEvents, read.size(), found, lostIds.size(), unacked.size(), unackedEvents,
                presentBatches, presentEvents, redelivered, List.copyOf(problems));
    }
}
