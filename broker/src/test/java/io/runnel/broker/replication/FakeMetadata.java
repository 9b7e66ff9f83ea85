package io.runnel.broker.replication;

import io.runnel.discovery.Generation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * The cluster metadata as the roles see it, controlled by the test: the view, and proposals recorded with a future
 * the test completes ({@link #accept} applies one as the raft state machine would).
 */
final class FakeMetadata implements ReplicaMetadata {
    Set<Integer> live;
    final List<Proposal> proposals = new ArrayList<>();
    final Map<Integer, Long> logEnds = new HashMap<>();

    /** A proposal: {@code newLeader} is -1 for an ISR change. */
    record Proposal(int range, int version, int newLeader, Set<Integer> isr, CompletableFuture<Generation> answer) {
    }

    FakeMetadata(Set<Integer> live) {
        this.live = new TreeSet<>(live);
    }

    @Override
    public Set<Integer> live() {
        return live;
    }

    @Override
    public CompletableFuture<Generation> proposeIsr(int range, int version, Set<Integer> isr) {
        Proposal p = new Proposal(range, version, -1, Set.copyOf(isr), new CompletableFuture<>());
        proposals.add(p);
        return p.answer();
    }

    @Override
    public CompletableFuture<Generation> proposeLeader(int range, int version, int newLeader, Set<Integer> isr) {
        Proposal p = new Proposal(range, version, newLeader, Set.copyOf(isr), new CompletableFuture<>());
        proposals.add(p);
        return p.answer();
    }

    @Override
    public void reportLogEnd(int range, long logEndSum) {
        logEnds.put(range, logEndSum);
    }

    /** The oldest unanswered proposal, taken out. */
    Proposal take() {
        if (proposals.isEmpty()) {
            throw new AssertionError("nothing was proposed");
        }
        return proposals.removeFirst();
    }

    /** Commits {@code p} against {@code current}: the generation after it, as the state machine makes it. */
    static Generation accept(Proposal p, Generation current) {
        Generation next = p.newLeader() < 0
                ? new Generation(current.range(), current.version(), current.leader(), current.replicas(), p.isr())
                : new Generation(current.range(), current.version() + 1, p.newLeader(), current.replicas(),
                        union(p.isr(), p.newLeader()));
        p.answer().complete(next);
        return next;
    }

    private static Set<Integer> union(Set<Integer> isr, int broker) {
        Set<Integer> out = new TreeSet<>(isr);
        out.add(broker);
        return out;
    }
}
