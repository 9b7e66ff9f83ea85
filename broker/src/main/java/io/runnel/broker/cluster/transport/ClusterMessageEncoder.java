package io.runnel.broker.cluster.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import io.runnel.broker.cluster.transport.ClusterMessage.BridgeStatusReply;
import io.runnel.broker.cluster.transport.ClusterMessage.BridgeStatusRequest;
import io.runnel.broker.cluster.transport.ClusterMessage.Challenge;
import io.runnel.broker.cluster.transport.ClusterMessage.ErrorReply;
import io.runnel.broker.cluster.transport.ClusterMessage.Fetch;
import io.runnel.broker.cluster.transport.ClusterMessage.FetchPartition;
import io.runnel.broker.cluster.transport.ClusterMessage.FetchReply;
import io.runnel.broker.cluster.transport.ClusterMessage.Follow;
import io.runnel.broker.cluster.transport.ClusterMessage.FollowReply;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupBatch;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupCommit;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupCommitReply;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupLagReply;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupLagRequest;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupPoll;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupPollReply;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupSeekReply;
import io.runnel.broker.cluster.transport.ClusterMessage.GroupSeekRequest;
import io.runnel.broker.cluster.transport.ClusterMessage.Hello;
import io.runnel.broker.cluster.transport.ClusterMessage.PartitionLag;
import io.runnel.broker.cluster.transport.ClusterMessage.PartitionOffset;
import io.runnel.broker.cluster.transport.ClusterMessage.Proof;
import io.runnel.broker.cluster.transport.ClusterMessage.Position;
import io.runnel.broker.cluster.transport.ClusterMessage.ProduceReply;
import io.runnel.broker.cluster.transport.ClusterMessage.ProduceRequest;
import io.runnel.broker.cluster.transport.ClusterMessage.Replicate;
import io.runnel.broker.cluster.transport.ClusterMessage.ReplicateAck;
import io.runnel.broker.cluster.transport.ClusterMessage.TruncationPoint;
import java.nio.charset.StandardCharsets;

/**
 * Writes a {@link ClusterMessage} as the body of one frame; {@link ClusterFrames} puts a
 * {@code LengthFieldPrepender} after it, so on the wire a frame is {@code length:int32 | body}.
 *
 * <p>Body layout (big-endian): {@code type:int8 | requestId:int64 | fields}. Strings are
 * {@code length:int16 | UTF-8} with length -1 for {@code null}; byte arrays {@code length:int32 | bytes};
 * lists {@code count:int32 | items}; enums their ordinal as {@code int8}; booleans one byte (0 or 1). The
 * field order of each type is the record's component order ({@link ClusterMessageDecoder} reads the same).
 * A {@link GroupPollReply}'s batches are {@code count:int32} times {@code topic | partition:int32 |
 * token:int64 | rangeIndex:int32 | version:int32 | startOffset:int64 | nextOffset:int64 | chunks}, the
 * chunks a list of byte arrays. An {@link ErrorReply}'s code is an {@code int16}.
 *
 * <p>Ownership: the message is a heap object and is not retained; the output buffer is allocated
 * here, sized for the message, and passed on (released by the transport once written).
 */
@ChannelHandler.Sharable
public final class ClusterMessageEncoder extends MessageToByteEncoder<ClusterMessage> {
    static final byte HELLO = 1;
    static final byte ERROR_REPLY = 2;
    static final byte REPLICATE = 4;
    static final byte REPLICATE_ACK = 5;
    static final byte FETCH = 6;
    static final byte FETCH_REPLY = 7;
    static final byte FOLLOW = 8;
    static final byte FOLLOW_REPLY = 9;
    static final byte GROUP_POLL = 10;
    static final byte GROUP_POLL_REPLY = 11;
    static final byte GROUP_COMMIT = 12;
    static final byte GROUP_COMMIT_REPLY = 13;
    static final byte PRODUCE = 14;
    static final byte PRODUCE_REPLY = 15;
    static final byte GROUP_LAG = 16;
    static final byte GROUP_LAG_REPLY = 17;
    static final byte GROUP_SEEK = 18;
    static final byte GROUP_SEEK_REPLY = 19;
    static final byte BRIDGE_STATUS = 20;
    static final byte BRIDGE_STATUS_REPLY = 21;
    static final byte CHALLENGE = 22;
    static final byte PROOF = 23;
    static final byte PING = 24;
    static final byte PONG = 25;

    /** Bytes of a batch besides its topic's and chunks' bytes: the fixed fields and the length prefixes. */
    private static final int BATCH_OVERHEAD = 2 + 4 + 8 + 4 + 4 + 8 + 8 + 4;

    public ClusterMessageEncoder() {
        super(ClusterMessage.class);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, ClusterMessage msg, boolean preferDirect) {
        // Chunks are most of the bytes: size the buffer for them so it never grows while writing.
        int bulk = switch (msg) {
            case Replicate r -> r.chunk().length;
            case ProduceRequest p -> p.body().length;
            case GroupPollReply r -> (int) Math.min(Integer.MAX_VALUE - 1024, bodyLength(r));
            default -> 0;
        };
        int capacity = bulk + 512;
        return preferDirect ? ctx.alloc().ioBuffer(capacity) : ctx.alloc().heapBuffer(capacity);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, ClusterMessage msg, ByteBuf out) {
        encode(msg, out);
    }

    /** Writes {@code msg}'s frame body to {@code out}. */
    static void encode(ClusterMessage msg, ByteBuf out) {
        switch (msg) {
            case Hello h -> {
                header(out, HELLO, h.requestId());
                out.writeInt(h.protocolVersion());
                out.writeInt(h.ordinal());
                writeBytes(out, h.nonce());
            }
            case Challenge c -> {
                header(out, CHALLENGE, c.requestId());
                out.writeInt(c.ordinal());
                writeBytes(out, c.nonce());
                writeBytes(out, c.proof());
            }
            case Proof p -> {
                header(out, PROOF, p.requestId());
                writeBytes(out, p.proof());
            }
            case ErrorReply e -> {
                header(out, ERROR_REPLY, e.requestId());
                out.writeShort(e.errorCode());
                writeString(out, e.message());
                out.writeInt(e.retryAfterSeconds());
            }
            case Replicate r -> {
                header(out, REPLICATE, r.requestId());
                out.writeInt(r.range());
                out.writeInt(r.version());
                writeString(out, r.topic());
                out.writeInt(r.partition());
                out.writeLong(r.leaderHighWatermark());
                writeBytes(out, r.chunk());
            }
            case ReplicateAck a -> {
                header(out, REPLICATE_ACK, a.requestId());
                out.writeInt(a.range());
                out.writeInt(a.version());
                writeString(out, a.topic());
                out.writeInt(a.partition());
                out.writeByte(a.status().ordinal());
                out.writeLong(a.value());
            }
            case Fetch f -> {
                header(out, FETCH, f.requestId());
                out.writeInt(f.range());
                out.writeInt(f.version());
                out.writeInt(f.partitions().size());
                for (FetchPartition p : f.partitions()) {
                    writeString(out, p.topic());
                    out.writeInt(p.partition());
                    out.writeLong(p.logEnd());
                    out.writeInt(p.lastVersion());
                }
            }
            case FetchReply f -> {
                header(out, FETCH_REPLY, f.requestId());
                out.writeInt(f.range());
                out.writeInt(f.version());
                out.writeByte(f.status().ordinal());
                out.writeInt(f.points().size());
                for (TruncationPoint p : f.points()) {
                    writeString(out, p.topic());
                    out.writeInt(p.partition());
                    out.writeInt(p.version());
                    out.writeLong(p.endOffset());
                    out.writeLong(p.logStart());
                }
                out.writeInt(f.topics().size());
                for (String t : f.topics()) {
                    writeString(out, t);
                }
            }
            case Follow f -> {
                header(out, FOLLOW, f.requestId());
                out.writeInt(f.range());
                out.writeInt(f.version());
                out.writeInt(f.positions().size());
                for (Position p : f.positions()) {
                    writeString(out, p.topic());
                    out.writeInt(p.partition());
                    out.writeLong(p.logEnd());
                }
            }
            case FollowReply f -> {
                header(out, FOLLOW_REPLY, f.requestId());
                out.writeInt(f.range());
                out.writeInt(f.version());
                out.writeByte(f.status().ordinal());
            }
            case ProduceRequest p -> {
                header(out, PRODUCE, p.requestId());
                writeString(out, p.topic());
                writeString(out, p.partitionKey());
                out.writeBoolean(p.ndjson());
                writeBytes(out, p.body());
            }
            case ProduceReply p -> {
                header(out, PRODUCE_REPLY, p.requestId());
                out.writeInt(p.partition());
                out.writeLong(p.offset());
                out.writeInt(p.count());
            }
            case GroupPoll p -> {
                header(out, GROUP_POLL, p.requestId());
                writeString(out, p.consumerId());
                out.writeLong(p.timeoutMs());
                out.writeInt(p.maxBytes());
            }
            case GroupPollReply r -> {
                header(out, GROUP_POLL_REPLY, r.requestId());
                out.writeInt(r.batches().size());
                for (GroupBatch b : r.batches()) {
                    writeString(out, b.topic());
                    out.writeInt(b.partition());
                    out.writeLong(b.token());
                    out.writeInt(b.rangeIndex());
                    out.writeInt(b.version());
                    out.writeLong(b.startOffset());
                    out.writeLong(b.nextOffset());
                    out.writeInt(b.chunks().size());
                    for (byte[] chunk : b.chunks()) {
                        writeBytes(out, chunk);
                    }
                }
            }
            case GroupCommit c -> {
                header(out, GROUP_COMMIT, c.requestId());
                writeString(out, c.consumerId());
            }
            case GroupCommitReply r -> header(out, GROUP_COMMIT_REPLY, r.requestId());
            case ClusterMessage.Ping p -> header(out, PING, p.requestId());
            case ClusterMessage.Pong p -> header(out, PONG, p.requestId());
            case GroupLagRequest r -> {
                header(out, GROUP_LAG, r.requestId());
                writeString(out, r.group());
            }
            case GroupLagReply r -> {
                header(out, GROUP_LAG_REPLY, r.requestId());
                out.writeInt(r.partitions().size());
                for (PartitionLag p : r.partitions()) {
                    writeString(out, p.topic());
                    out.writeInt(p.partition());
                    out.writeLong(p.committed());
                    out.writeLong(p.highWatermark());
                    out.writeLong(p.lag());
                }
            }
            case GroupSeekRequest r -> {
                header(out, GROUP_SEEK, r.requestId());
                writeString(out, r.group());
                writeString(out, r.topic());
                out.writeByte(r.kind().ordinal());
                out.writeLong(r.value());
                out.writeInt(r.partitions().size());
                for (int p : r.partitions()) {
                    out.writeInt(p);
                }
            }
            case GroupSeekReply r -> {
                header(out, GROUP_SEEK_REPLY, r.requestId());
                out.writeInt(r.partitions().size());
                for (PartitionOffset p : r.partitions()) {
                    out.writeInt(p.partition());
                    out.writeLong(p.offset());
                }
            }
            case BridgeStatusRequest r -> {
                header(out, BRIDGE_STATUS, r.requestId());
                writeString(out, r.name());
            }
            case BridgeStatusReply r -> {
                header(out, BRIDGE_STATUS_REPLY, r.requestId());
                writeString(out, r.state());
                out.writeLong(r.lag());
                out.writeLong(r.eventsBridged());
                out.writeLong(r.bytesBridged());
                out.writeLong(r.errors());
                writeString(out, r.lastError());
                out.writeLong(r.lastErrorAtMs());
            }
        }
    }

    /**
     * The frame body length of {@code reply} (without the 4-byte length prefix): a sender compares it
     * with {@link ClusterFrames#MAX_FRAME_BYTES} before sending, as a bigger frame would make the
     * receiver close the connection.
     */
    public static long bodyLength(GroupPollReply reply) {
        long n = 1 + 8 + 4;
        for (GroupBatch b : reply.batches()) {
            n += BATCH_OVERHEAD + ByteBufUtil.utf8Bytes(b.topic()) + 4L * b.chunks().size() + b.chunkBytes();
        }
        return n;
    }

    /** The longest string a frame field holds, in UTF-8 bytes. */
    public static final int MAX_STRING_BYTES = Short.MAX_VALUE;

    private static void header(ByteBuf out, byte type, long requestId) {
        out.writeByte(type);
        out.writeLong(requestId);
    }

    private static void writeString(ByteBuf out, String s) {
        if (s == null) {
            out.writeShort(-1);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException("string of " + bytes.length + " bytes is too long for a frame field");
        }
        out.writeShort(bytes.length);
        out.writeBytes(bytes);
    }

    private static void writeBytes(ByteBuf out, byte[] bytes) {
        out.writeInt(bytes.length);
        out.writeBytes(bytes);
    }
}
