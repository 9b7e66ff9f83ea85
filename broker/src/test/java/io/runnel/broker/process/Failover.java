package io.runnel.broker.process;

import io.runnel.broker.process.HttpLoad.Acked;
import io.runnel.discovery.TokenRing;
import java.time.Duration;

/**
 * How long writes to a range stopped after a fault on its leader, measured on a load's own history:
 * from the fault to the first acknowledgement of a write to the range that was <em>sent after</em> the
 * fault ({@link #gap}; writes in flight at the fault do not count), and, for the record, from the
 * last acknowledgement before the fault to that one.
 *
 * @param fault             what happened, for the log
 * @param gap               fault → first acknowledgement of a write to the range sent after it
 * @param sinceLastAckBefore last acknowledgement before the fault → that first acknowledgement
 * @param failedMeanwhile   requests to the range that failed in between
 */
record Failover(String fault, Duration gap, Duration sinceLastAckBefore, long failedMeanwhile) {

    /** Waits (up to 60 s) for the first acknowledgement of a write to {@code range} sent after {@code faultNanos}. */
    static Failover measure(HttpLoad load, TokenRing ring, int range, long faultNanos, String fault) {
        Acked first = load.awaitAck("on range " + range + " sent after the " + fault,
                a -> rangeOf(ring, a) == range && a.sentNanos() >= faultNanos, Duration.ofSeconds(60));
        long lastBefore = load.acked().stream()
                .filter(a -> rangeOf(ring, a) == range && a.ackedNanos() < faultNanos)
                .mapToLong(Acked::ackedNanos).max().orElse(faultNanos);
        long failed = load.unacked().stream()
                .filter(u -> ring.rangeOf(ring.partitionOf(u.batch().key())) == range && u.failedNanos() >= faultNanos
                        && u.failedNanos() <= first.ackedNanos())
                .count();
        return new Failover(fault, Duration.ofNanos(first.ackedNanos() - faultNanos),
                Duration.ofNanos(first.ackedNanos() - lastBefore), failed);
    }

    private static int rangeOf(TokenRing ring, Acked a) {
        return ring.rangeOf(ring.partitionOf(a.batch().key()));
    }

    @Override
    public String toString() {
        return fault + ": first write to the range acknowledged " + gap.toMillis() + " ms after the fault ("
                + sinceLastAckBefore.toMillis() + " ms after the last acknowledgement before it; "
                + failedMeanwhile + " requests to the range failed meanwhile)";
    }
}
