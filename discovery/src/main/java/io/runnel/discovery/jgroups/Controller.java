package io.runnel.discovery.jgroups;

import io.runnel.discovery.ClusterState;
import io.runnel.discovery.Generation;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntPredicate;

/*
 * Pure decision logic, run on the raft leader only (JGroupsCluster drives it on its controller thread). Every
 * command it emits is conditional on the generation version it saw, and never adds an ISR member, so a
 * controller deciding on a slightly stale replica of the metadata is refused rather than wrong.
 */

/** Turns membership into generation changes: failover, ISR removal of dead brokers, handback. */
final class Controller {

    /** The latest log end sum a broker reported for a range, or -1 if none. */
    @FunctionalInterface
    interface LogEnds {
        long of(int broker, int range);
    }

    private Controller() {
    }

    /**
     * The commands to propose now, at most one per range, none for ranges in {@code busy}.
     *
     * @param state   the metadata (initialised) and the live set (the view)
     * @param down    whether a broker is known down: not in the view, and either seen before or absent past the
     *                formation grace. A broker outside the view but not yet down is left alone
     * @param logEnds reported log ends, to pick the most complete in-sync replica
     * @param busy    ranges with a controller command in flight
     */
    static List<MetadataCommand> plan(ClusterState state, IntPredicate down, LogEnds logEnds, Set<Integer> busy) {
        List<MetadataCommand> out = new ArrayList<>();
        Set<Integer> live = state.live();
        for (Generation g : state.generations().values()) {
            if (busy.contains(g.range())) {
                continue;
            }
            MetadataCommand cmd = planRange(g, live, down, logEnds);
            if (cmd != null) {
                out.add(cmd);
            }
        }
        return out;
    }

    static MetadataCommand planRange(Generation g, Set<Integer> live, IntPredicate down, LogEnds logEnds) {
        if (!live.contains(g.leader())) {
            if (!down.test(g.leader())) {
                return null; // maybe still joining: wait
            }
            // (b) failover to the live in-sync replica with the most data; ties go to replica order.
            int best = -1;
            long bestEnd = Long.MIN_VALUE;
            for (int candidate : g.replicas()) {
                if (candidate == g.leader() || !g.inSync(candidate) || !live.contains(candidate)) {
                    continue;
                }
                long end = logEnds.of(candidate, g.range());
                if (best < 0 || end > bestEnd) {
                    best = candidate;
                    bestEnd = end;
                }
            }
            if (best < 0) {
                return null; // no live in-sync replica: the range stays unavailable rather than lose data
            }
            Set<Integer> isr = new TreeSet<>(g.isr());
            isr.retainAll(live);
            return new MetadataCommand.ChangeLeader(g.range(), g.version(), best, isr);
        }
        // (a) drop dead followers from the ISR.
        Set<Integer> dead = new TreeSet<>();
        for (int member : g.isr()) {
            if (member != g.leader() && !live.contains(member) && down.test(member)) {
                dead.add(member);
            }
        }
        if (!dead.isEmpty()) {
            return new MetadataCommand.RemoveFromIsr(g.range(), g.version(), dead);
        }
        // (c) handback to the natural leader once it is alive and in sync again.
        int natural = g.range();
        if (g.leader() != natural && live.contains(natural) && g.inSync(natural)) {
            return new MetadataCommand.ChangeLeader(g.range(), g.version(), natural, g.isr());
        }
        return null;
    }
}
