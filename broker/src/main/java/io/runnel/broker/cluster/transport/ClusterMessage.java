package io.runnel.broker.cluster.transport;

import java.util.List;
import java.util.Objects;

/**
 * A message of the inter-broker channel (port 9254): one length-prefixed binary frame each (see
 * {@link ClusterMessageEncoder} for the layout). Requests ({@link ClusterRequest}) carry an id chosen by the
 * sender and a {@link RequestType}; the answer carries the same id, so a connection can have many requests in
 * flight (pipelining). Every request is answered by its own reply type or, when it fails, by an
 * {@link ErrorReply} with an error code of the catalog ({@code io.runnel.broker.common.Errors}).
 *
 * <p>Messages are plain heap objects: the decoder copies what it needs out of the frame, so no message
 * holds a reference-counted buffer and none needs releasing. Byte arrays inside a message must not be
 * modified after it is handed to the channel.
 *
 * <p>Who sends what (docs/replication.md, docs/architecture.md): every broker keeps one client connection to
 * each peer and sends its requests there; the peer answers on the same connection.
 * <ul>
 *   <li>{@link Hello} → {@link Challenge} → {@link Proof}: the handshake that opens every connection
 *       ({@link Handshake}); nothing else is read before it succeeded.</li>
 *   <li>{@link Replicate} → {@link ReplicateAck}: leader to follower, one stamped chunk.</li>
 *   <li>{@link Fetch} → {@link FetchReply}: follower to leader, asks where to truncate on joining a
 *       generation.</li>
 *   <li>{@link Follow} → {@link FollowReply}: follower to leader, its log ends after truncating: the
 *       leader streams {@link Replicate} frames from there.</li>
 *   <li>{@link ProduceRequest} → {@link ProduceReply}: a write relayed to the partition's leader.</li>
 *   <li>{@link GroupPoll} → {@link GroupPollReply}, {@link GroupCommit} → {@link GroupCommitReply}: a
 *       consumer's share of its group at another partition leader.</li>
 *   <li>{@link GroupLagRequest} → {@link GroupLagReply}, {@link GroupSeekRequest} → {@link GroupSeekReply}:
 *       a group's lag, or a seek, in the partitions the receiver leads.</li>
 *   <li>{@link BridgeStatusRequest} → {@link BridgeStatusReply}: the counters of a bridge the receiver runs.</li>
 *   <li>{@link Ping} → {@link Pong}: keeps an idle connection alive ({@link Heartbeat}).</li>
 * </ul>
 */
public sealed interface ClusterMessage {

    /**
     * Version of this frame format, exchanged in {@link Hello} (2: truncation points carry the leader's log start;
     * 3: generation versions are int32; 4: typed requests with error codes instead of relayed HTTP answers; 5: a
     * mutual HMAC handshake over the cluster secret opens every connection; 6: {@link Ping} and {@link Pong} keep an
     * idle connection alive, and a connection silent for longer than {@link Heartbeat#IDLE_TIMEOUT} is closed).
     */
    int PROTOCOL_VERSION = 6;

    /** The id that pairs a request with its answer; 0 for {@link Hello}. */
    long requestId();

    /** A message that asks for an answer: it names its type, by which the receiver finds its handler. */
    sealed interface ClusterRequest extends ClusterMessage {
        RequestType type();
    }

    /** First frame on every client connection: who is talking, and its half of the handshake's nonces. */
    record Hello(long requestId, int protocolVersion, int ordinal, byte[] nonce) implements ClusterMessage {
        public Hello {
            Objects.requireNonNull(nonce, "nonce");
        }
    }

    /** The server's answer to a {@link Hello}: its nonce, and its proof that it knows the cluster secret. */
    record Challenge(long requestId, int ordinal, byte[] nonce, byte[] proof) implements ClusterMessage {
        public Challenge {
            Objects.requireNonNull(nonce, "nonce");
            Objects.requireNonNull(proof, "proof");
        }
    }

    /** Sent by a client connection that had nothing else to send for {@link Heartbeat#PING_INTERVAL}. */
    record Ping(long requestId) implements ClusterRequest {
        @Override
        public RequestType type() {
            return RequestType.PING;
        }
    }

    /** The answer to a {@link Ping}. */
    record Pong(long requestId) implements ClusterMessage {
    }

    /** The client's proof that it knows the cluster secret; the connection carries requests from then on. */
    record Proof(long requestId, byte[] proof) implements ClusterMessage {
        public Proof {
            Objects.requireNonNull(proof, "proof");
        }
    }

    /**
     * The failure of any request: an error of the catalog ({@code Errors.code()}), what to do about it, and the
     * {@code Retry-After} seconds the receiver suggests.
     */
    record ErrorReply(long requestId, int errorCode, String message, int retryAfterSeconds) implements ClusterMessage {
        public ErrorReply {
            Objects.requireNonNull(message, "message");
        }
    }

    // ------------------------------------------------------------------ replication

    /**
     * One chunk the leader stamped, for a follower to append unchanged.
     *
     * @param leaderHighWatermark the partition's high watermark on the leader when it sent this frame
     * @param chunk               the stamped chunk (base offset and generation inside)
     */
    record Replicate(long requestId, int range, int version, String topic, int partition, long leaderHighWatermark,
                     byte[] chunk) implements ClusterRequest {
        public Replicate {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(chunk, "chunk");
        }

        @Override
        public RequestType type() {
            return RequestType.REPLICATE;
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
    record Fetch(long requestId, int range, int version, List<FetchPartition> partitions) implements ClusterRequest {
        public Fetch {
            partitions = List.copyOf(partitions);
        }

        @Override
        public RequestType type() {
            return RequestType.FETCH;
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
    record Follow(long requestId, int range, int version, List<Position> positions) implements ClusterRequest {
        public Follow {
            positions = List.copyOf(positions);
        }

        @Override
        public RequestType type() {
            return RequestType.FOLLOW;
        }
    }

    /** The leader's answer to a {@link Follow}. */
    record FollowReply(long requestId, int range, int version, ReplyStatus status) implements ClusterMessage {
        public FollowReply {
            Objects.requireNonNull(status, "status");
        }
    }

    // ------------------------------------------------------------------ produce

    /**
     * A produce request the receiving broker could not serve itself, relayed unparsed to the broker that leads
     * the key's partition (or to any leader, for a keyless write).
     *
     * @param partitionKey the key, or {@code null} for a keyless write (the leader picks one of its partitions)
     * @param ndjson       whether the body holds one event per line (else one JSON event)
     */
    record ProduceRequest(long requestId, String topic, String partitionKey, boolean ndjson, byte[] body)
            implements ClusterRequest {
        public ProduceRequest {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(body, "body");
        }

        @Override
        public RequestType type() {
            return RequestType.PRODUCE;
        }
    }

    /** Where the leader stored a {@link ProduceRequest}'s events: durable on a majority. */
    record ProduceReply(long requestId, int partition, long offset, int count) implements ClusterMessage {
    }

    // ------------------------------------------------------------------ consumer groups

    /**
     * A poll of consumer {@code consumerId} for the partitions of its assignment the receiver leads: as
     * the HTTP poll, it first commits what the consumer's previous poll on the receiver returned.
     *
     * @param timeoutMs how long the receiver may wait for data (capped by its max-poll-wait-ms)
     * @param maxBytes  most chunk bytes to return; {@code <= 0} or above the receiver's max-poll-bytes
     *                  means that cap
     */
    record GroupPoll(long requestId, String consumerId, long timeoutMs, int maxBytes) implements ClusterRequest {
        public GroupPoll {
            Objects.requireNonNull(consumerId, "consumerId");
        }

        @Override
        public RequestType type() {
            return RequestType.GROUP_POLL;
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

    /** The answer to a {@link GroupPoll}: the batches read (none when there was nothing to read). */
    record GroupPollReply(long requestId, List<GroupBatch> batches) implements ClusterMessage {
        public GroupPollReply {
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
    record GroupCommit(long requestId, String consumerId) implements ClusterRequest {
        public GroupCommit {
            Objects.requireNonNull(consumerId, "consumerId");
        }

        @Override
        public RequestType type() {
            return RequestType.GROUP_COMMIT;
        }
    }

    /** The answer to a {@link GroupCommit}, sent once the commit is durable. */
    record GroupCommitReply(long requestId) implements ClusterMessage {
    }

    /** Asks for a group's lag in the partitions the receiver leads. */
    record GroupLagRequest(long requestId, String group) implements ClusterRequest {
        public GroupLagRequest {
            Objects.requireNonNull(group, "group");
        }

        @Override
        public RequestType type() {
            return RequestType.GROUP_LAG;
        }
    }

    /** A group's committed offset, high watermark and lag in one partition. */
    record PartitionLag(String topic, int partition, long committed, long highWatermark, long lag) {
        public PartitionLag {
            Objects.requireNonNull(topic, "topic");
        }
    }

    /** The answer to a {@link GroupLagRequest}: one entry per partition the receiver leads that the group committed. */
    record GroupLagReply(long requestId, List<PartitionLag> partitions) implements ClusterMessage {
        public GroupLagReply {
            partitions = List.copyOf(partitions);
        }
    }

    /** Where a {@link GroupSeekRequest} moves a group's committed offsets. */
    enum SeekKind {
        /** The log start. */
        EARLIEST,
        /** The high watermark. */
        LATEST,
        /** The first offset written at or after {@code value} (epoch ms). */
        TIMESTAMP,
        /** The offset {@code value}. */
        OFFSET
    }

    /** Moves {@code group}'s committed offsets in {@code partitions} of {@code topic}, all led by the receiver. */
    record GroupSeekRequest(long requestId, String group, String topic, SeekKind kind, long value,
                            List<Integer> partitions) implements ClusterRequest {
        public GroupSeekRequest {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(kind, "kind");
            partitions = List.copyOf(partitions);
        }

        @Override
        public RequestType type() {
            return RequestType.GROUP_SEEK;
        }
    }

    /** A partition's new committed offset after a seek. */
    record PartitionOffset(int partition, long offset) {
    }

    /** The answer to a {@link GroupSeekRequest}, once the new offsets are durable. */
    record GroupSeekReply(long requestId, List<PartitionOffset> partitions) implements ClusterMessage {
        public GroupSeekReply {
            partitions = List.copyOf(partitions);
        }
    }

    // ------------------------------------------------------------------ bridges

    /** Asks the broker running bridge {@code name} for its counters. */
    record BridgeStatusRequest(long requestId, String name) implements ClusterRequest {
        public BridgeStatusRequest {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public RequestType type() {
            return RequestType.BRIDGE_STATUS;
        }
    }

    /**
     * What the runner of a bridge knows of it (the fields of the broker's {@code BridgeStatus}).
     *
     * @param state         the bridge state's wire name
     * @param lag           events not bridged yet, -1 when unknown
     * @param lastError     {@code null} when none
     * @param lastErrorAtMs epoch ms of the last error, -1 when none
     */
    record BridgeStatusReply(long requestId, String state, long lag, long eventsBridged, long bytesBridged,
                             long errors, String lastError, long lastErrorAtMs) implements ClusterMessage {
        public BridgeStatusReply {
            Objects.requireNonNull(state, "state");
        }
    }
}
