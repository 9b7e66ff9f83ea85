package io.runnel.storage.rocksdb;

import java.util.Arrays;
import java.util.OptionalLong;

/*
 * One partition's generation history (generation -> first offset written in it), immutable.
 *
 * Generations change only at leader changes, so the writer replaces the whole (tiny) array on each
 * change instead of keeping a mutable map plus a published copy: the same instance is both the
 * writer's pending history and, once its batch is durable, what readers see.
 *
 * Invariants, kept by the writer: generations strictly increase, starts strictly increase (a
 * generation that starts where the previous one did replaces it, as Kafka's leader-epoch cache
 * does) and no start lies above the log end offset.
 */
final class GenerationHistory {
    static final GenerationHistory EMPTY = new GenerationHistory(new int[0], new long[0]);

    private final int[] generations;
    private final long[] starts;

    private GenerationHistory(int[] generations, long[] starts) {
        this.generations = generations;
        this.starts = starts;
    }

    /** Builds a history from entries in increasing generation order (recovery). */
    static GenerationHistory of(int[] generations, long[] starts) {
        return new GenerationHistory(generations.clone(), starts.clone());
    }

    int size() {
        return generations.length;
    }

    int generation(int i) {
        return generations[i];
    }

    long start(int i) {
        return starts[i];
    }

    /** The last recorded generation, 0 if none. */
    int last() {
        return generations.length == 0 ? 0 : generations[generations.length - 1];
    }

    OptionalLong startOf(int generation) {
        int i = Arrays.binarySearch(generations, generation);
        return i >= 0 ? OptionalLong.of(starts[i]) : OptionalLong.empty();
    }

    /** Start of the first generation greater than {@code generation}, or {@code logEnd}. */
    long endOffsetFor(int generation, long logEnd) {
        int i = firstAbove(generation);
        return i < generations.length ? starts[i] : logEnd;
    }

    /** The greatest generation at most {@code generation}, 0 if none. */
    int floor(int generation) {
        int i = firstAbove(generation) - 1;
        return i >= 0 ? generations[i] : 0;
    }

    private int firstAbove(int generation) {
        int lo = 0;
        int hi = generations.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (generations[mid] <= generation) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * Records {@code generation} (greater than {@link #last()}) as starting at {@code start} (at or
     * above every recorded start); the last entry is dropped if it starts at the same offset.
     */
    GenerationHistory with(int generation, long start) {
        int n = generations.length;
        if (n > 0 && (generation <= generations[n - 1] || start < starts[n - 1])) {
            throw new IllegalArgumentException("generation " + generation + " at " + start
                    + " does not follow generation " + generations[n - 1] + " at " + starts[n - 1]);
        }
        int keep = n > 0 && starts[n - 1] == start ? n - 1 : n;
        int[] g = Arrays.copyOf(generations, keep + 1);
        long[] s = Arrays.copyOf(starts, keep + 1);
        g[keep] = generation;
        s[keep] = start;
        return new GenerationHistory(g, s);
    }

    /** Without the entries that start at or after {@code end} (a truncation to {@code end}). */
    GenerationHistory truncatedTo(long end) {
        int keep = 0;
        while (keep < starts.length && starts[keep] < end) {
            keep++;
        }
        return keep == starts.length ? this : copyOfRange(0, keep);
    }

    /**
     * Without the generations that lie wholly below {@code logStart} (retention removed all their
     * chunks): every entry whose successor starts at or below it. The last entry always stays.
     */
    GenerationHistory prunedBelow(long logStart) {
        int drop = 0;
        while (drop + 1 < starts.length && starts[drop + 1] <= logStart) {
            drop++;
        }
        return drop == 0 ? this : copyOfRange(drop, starts.length);
    }

    private GenerationHistory copyOfRange(int from, int to) {
        return new GenerationHistory(Arrays.copyOfRange(generations, from, to), Arrays.copyOfRange(starts, from, to));
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < generations.length; i++) {
            b.append(i == 0 ? "" : ", ").append(generations[i]).append('=').append(starts[i]);
        }
        return b.append('}').toString();
    }
}
