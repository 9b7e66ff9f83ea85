package io.runnel.broker.replication;

import io.runnel.broker.cluster.transport.ClusterMessage.AckStatus;
import io.runnel.broker.cluster.transport.ClusterMessage.Replicate;
import io.runnel.broker.cluster.transport.ClusterMessage.ReplicateAck;
import io.runnel.broker.cluster.transport.PeerChannel;
import io.runnel.broker.replication.FollowerStream.Cursor;
import io.runnel.broker.replication.FollowerStream.InFlight;
import io.runnel.storage.Chunk;
import io.runnel.storage.ReadResult;
import java.util.Collection;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leader's ordered streams of {@code Replicate} frames, one per follower ({@link FollowerStream}): what is
 * sent, what is in flight within the window, and what each follower acknowledged. Chunks of this generation
 * come from memory ({@link PendingChunk}); older ones, for a follower catching up, are read from the store.
 * Owned by the range's thread, as part of its {@link LeaderRole}.
 */
final class LeaderStreams {
    private static final Logger log = LoggerFactory.getLogger(LeaderStreams.class);
    /** Bytes of frames in flight to one follower before the stream waits for acknowledgements. */
    static final int WINDOW_BYTES = 8 << 20;
    /** Bytes read from the store per catch-up read. */
    static final int CATCH_UP_READ_BYTES = 1 << 20;

    /** What a stream tells its leader. */
    interface Events {
        /** A follower acknowledged more of {@code lp}. */
        void acknowledged(LeaderPartition lp);

        /** A follower knows a newer generation than this one. */
        void superseded(int broker, long newerVersion);
    }

    private final ReplicationContext ctx;
    private final int range;
    private final int version;
    private final Map<TopicPartition, LeaderPartition> partitions;
    private final Map<Integer, FollowerStream> followers;
    private final Events events;

    LeaderStreams(ReplicationContext ctx, int range, int version, Map<TopicPartition, LeaderPartition> partitions,
                  Map<Integer, FollowerStream> followers, Events events) {
        this.ctx = ctx;
        this.range = range;
        this.version = version;
        this.partitions = partitions;
        this.followers = followers;
        this.events = events;
    }

    Collection<FollowerStream> all() {
        return followers.values();
    }

    FollowerStream get(int broker) {
        return followers.get(broker);
    }

    /** A follower answered a {@code Replicate}. */
    void onAck(int broker, ReplicateAck ack) {
        FollowerStream s = followers.get(broker);
        if (s == null || ack.version() != version) {
            return;
        }
        InFlight f = s.inflight.remove(ack.requestId());
        if (f == null) {
            return; // sent before the stream restarted
        }
        boolean windowWasFull = s.inflightBytes >= WINDOW_BYTES;
        s.inflightBytes -= f.bytes();
        Cursor c = s.cursor(f.tp());
        LeaderPartition lp = partitions.get(f.tp());
        switch (ack.status()) {
            case OK -> {
                if (ack.value() > c.acked) {
                    c.acked = ack.value();
                    if (lp != null) {
                        events.acknowledged(lp);
                    }
                }
            }
            case OFFSET_MISMATCH -> {
                if (f.seq() == c.seq) {
                    long expected = ack.value();
                    if (lp != null && expected > lp.assignedEnd) {
                        log.error("range {}: broker {} holds {} up to {}, beyond this leader's end {}; it must rejoin",
                                range, broker, f.tp(), expected, lp.assignedEnd);
                        stop(s);
                        return;
                    }
                    log.info("range {}: broker {} expects {} at {}, not {}; resending from there", range, broker, f.tp(),
                            expected, f.base());
                    c.seq++;
                    c.sentUpTo = expected;
                }
            }
            case STALE_GENERATION, NOT_FOLLOWING, FAILED -> {
                log.info("range {}: broker {} refused {} at {}: {} {}", range, broker, f.tp(), f.base(), ack.status(),
                        ack.value());
                stop(s);
                if (ack.status() == AckStatus.STALE_GENERATION && ack.value() > version) {
                    events.superseded(broker, ack.value());
                }
                return;
            }
        }
        // Only a full window held other partitions back; otherwise only this one may have more to send.
        if (windowWasFull) {
            pump(s);
        } else if (lp != null) {
            pump(s, lp);
        }
    }

    /** The follower refused the stream: nothing more until it joins again. */
    void stop(FollowerStream s) {
        s.following = false;
        s.inflight.clear();
        s.inflightBytes = 0;
    }

    /** Sends every follower what it lacks of {@code lp}, within the windows. */
    void pumpAll(LeaderPartition lp) {
        for (FollowerStream s : followers.values()) {
            pump(s, lp);
        }
    }

    /** Sends every follower what it lacks, within the windows. */
    void pumpAll() {
        for (FollowerStream s : followers.values()) {
            pump(s);
        }
    }

    /** Sends {@code s} what it lacks of every partition, within its window. */
    void pump(FollowerStream s) {
        if (!s.following) {
            return;
        }
        for (LeaderPartition lp : partitions.values()) {
            if (!pump(s, lp)) {
                return;
            }
        }
    }

    /** Sends what {@code s} lacks of {@code lp}, within the window; false when the stream cannot go on now. */
    private boolean pump(FollowerStream s, LeaderPartition lp) {
        if (!s.following) {
            return false;
        }
        PeerChannel peer = ctx.peer(s.broker);
        if (peer == null || !peer.connected()) {
            return false;
        }
        Cursor c = s.cursor(lp.tp);
        while (c.sentUpTo < lp.assignedEnd) {
            if (s.inflightBytes >= WINDOW_BYTES) {
                return false;
            }
            PendingChunk pc = lp.pending.get(c.sentUpTo);
            if (pc != null) {
                if (!send(peer, s, lp, c, pc.base, pc.next, pc.chunk)) {
                    return false;
                }
                continue;
            }
            if (c.sentUpTo >= lp.localEnd) {
                break; // not durable here yet, and not one of this generation's chunks: comes with onLocalAppend
            }
            long until = lp.pending.isEmpty() ? lp.localEnd : Math.min(lp.localEnd, lp.pending.firstKey());
            ReadResult read;
            try {
                read = ctx.store().read(lp.topicId, lp.tp.partition(), c.sentUpTo, CATCH_UP_READ_BYTES, until);
            } catch (RuntimeException e) {
                log.error("range {}: reading {} at {} for broker {} failed", range, lp.tp, c.sentUpTo, s.broker, e);
                return true;
            }
            if (read.chunks().isEmpty() || read.chunks().getFirst().baseOffset() != c.sentUpTo) {
                log.warn("range {}: cannot stream {} from {} to broker {} (log starts at {}); it stays out of sync",
                        range, lp.tp, c.sentUpTo, s.broker,
                        read.chunks().isEmpty() ? "?" : read.chunks().getFirst().baseOffset());
                return true;
            }
            for (Chunk chunk : read.chunks()) {
                if (!send(peer, s, lp, c, chunk.baseOffset(), chunk.nextOffset(), chunk.bytes())) {
                    return false;
                }
            }
        }
        return true;
    }

    private boolean send(PeerChannel peer, FollowerStream s, LeaderPartition lp, Cursor c, long base, long next,
                         byte[] chunk) {
        long id = peer.nextRequestId();
        s.inflight.put(id, new InFlight(lp.tp, c.seq, base, next, chunk.length));
        if (!peer.send(new Replicate(id, range, version, lp.tp.topic(), lp.tp.partition(), lp.hwm, chunk))) {
            s.inflight.remove(id);
            return false;
        }
        s.inflightBytes += chunk.length;
        c.sentUpTo = next;
        return true;
    }
}
