package io.runnel.broker.cluster.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.runnel.broker.cluster.transport.ClusterMessage.AckStatus;
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
import io.runnel.broker.cluster.transport.ClusterMessage.ReplyStatus;
import io.runnel.broker.cluster.transport.ClusterMessage.SeekKind;
import io.runnel.broker.cluster.transport.ClusterMessage.TruncationPoint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one frame body (after {@code LengthFieldBasedFrameDecoder} removed the length) into a
 * {@link ClusterMessage}; the layout is described on {@link ClusterMessageEncoder}.
 *
 * <p>Ownership: the frame buffer belongs to this decoder, which releases it after decoding (the
 * {@link MessageToMessageDecoder} contract); everything the message needs is copied out of it. A frame
 * that does not parse, or has bytes left over, fails with a {@link CorruptedFrameException}: the peer
 * speaks another protocol and the connection is closed.
 */
public final class ClusterMessageDecoder extends MessageToMessageDecoder<ByteBuf> {

    public ClusterMessageDecoder() {
        super(ByteBuf.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        out.add(decode(frame));
    }

    /** Reads one message from the whole readable part of {@code frame} (not released here). */
    static ClusterMessage decode(ByteBuf frame) {
        try {
            ClusterMessage msg = read(frame);
            if (frame.isReadable()) {
                throw new CorruptedFrameException(frame.readableBytes() + " bytes left after a " + msg.getClass().getSimpleName());
            }
            return msg;
        } catch (IndexOutOfBoundsException e) {
            throw new CorruptedFrameException("truncated cluster frame", e);
        }
    }

    private static ClusterMessage read(ByteBuf in) {
        byte type = in.readByte();
        long id = in.readLong();
        return switch (type) {
            case ClusterMessageEncoder.HELLO -> new Hello(id, in.readInt(), in.readInt(), readBytes(in));
            case ClusterMessageEncoder.CHALLENGE -> new Challenge(id, in.readInt(), readBytes(in), readBytes(in));
            case ClusterMessageEncoder.PROOF -> new Proof(id, readBytes(in));
            case ClusterMessageEncoder.ERROR_REPLY -> new ErrorReply(id, in.readShort(), requireString(in), in.readInt());
            case ClusterMessageEncoder.REPLICATE -> new Replicate(id, in.readInt(), in.readInt(), requireString(in),
                    in.readInt(), in.readLong(), readBytes(in));
            case ClusterMessageEncoder.REPLICATE_ACK -> new ReplicateAck(id, in.readInt(), in.readInt(), requireString(in),
                    in.readInt(), readEnum(in, AckStatus.values()), in.readLong());
            case ClusterMessageEncoder.FETCH -> {
                int range = in.readInt();
                int version = in.readInt();
                int n = readCount(in, 18);
                List<FetchPartition> partitions = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    partitions.add(new FetchPartition(requireString(in), in.readInt(), in.readLong(), in.readInt()));
                }
                yield new Fetch(id, range, version, partitions);
            }
            case ClusterMessageEncoder.FETCH_REPLY -> {
                int range = in.readInt();
                int version = in.readInt();
                ReplyStatus status = readEnum(in, ReplyStatus.values());
                int n = readCount(in, 26);
                List<TruncationPoint> points = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    points.add(new TruncationPoint(requireString(in), in.readInt(), in.readInt(), in.readLong(),
                            in.readLong()));
                }
                int t = readCount(in, 2);
                List<String> topics = new ArrayList<>(t);
                for (int i = 0; i < t; i++) {
                    topics.add(requireString(in));
                }
                yield new FetchReply(id, range, version, status, points, topics);
            }
            case ClusterMessageEncoder.FOLLOW -> {
                int range = in.readInt();
                int version = in.readInt();
                int n = readCount(in, 14);
                List<Position> positions = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    positions.add(new Position(requireString(in), in.readInt(), in.readLong()));
                }
                yield new Follow(id, range, version, positions);
            }
            case ClusterMessageEncoder.FOLLOW_REPLY -> new FollowReply(id, in.readInt(), in.readInt(),
                    readEnum(in, ReplyStatus.values()));
            case ClusterMessageEncoder.PRODUCE -> new ProduceRequest(id, requireString(in), readString(in),
                    readBoolean(in), readBytes(in));
            case ClusterMessageEncoder.PRODUCE_REPLY -> new ProduceReply(id, in.readInt(), in.readLong(), in.readInt());
            case ClusterMessageEncoder.GROUP_POLL -> new GroupPoll(id, requireString(in), in.readLong(), in.readInt());
            case ClusterMessageEncoder.GROUP_POLL_REPLY -> {
                int n = readCount(in, 42);
                List<GroupBatch> batches = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    String topic = requireString(in);
                    int partition = in.readInt();
                    long token = in.readLong();
                    int rangeIndex = in.readInt();
                    int version = in.readInt();
                    long startOffset = in.readLong();
                    long nextOffset = in.readLong();
                    int c = readCount(in, 4);
                    List<byte[]> chunks = new ArrayList<>(c);
                    for (int j = 0; j < c; j++) {
                        chunks.add(readBytes(in));
                    }
                    batches.add(new GroupBatch(topic, partition, token, rangeIndex, version, startOffset, nextOffset, chunks));
                }
                yield new GroupPollReply(id, batches);
            }
            case ClusterMessageEncoder.GROUP_COMMIT -> new GroupCommit(id, requireString(in));
            case ClusterMessageEncoder.GROUP_COMMIT_REPLY -> new GroupCommitReply(id);
            case ClusterMessageEncoder.PING -> new ClusterMessage.Ping(id);
            case ClusterMessageEncoder.PONG -> new ClusterMessage.Pong(id);
            case ClusterMessageEncoder.GROUP_LAG -> new GroupLagRequest(id, requireString(in));
            case ClusterMessageEncoder.GROUP_LAG_REPLY -> {
                int n = readCount(in, 30);
                List<PartitionLag> lags = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    lags.add(new PartitionLag(requireString(in), in.readInt(), in.readLong(), in.readLong(), in.readLong()));
                }
                yield new GroupLagReply(id, lags);
            }
            case ClusterMessageEncoder.GROUP_SEEK -> {
                String group = requireString(in);
                String topic = requireString(in);
                SeekKind kind = readEnum(in, SeekKind.values());
                long value = in.readLong();
                int n = readCount(in, 4);
                List<Integer> partitions = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    partitions.add(in.readInt());
                }
                yield new GroupSeekRequest(id, group, topic, kind, value, partitions);
            }
            case ClusterMessageEncoder.GROUP_SEEK_REPLY -> {
                int n = readCount(in, 12);
                List<PartitionOffset> offsets = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    offsets.add(new PartitionOffset(in.readInt(), in.readLong()));
                }
                yield new GroupSeekReply(id, offsets);
            }
            case ClusterMessageEncoder.BRIDGE_STATUS -> new BridgeStatusRequest(id, requireString(in));
            case ClusterMessageEncoder.BRIDGE_STATUS_REPLY -> new BridgeStatusReply(id, requireString(in), in.readLong(),
                    in.readLong(), in.readLong(), in.readLong(), readString(in), in.readLong());
            default -> throw new CorruptedFrameException("unknown cluster frame type " + type);
        };
    }

    private static String readString(ByteBuf in) {
        short length = in.readShort();
        if (length == -1) {
            return null;
        }
        if (length < 0) {
            throw new CorruptedFrameException("negative string length " + length);
        }
        String s = in.toString(in.readerIndex(), length, StandardCharsets.UTF_8);
        in.skipBytes(length);
        return s;
    }

    private static String requireString(ByteBuf in) {
        String s = readString(in);
        if (s == null) {
            throw new CorruptedFrameException("a required string is null");
        }
        return s;
    }

    private static boolean readBoolean(ByteBuf in) {
        byte b = in.readByte();
        if (b != 0 && b != 1) {
            throw new CorruptedFrameException("boolean byte " + b);
        }
        return b == 1;
    }

    private static byte[] readBytes(ByteBuf in) {
        int length = in.readInt();
        if (length < 0 || length > in.readableBytes()) {
            throw new CorruptedFrameException("byte array of " + length + " bytes in a frame with " + in.readableBytes() + " left");
        }
        byte[] bytes = new byte[length];
        in.readBytes(bytes);
        return bytes;
    }

    /** A list count, checked against the bytes left so a corrupt count cannot allocate a huge list. */
    private static int readCount(ByteBuf in, int minItemBytes) {
        int n = in.readInt();
        if (n < 0 || (long) n * minItemBytes > in.readableBytes()) {
            throw new CorruptedFrameException("list of " + n + " items in a frame with " + in.readableBytes() + " bytes left");
        }
        return n;
    }

    private static <E extends Enum<E>> E readEnum(ByteBuf in, E[] values) {
        int ordinal = in.readUnsignedByte();
        if (ordinal >= values.length) {
            throw new CorruptedFrameException("unknown " + values[0].getDeclaringClass().getSimpleName() + " " + ordinal);
        }
        return values[ordinal];
    }
}
