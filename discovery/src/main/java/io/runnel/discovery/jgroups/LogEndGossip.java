package io.runnel.discovery.jgroups;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/*
 * Every broker multicasts its own reports a few times a second when they changed (and after each view change,
 * so joiners and a new raft leader get them), and keeps everyone's latest. Reports are hints for choosing among
 * in-sync replicas, which all hold every acknowledged chunk, so a report a few hundred ms old is good enough.
 * Message: magic(1) | ordinal(4) | count(4) | (range(4) | logEndSum(8))*.
 */

/** The log end sums each broker reported per range, and their gossip encoding. */
final class LogEndGossip implements Controller.LogEnds {
    private static final byte MAGIC = 'L';

    private final int self;
    private final Map<Integer, Map<Integer, Long>> reports = new ConcurrentHashMap<>();
    private final AtomicBoolean dirty = new AtomicBoolean();

    LogEndGossip(int self) {
        this.self = self;
    }

    void reportOwn(int range, long logEndSum) {
        Long previous = reports.computeIfAbsent(self, k -> new ConcurrentHashMap<>()).put(range, logEndSum);
        if (previous == null || previous != logEndSum) {
            dirty.set(true);
        }
    }

    @Override
    public long of(int broker, int range) {
        Map<Integer, Long> m = reports.get(broker);
        Long v = m == null ? null : m.get(range);
        return v == null ? -1 : v;
    }

    /** Forgets brokers that left the view (a restarted broker reports afresh) and re-sends on the next tick. */
    void viewChanged(Set<Integer> live) {
        reports.keySet().removeIf(b -> b != self && !live.contains(b));
        dirty.set(true);
    }

    /** The own reports to multicast, or {@code null} if nothing changed since the last call. */
    byte[] takeOutgoing() {
        if (!dirty.getAndSet(false)) {
            return null;
        }
        Map<Integer, Long> own = reports.getOrDefault(self, Map.of());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(9 + own.size() * 12);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(MAGIC);
            out.writeInt(self);
            Map<Integer, Long> copy = Map.copyOf(own);
            out.writeInt(copy.size());
            for (Map.Entry<Integer, Long> e : copy.entrySet()) {
                out.writeInt(e.getKey());
                out.writeLong(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Takes in a gossip message from another broker; ignores anything else. */
    boolean receive(byte[] buf, int offset, int length) {
        if (length < 9 || buf[offset] != MAGIC) {
            return false;
        }
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(buf, offset + 1, length - 1));
            int broker = in.readInt();
            int n = in.readInt();
            if (broker == self || n < 0 || n > 1 << 20) {
                return false;
            }
            Map<Integer, Long> m = new ConcurrentHashMap<>();
            for (int i = 0; i < n; i++) {
                m.put(in.readInt(), in.readLong());
            }
            reports.put(broker, m);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
