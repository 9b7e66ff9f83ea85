package io.runnel.discovery.jgroups;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/*
 * Each broker knows when it last heard from each consumer (a poll, commit or registration reaches only the
 * broker it is sent to). It multicasts how long each consumer has been silent *as seen now*, and receivers turn
 * that into a point on their own monotonic clock, so brokers need no synchronised clocks. The raft leader's
 * controller removes a consumer once the newest activity seen anywhere is older than the consumer timeout.
 * Message: magic(1) | ordinal(4) | count(4) | (consumerId(UTF) | silentForMillis(8))*.
 */

/** The last activity of every consumer as seen by any broker, and its gossip encoding. */
final class ConsumerActivityGossip {
    private static final byte MAGIC = 'C';

    private final int self;
    /** broker → consumer id → last activity, in System.nanoTime() of this JVM. */
    private final Map<Integer, Map<String, Long>> seen = new ConcurrentHashMap<>();

    ConsumerActivityGossip(int self) {
        this.self = self;
    }

    void reportOwn(String consumerId, long silentForMillis) {
        seen.computeIfAbsent(self, k -> new ConcurrentHashMap<>())
                .put(consumerId, System.nanoTime() - silentForMillis * 1_000_000);
    }

    /** The newest activity of a consumer seen by any broker (nanoTime), or {@code Long.MIN_VALUE}. */
    long newest(String consumerId) {
        long best = Long.MIN_VALUE;
        for (Map<String, Long> m : seen.values()) {
            Long v = m.get(consumerId);
            if (v != null && v > best) {
                best = v;
            }
        }
        return best;
    }

    /** Forgets consumers that are no longer registered. */
    void retain(Set<String> registered) {
        seen.values().forEach(m -> m.keySet().retainAll(registered));
    }

    /** The own reports to multicast, or {@code null} if there are none. */
    byte[] takeOutgoing() {
        Map<String, Long> own = new HashMap<>(seen.getOrDefault(self, Map.of()));
        if (own.isEmpty()) {
            return null;
        }
        long now = System.nanoTime();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(9 + own.size() * 24);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(MAGIC);
            out.writeInt(self);
            out.writeInt(own.size());
            for (Map.Entry<String, Long> e : own.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(Math.max(0, (now - e.getValue()) / 1_000_000));
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
            long now = System.nanoTime();
            Map<String, Long> m = new ConcurrentHashMap<>();
            for (int i = 0; i < n; i++) {
                String id = in.readUTF();
                m.put(id, now - in.readLong() * 1_000_000);
            }
            seen.put(broker, m);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
