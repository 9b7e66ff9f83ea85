package io.runnel.broker.cluster.transport;

import java.util.List;
import java.util.Objects;

/**
 * A message of the inter-broker channel (port 9254): one length-prefixed binary frame each (see
 * {@link ClusterMessageEncoder} for the layout). Requests carry an id chosen by the sender; the answer to
 * a request carries the same id, so a connection can have many requests in flight (pipelining).
 *
 * <p>Messages are plain heap objects: the decoder copies what it needs out of the frame, so no message
 * holds a reference-counted buffer and none needs releasing. Byte arrays inside a message must not be
 * modified after it is handed to the channel.
 *
 * <p>Who sends what (docs/replication.md): every broker keeps one client connection to each peer and
 * sends its requests there; the peer answers on the same connection.
 * <ul>
 *   <li>{@link Hello}: first frame of every client connection, names the sender.</li>
 *   <li>{@link Forward} → {@link ForwardReply}: a keyed write relayed to the partition's leader.</li>
 *   <li>{@link Replicate} → {@link ReplicateAck}: leader to follower, one stamped chunk.</li>
 *   <li>{@link Fetch} → {@link FetchReply}: follower to leader, asks where to truncate on joining a
 *       generation.</li>
 *   <li>{@link Follow} → {@link FollowReply}: follower to leader, its log ends after truncating: the
 *       leader streams {@link Replicate} frames from there.</li>
 * </ul>
 */
public sealed interface ClusterMessage {

    /**
     * Version of this frame format, exchanged in {@link Hello} (2: truncation points carry the leader's log start;
     * 3: generation versions are int32, as in the chunks).
     */
    int PROTOCOL_VERSION = 3;

    /** The id that pairs a request with its answer; 0 for {@link Hello}. */
    long requestId();

    /** First frame on every client connection: who is talking. */
    record Hello(long requestId, int protocolVersion, int ordinal) implements ClusterMessage {
    }

    /**
     * A produce request the receiving broker could not serve itself, relayed as it came.
     *
     * @param partitionKey the key, or {@code null} for a keyless write (the leader picks one of its partitions)
     * @param contentType  the request's {@code Content-Type}, or {@code null}
     */
    record Forward(long requestId, String topic, String partitionKey, String contentType, byte[] body)
            implements ClusterMessage {
        public Forward {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(body, "body");
        }
    }

    /**
     * The leader's HTTP answer to a {@link Forward}, relayed to the producer unchanged.
     *
     * @param retryAfterSeconds the {@code Retry-After} header, or 0 for none
     */
    record ForwardReply(long requestId, int httpStatus, int retryAfterSeconds, byte[] jsonBody) implements ClusterMessage {
        public ForwardReply {
            Objects.requireNonNull(jsonBody, "jsonBody");
        }
    }

    /**
     * One chunk the leader stamped, for a follower to append unchanged.
     *
     * @param leaderHighWatermark the partition's high watermark on the leader when it sent this frame
     * @param chunk               the stamped chunk (base offset and generation inside)
     */
    record Replicate(long requestId, int range, int version, String topic, int partition, long leaderHighWatermark,
                     byte[] chunk) implements ClusterMessage {
        public Replicate {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(chunk, "chunk");
        }
    }

    /** Outcome of a {@link Replicate} on the follower. */
    enum AckStatus {
        /** Appended and durable; {@code value} is the partition's durable log end offset. */
        OK,
        /** The frame's version is not the follower's current version of the range; {@code value} is that version. */
        STALE_GENERATION,
        /** The chunk does not start at the follower's log end; {@code value} is that log end. */
        OFFSET_MISMATCH,
        /** The follower has not (re)joined this generation with Fetch/Follow yet; {@code value} is 0. */
        NOT_FOLLOWING,
        /** The follower could not store the chunk (its storage failed); {@code value} is 0. */
        FAILED
    }

    /** The follower's answer to a {@link Replicate} with the same request id. */
    record ReplicateAck(long requestId, int range, int version, String topic, int partition, AckStatus status,
                        long value) implements ClusterMessage {
        public ReplicateAck {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(status, "status");
        }
    }

    /** One partition in a {@link Fetch}: the follower's log end and last generation there. */
    record FetchPartition(String topic, int partition, long logEnd, int lastVersion) {
        public FetchPartition {
            Objects.requireNonNull(topic, "topic");
        }
    }

    /** A follower joining generation {@code version} of {@code range} asks where its logs must end. */
    record Fetch(long requestId, int range, int version, List<FetchPartition> partitions) implements ClusterMessage {
        public Fetch {
            partitions = List.copyOf(partitions);
        }
    }

    /** Whether the leader took a {@link Fetch} or {@link Follow}. */
    enum ReplyStatus {
        OK,
        /** The receiver does not lead that range in that version (yet, or any more). */
        NOT_LEADER
    }

    /**
     * Where one partition of the follower must end (KIP-279): {@code version} is the greatest generation
     * in the leader's history that is at most the follower's last one, {@code endOffset} the end of that
     * generation in the leader's log. {@code logStart} is the leader's log start: a follower whose log
     * ends below it (retention removed what it lacks) restarts its log empty there.
     */
    record TruncationPoint(String topic, int partition, int version, long endOffset, long logStart) {
        public TruncationPoint {
            Objects.requireNonNull(topic, "topic");
        }
    }

    /**
     * The leader's answer to a {@link Fetch}.
     *
     * @param points one per partition of the request
     * @param topics every topic the leader has (the follower creates the ones it lacks)
     */
    record FetchReply(long requestId, int range, int version, ReplyStatus status, List<TruncationPoint> points,
                      List<String> topics) implements ClusterMessage {
        public FetchReply {
            Objects.requireNonNull(status, "status");
            points = List.copyOf(points);
            topics = List.copyOf(topics);
        }
    }

    /** The follower's durable log end of one partition after truncating. */
    record Position(String topic, int partition, long logEnd) {
        public Position {
            Objects.requireNonNull(topic, "topic");
        }
    }

    /** The follower truncated and is ready for the leader's chunks from {@code positions} on. */
    record Follow(long requestId, int range, int version, List<Position> positions) implements ClusterMessage {
        public Follow {
            positions = List.copyOf(positions);
        }
    }

    /** The leader's answer to a {@link Follow}. */
    record FollowReply(long requestId, int range, int version, ReplyStatus status) implements ClusterMessage {
        public FollowReply {
            Objects.requireNonNull(status, "status");
        }
    }

    /** Outcome of a {@link GroupPoll} or {@link GroupCommit} on the receiver. */
    enum GroupStatus {
        OK,
        /** The consumer is not (or no longer) registered: it must register again. */
        NOT_REGISTERED,
        /** The receiver is starting or stopping (no consumer groups to ask); retry shortly. */
        UNAVAILABLE,
        /** Anything else; the reply's message says what. */
        FAILED
    }

    /**
     * A poll of consumer {@code consumerId} for the partitions of its assignment the receiver leads: as
     * the HTTP poll, it first commits what the consumer's previous poll on the receiver returned.
     *
     * @param timeoutMs how long the receiver may wait for data (capped by its max-poll-wait-ms)
     * @param maxBytes  most chunk bytes to return; {@code <= 0} or above the receiver's max-poll-bytes
     *                  means that cap
     */
    record GroupPoll(long requestId, String consumerId, long timeoutMs, int maxBytes) implements ClusterMessage {
        public GroupPoll {
            Objects.requireNonNull(consumerId, "consumerId");
        }
    }

    /**
     * The events one {@link GroupPoll} read from one partition: the fields of the broker's
     * {@code PartitionBatch}, with its stored chunks as they are (keys, timestamps and CRCs included).
     * Records of the first chunk below {@code startOffset} were delivered before and are to be skipped.
     */
    record GroupBatch(String topic, int partition, long token, int rangeIndex, int version, long startOffset,
                      long nextOffset, List<byte[]> chunks) {
        public GroupBatch {
            Objects.requireNonNull(topic, "topic");
            chunks = List.copyOf(chunks);
        }

        /** Bytes of the chunks. */
        public long chunkBytes() {
            long n = 0;
            for (byte[] c : chunks) {
                n += c.length;
            }
            return n;
        }
    }

    /**
     * The answer to a {@link GroupPoll}: with {@link GroupStatus#OK} the batches read (none when there was
     * nothing to read), otherwise no batches and a message saying why.
     *
     * @param message {@code null} with {@link GroupStatus#OK}
     */
    record GroupPollReply(long requestId, GroupStatus status, String message, List<GroupBatch> batches)
            implements ClusterMessage {
        public GroupPollReply {
            Objects.requireNonNull(status, "status");
            batches = List.copyOf(batches);
        }

        /** Bytes of the chunks of every batch. */
        public long chunkBytes() {
            long n = 0;
            for (GroupBatch b : batches) {
                n += b.chunkBytes();
            }
            return n;
        }
    }

    /** Commits now, on the receiver, the positions its last {@link GroupPoll} of {@code consumerId} reached. */
    record GroupCommit(long requestId, String consumerId) implements ClusterMessage {
        public GroupCommit {
            Objects.requireNonNull(consumerId, "consumerId");
        }
    }

    /**
     * The answer to a {@link GroupCommit}, sent once the commit is durable ({@link GroupStatus#OK}) or failed.
     *
     * @param message {@code null} with {@link GroupStatus#OK}
     */
    record GroupCommitReply(long requestId, GroupStatus status, String message) implements ClusterMessage {
        public GroupCommitReply {
            Objects.requireNonNull(status, "status");
        }
    }
}
