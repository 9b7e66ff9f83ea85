package io.runnel.broker.consume;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The long polls waiting for data, and the append hints that wake them. A poll parks on the partitions it may
 * read here; an append to one of them ({@link #onAppend}, any thread) queues a wake-up on the group thread,
 * which retries every poll parked on that partition.
 *
 * <p>The park/append race: an append that lands between planning a read and parking woke nobody. Each
 * planned read records the append hints it saw ({@link #hints}); {@link #park} compares them with the hints
 * after the watch is in place and reports a missed append, so the caller reads again instead of sleeping.
 *
 * <p>Threads: the group thread, except {@link #onAppend}.
 */
final class ParkedPolls {
    // Group thread only.
    private final Map<TopicPartition, Set<PendingPoll>> watchers = new HashMap<>();
    /** Polls parked now. Written on the group thread only, read by metrics. */
    private volatile int parked;

    // Shared with onAppend callers.
    /** Partitions some parked poll waits on. */
    private final Set<TopicPartition> watched = ConcurrentHashMap.newKeySet();
    /** Partitions with an append not yet handed to the group thread. */
    private final Set<TopicPartition> wakeQueue = ConcurrentHashMap.newKeySet();
    /** Highest next offset reported by {@link #onAppend} per partition. */
    private final ConcurrentHashMap<TopicPartition, Long> appended = new ConcurrentHashMap<>();

    private final GroupThread thread;
    private final Consumer<PendingPoll> wake;

    /** @param wake called on the group thread with each poll an append unparked */
    ParkedPolls(GroupThread thread, Consumer<PendingPoll> wake) {
        this.thread = thread;
        this.wake = wake;
    }

    /** A partition's log grew durably to {@code nextOffset}. Any thread; cheap. */
    void onAppend(TopicPartition tp, long nextOffset) {
        appended.merge(tp, nextOffset, Math::max);
        // Read after the write above: either the parking poll sees the new hint, or we see its watch.
        if (watched.contains(tp) && wakeQueue.add(tp)) {
            thread.execute(this::drainWakes);
        }
    }

    /** The append hints of {@code partitions} now, for a read being planned. */
    Map<TopicPartition, Long> hints(List<TopicPartition> partitions) {
        Map<TopicPartition, Long> hints = new HashMap<>();
        for (TopicPartition tp : partitions) {
            Long hint = appended.get(tp);
            if (hint != null) {
                hints.put(tp, hint);
            }
        }
        return hints;
    }

    /**
     * Parks {@code p} on {@code partitions}. Returns {@code false}, leaving it unparked, when one of them had
     * an append since its read was planned (read again instead).
     */
    boolean park(PendingPoll p, Set<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            watchers.computeIfAbsent(tp, k -> new HashSet<>()).add(p);
            watched.add(tp);
        }
        p.watching = partitions;
        for (TopicPartition tp : partitions) {
            Long now = appended.get(tp);
            Long then = p.hintsAtPlan.get(tp);
            if (now != null && (then == null || now > then)) {
                unpark(p);
                return false;
            }
        }
        p.counted = true;
        parked++;
        return true;
    }

    /** Takes {@code p} out of the parked polls and cancels its timer; harmless when not parked. */
    void unpark(PendingPoll p) {
        if (p.counted) {
            p.counted = false;
            parked--;
        }
        for (TopicPartition tp : p.watching) {
            Set<PendingPoll> polls = watchers.get(tp);
            if (polls != null && polls.remove(p) && polls.isEmpty()) {
                watchers.remove(tp);
                watched.remove(tp);
            }
        }
        p.watching = Set.of();
        if (p.timer != null) {
            p.timer.cancel(false);
            p.timer = null;
        }
    }

    /** Polls parked now. Any thread. */
    int count() {
        return parked;
    }

    private void drainWakes() {
        for (TopicPartition tp : List.copyOf(wakeQueue)) {
            wakeQueue.remove(tp);
            Set<PendingPoll> polls = watchers.get(tp);
            if (polls == null) {
                continue;
            }
            for (PendingPoll p : new ArrayList<>(polls)) {
                unpark(p);
                wake.accept(p);
            }
        }
    }
}
