package io.runnel.broker.replication;

import io.runnel.broker.common.Futures;
import io.runnel.discovery.Generation;
import io.runnel.discovery.MetadataRejectedException;
import io.runnel.discovery.Rejection;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leader's in-sync replica set: on each tick it proposes, through the metadata, to drop the followers that did
 * not acknowledge within the replica lag, or else to add back one that caught up, one change at a time
 * ({@link IsrChange}). A refused proposal is retried after a backoff; a stale one means this leader was deposed.
 * Part of a {@link LeaderRole}, on the range's thread.
 */
final class IsrManager {
    private static final Logger log = LoggerFactory.getLogger(IsrManager.class);
    private static final Duration PROPOSAL_BACKOFF = Duration.ofSeconds(1);

    /** What the ISR manager tells its leader. */
    interface Events {
        /** A proposal was committed: this is the generation now. */
        void committed(Generation g);

        /** A proposed expansion failed: the joining member no longer holds the high watermark back. */
        void expansionFailed();

        /** The metadata holds a newer generation than this leader's. */
        void stale();
    }

    private final ReplicationContext ctx;
    private final int range;
    private final int version;
    private final Map<TopicPartition, LeaderPartition> partitions;
    private final LeaderStreams streams;
    private final Events events;
    private final Executor rangeThread;
    private IsrChange inFlight = IsrChange.NONE;
    /** After a failed proposal, none before this time: rejected proposals still go through the raft log. */
    private long nextProposalNanos;

    IsrManager(ReplicationContext ctx, int range, int version, Map<TopicPartition, LeaderPartition> partitions,
               LeaderStreams streams, Events events, Executor rangeThread) {
        this.ctx = ctx;
        this.range = range;
        this.version = version;
        this.partitions = partitions;
        this.streams = streams;
        this.events = events;
        this.rangeThread = rangeThread;
        this.nextProposalNanos = ctx.nanoTime();
    }

    /** The change proposed and not answered yet ({@link IsrChange#NONE} if none). */
    IsrChange inFlight() {
        return inFlight;
    }

    /** Shrinks the ISR by the followers that lag, or else grows it by one that caught up. */
    void tick(long now, Generation generation) {
        if (inFlight != IsrChange.NONE || now - nextProposalNanos < 0) {
            return;
        }
        Set<Integer> lagging = lagging(now, generation);
        if (!lagging.isEmpty()) {
            Set<Integer> isr = new TreeSet<>(generation.isr());
            isr.removeAll(lagging);
            log.warn(
                    "range {}: brokers {} did not acknowledge within {} ms; proposing ISR {}", range, lagging,
                    ctx.config().replicaLag().toMillis(), isr);
            propose(new IsrChange.Shrink(isr, lagging));
            return;
        }
        Set<Integer> live = ctx.metadata().live();
        for (FollowerStream s : streams.all()) {
            if (!generation.isr().contains(s.broker) && s.following && live.contains(s.broker)
                    && ctx.connected(s.broker) && caughtUp(s)) {
                Set<Integer> isr = new TreeSet<>(generation.isr());
                isr.add(s.broker);
                log.info("range {}: broker {} caught up; proposing ISR {}",
                        range, s.broker, isr);
                propose(new IsrChange.Expand(isr, s.broker));
                return;
            }
        }
    }

    /** The ISR members whose oldest unacknowledged chunk is older than the replica lag. */
    private Set<Integer> lagging(long now, Generation generation) {
        long lag = ctx.config().replicaLag().toNanos();
        Set<Integer> out = new TreeSet<>();
        for (int broker : generation.isr()) {
            FollowerStream s = streams.get(broker);
            if (s == null) {
                continue; // this broker
            }
            for (LeaderPartition lp : partitions.values()) {
                long acked = s.acked(lp.tp);
                var oldest = acked < 0 ? lp.pending.firstEntry() : lp.pending.ceilingEntry(acked);
                if (oldest != null && now - oldest.getValue().assignedNanos > lag) {
                    out.add(broker);
                    break;
                }
            }
        }
        return out;
    }

    private boolean caughtUp(FollowerStream s) {
        for (LeaderPartition lp : partitions.values()) {
            if (s.acked(lp.tp) < lp.syncPoint()) {
                return false;
            }
        }
        return true;
    }

    private void propose(IsrChange change) {
        inFlight = change;
        ctx.metadata().proposeIsr(range, version, change.isr()).whenComplete((g, e) -> rangeThread.execute(() -> {
            inFlight = IsrChange.NONE;
            if (e == null) {
                events.committed(g);
                return;
            }
            log.warn("range {}: ISR proposal {} failed: {}", range,
                    change.isr(), e.toString());
            if (change instanceof IsrChange.Expand) {
                events.expansionFailed();
            }
            if (isStale(e)) {
                events.stale();
            } else {
                nextProposalNanos = ctx.nanoTime() + PROPOSAL_BACKOFF.toNanos();
            }
        }));
    }

    private static boolean isStale(Throwable e) {
        return Futures.unwrap(e) instanceof MetadataRejectedException r
                && (r.reason() == Rejection.STALE_VERSION || r.reason() == Rejection.NOT_LEADER);
    }
}
