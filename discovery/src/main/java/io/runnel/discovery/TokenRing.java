package io.runnel.discovery;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The token ring of a cluster of {@code brokers} brokers, each range cut into
 * {@code rangesPerBroker} partitions.
 *
 * <p>A key's token is {@link Murmur3#hash64} of its UTF-8 bytes, a signed 64-bit value. The ring
 * [{@link Long#MIN_VALUE}, {@link Long#MAX_VALUE}] is cut into {@code brokers} equal ranges; broker
 * {@code i} is the natural leader of range {@code i}. Each range is cut again into
 * {@code rangesPerBroker} equal sub-ranges; partition {@code p = range * rangesPerBroker + index}.
 * Any broker count from 1 up works. Immutable.
 */
public final class TokenRing {
    private final int brokers;
    private final int rangesPerBroker;

    public TokenRing(int brokers, int rangesPerBroker) {
        if (brokers < 1) {
            throw new IllegalArgumentException("a ring needs at least one broker, not " + brokers);
        }
        if (rangesPerBroker < 1 || rangesPerBroker > 1024) {
            throw new IllegalArgumentException("ranges per broker must be 1..1024, not " + rangesPerBroker);
        }
        this.brokers = brokers;
        this.rangesPerBroker = rangesPerBroker;
    }

    public int brokers() {
        return brokers;
    }

    public int rangesPerBroker() {
        return rangesPerBroker;
    }

    /** Partitions of every topic: {@code brokers * rangesPerBroker}. */
    public int partitionCount() {
        return brokers * rangesPerBroker;
    }

    /** The token of a partition key. */
    public static long token(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        return Murmur3.hash64(bytes, 0, bytes.length);
    }

    /** The partition that owns {@code token}. */
    public int partitionOf(long token) {
        // Position on the ring as an unsigned value in [0, 2^64); floor(pos * n / 2^64) is the slice.
        long position = token - Long.MIN_VALUE;
        return (int) Math.unsignedMultiplyHigh(position, partitionCount());
    }

    public int partitionOf(String key) {
        return partitionOf(token(key));
    }

    /** The range (and so the natural leader's ordinal) a partition belongs to. */
    public int rangeOf(int partition) {
        checkPartition(partition);
        return partition / rangesPerBroker;
    }

    /** The partition's index inside its range (Barco's {@code rangeIndex}). */
    public int indexInRange(int partition) {
        checkPartition(partition);
        return partition % rangesPerBroker;
    }

    /** The first token of a partition's slice of the ring. */
    public long startToken(int partition) {
        checkPartition(partition);
        return sliceStart(partition, partitionCount());
    }

    /** The first token of a range (what Barco's poll answer calls {@code token}). */
    public long rangeStartToken(int range) {
        if (range < 0 || range >= brokers) {
            throw new IllegalArgumentException("range " + range + " outside 0.." + (brokers - 1));
        }
        return sliceStart(range, brokers);
    }

    /** Partitions of a range, in ring order. */
    public List<Integer> partitionsOfRange(int range) {
        List<Integer> out = new ArrayList<>(rangesPerBroker);
        for (int i = 0; i < rangesPerBroker; i++) {
            out.add(range * rangesPerBroker + i);
        }
        return out;
    }

    /** Brokers holding a range: {@code range, range+1, range+2 (mod N)}, at most three. */
    public List<Integer> replicaSet(int range) {
        int rf = replicationFactor();
        List<Integer> out = new ArrayList<>(rf);
        for (int i = 0; i < rf; i++) {
            out.add((range + i) % brokers);
        }
        return out;
    }

    /** {@code min(3, brokers)}. */
    public int replicationFactor() {
        return Math.min(3, brokers);
    }

    private static long sliceStart(int slice, int slices) {
        // ceil(slice * 2^64 / slices) so that partitionOf(sliceStart(i)) == i exactly.
        if (slice == 0) {
            return Long.MIN_VALUE;
        }
        java.math.BigInteger span = java.math.BigInteger.ONE.shiftLeft(64);
        java.math.BigInteger[] qr = span.multiply(java.math.BigInteger.valueOf(slice))
                .divideAndRemainder(java.math.BigInteger.valueOf(slices));
        java.math.BigInteger pos = qr[1].signum() == 0 ? qr[0] : qr[0].add(java.math.BigInteger.ONE);
        return pos.longValue() + Long.MIN_VALUE;
    }

    private void checkPartition(int partition) {
        if (partition < 0 || partition >= partitionCount()) {
            throw new IllegalArgumentException("partition " + partition + " outside 0.." + (partitionCount() - 1));
        }
    }

    @Override
    public String toString() {
        return "TokenRing[brokers=" + brokers + ", rangesPerBroker=" + rangesPerBroker + "]";
    }
}
