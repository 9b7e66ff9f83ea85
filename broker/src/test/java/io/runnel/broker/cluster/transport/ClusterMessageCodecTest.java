package io.runnel.broker.cluster.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.runnel.broker.cluster.transport.ClusterMessage.AckStatus;
import io.runnel.broker.cluster.transport.ClusterMessage.BridgeStatusReply;
import io.runnel.broker.cluster.transport.ClusterMessage.BridgeStatusRequest;
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
import io.runnel.broker.cluster.transport.ClusterMessage.Position;
import io.runnel.broker.cluster.transport.ClusterMessage.ProduceReply;
import io.runnel.broker.cluster.transport.ClusterMessage.ProduceRequest;
import io.runnel.broker.cluster.transport.ClusterMessage.Replicate;
import io.runnel.broker.cluster.transport.ClusterMessage.ReplicateAck;
import io.runnel.broker.cluster.transport.ClusterMessage.ReplyStatus;
import io.runnel.broker.cluster.transport.ClusterMessage.SeekKind;
import io.runnel.broker.cluster.transport.ClusterMessage.TruncationPoint;
import io.runnel.storage.Chunk;
import io.runnel.storage.ChunkBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ClusterMessageCodecTest {
    private static final int MAX_FRAME = ClusterFrames.maxFrameBytes(1 << 20, 1 << 20);
    private final EmbeddedChannel channel = new EmbeddedChannel();

    ClusterMessageCodecTest() {
        ClusterFrames.addCodec(channel.pipeline(), MAX_FRAME);
        ClusterFrames.authenticated(channel.pipeline());
    }

    @AfterEach
    void finish() {
        channel.finishAndReleaseAll();
    }

    static Stream<ClusterMessage> messages() {
        byte[] chunk = new byte[3000];
        new Random(7).nextBytes(chunk);
        return Stream.of(
                new Hello(0, ClusterMessage.PROTOCOL_VERSION, 2, new byte[32]),
                new ClusterMessage.Challenge(0, 1, new byte[32], new byte[] {1, 2, 3}),
                new ClusterMessage.Proof(0, new byte[32]),
                new ClusterMessage.Ping(42),
                new ClusterMessage.Pong(42),
                new ProduceRequest(11, "orders", "customer-ü", true, "{\"a\":1}\n{\"b\":2}\n".getBytes(StandardCharsets.UTF_8)),
                new ProduceRequest(12, "orders", null, false, new byte[0]),
                new ProduceReply(13, 5, 1234567890123L, 100),
                new ErrorReply(14, 67, "no quorum; retry", 2),
                new Replicate(Long.MAX_VALUE, 1, 7, "t.x-y_z", 5, 1234L, chunk),
                new ReplicateAck(15, 1, 7, "t", 5, AckStatus.OFFSET_MISMATCH, 99L),
                new ReplicateAck(16, 0, 1, "t", 0, AckStatus.OK, 0L),
                new Fetch(17, 2, 3, List.of(new FetchPartition("a", 8, 100, 2), new FetchPartition("b", 9, 0, 0))),
                new FetchReply(18, 2, 3, ReplyStatus.OK, List.of(new TruncationPoint("a", 8, 2, 90, 40)), List.of("a", "b", "c")),
                new FetchReply(19, 2, 3, ReplyStatus.NOT_LEADER, List.of(), List.of()),
                new Follow(20, 2, 3, List.of(new Position("a", 8, 90), new Position("b", 9, 0))),
                new FollowReply(21, 2, 3, ReplyStatus.OK),
                new GroupPoll(22, "bridge-export-ü", 30_000, 1 << 20),
                new GroupPoll(23, "c", 0, 0),
                new GroupPollReply(24, List.of(
                        new GroupBatch("orders", 5, Long.MIN_VALUE + 7, 1, 3, 10, 12, List.of(chunk, new byte[] {1, 2, 3})),
                        new GroupBatch("clicks", 0, 42, 0, 1, 0, 1, List.of(new byte[0])))),
                new GroupPollReply(25, List.of()),
                new ErrorReply(26, 32, "consumer 'x' is not registered", 0),
                new GroupCommit(28, "bridge-export"),
                new GroupCommitReply(29),
                new GroupLagRequest(31, "g-ü"),
                new GroupLagReply(32, List.of(new PartitionLag("orders", 3, 10, 15, 5), new PartitionLag("a", 0, 0, 0, 0))),
                new GroupLagReply(33, List.of()),
                new GroupSeekRequest(34, "g", "orders", SeekKind.TIMESTAMP, 1_700_000_000_000L, List.of(0, 5, 11)),
                new GroupSeekRequest(35, "g", "orders", SeekKind.EARLIEST, 0, List.of()),
                new GroupSeekReply(36, List.of(new PartitionOffset(0, 7), new PartitionOffset(5, Long.MAX_VALUE))),
                new BridgeStatusRequest(37, "orders-out"),
                new BridgeStatusReply(38, "running", 12, 1000, 200_000, 1, "boom: ü", 1_700_000_000_000L),
                new BridgeStatusReply(39, "paused", -1, 0, 0, 0, null, -1));
    }

    @ParameterizedTest
    @MethodSource("messages")
    void everyMessageSurvivesTheRoundTrip(ClusterMessage message) {
        assertThat(channel.writeOutbound(message)).isTrue();
        ByteBuf wire = wire();
        assertThat(wire.getInt(0)).as("length prefix").isEqualTo(wire.readableBytes() - 4);
        assertThat(channel.writeInbound(wire)).isTrue();
        ClusterMessage decoded = channel.readInbound();
        assertThat(decoded).usingRecursiveComparison().isEqualTo(message);
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void framesSplitAndCoalescedAnyHowDecodeInOrder() {
        List<ClusterMessage> sent = messages().toList();
        for (ClusterMessage m : sent) {
            channel.writeOutbound(m);
        }
        ByteBuf all = wire();
        Random random = new Random(3);
        while (all.isReadable()) {
            int n = Math.min(all.readableBytes(), 1 + random.nextInt(700));
            channel.writeInbound(all.readRetainedSlice(n));
        }
        all.release();
        List<ClusterMessage> received = new ArrayList<>();
        ClusterMessage m;
        while ((m = channel.readInbound()) != null) {
            received.add(m);
        }
        assertThat(received).usingRecursiveFieldByFieldElementComparator().containsExactlyElementsOf(sent);
    }

    @Test
    void groupPollReplyCarriesStoredChunksWithTheirKeys() {
        ChunkBuilder builder = new ChunkBuilder(64);
        byte[] value = "{\"n\":1}".getBytes(StandardCharsets.UTF_8);
        builder.add("customer-7".getBytes(StandardCharsets.UTF_8), value, 0, value.length, 1234L);
        byte[] stored = builder.build();
        Chunk.stamp(stored, 40, 3);
        GroupPollReply reply = new GroupPollReply(9,
                List.of(new GroupBatch("orders", 5, 77, 1, 3, 40, 41, List.of(stored))));

        channel.writeOutbound(reply);
        ByteBuf wire = wire();
        assertThat((long) wire.readableBytes() - 4).as("bodyLength").isEqualTo(ClusterMessageEncoder.bodyLength(reply));
        channel.writeInbound(wire);
        GroupPollReply decoded = channel.readInbound();

        Chunk chunk = Chunk.wrap(decoded.batches().getFirst().chunks().getFirst());
        assertThat(chunk.baseOffset()).isEqualTo(40);
        assertThat(chunk.generation()).isEqualTo(3);
        Chunk.RecordCursor cursor = chunk.cursor();
        assertThat(cursor.next()).isTrue();
        assertThat(new String(cursor.key(), StandardCharsets.UTF_8)).isEqualTo("customer-7");
        assertThat(new String(cursor.array(), cursor.valueOffset(), cursor.valueLength(), StandardCharsets.UTF_8))
                .isEqualTo("{\"n\":1}");
        assertThat(cursor.timestamp()).isEqualTo(1234L);
        assertThat(cursor.next()).isFalse();
    }

    @Test
    void bodyLengthOfAGroupPollReplyIsItsEncodedSize() {
        List<GroupPollReply> replies = messages().filter(m -> m instanceof GroupPollReply).map(m -> (GroupPollReply) m).toList();
        assertThat(replies).isNotEmpty();
        for (GroupPollReply reply : replies) {
            channel.writeOutbound(reply);
            ByteBuf wire = wire();
            assertThat((long) wire.readableBytes() - 4).as("%s", reply).isEqualTo(ClusterMessageEncoder.bodyLength(reply));
            wire.release();
        }
    }

    @Test
    void hugeChunkCountInAGroupBatchIsRefusedBeforeAllocating() {
        ByteBuf frame = Unpooled.buffer().writeInt(0).writeByte(ClusterMessageEncoder.GROUP_POLL_REPLY).writeLong(3)
                .writeInt(1)
                .writeShort(1).writeByte('t').writeInt(0).writeLong(0).writeInt(0).writeInt(1).writeLong(0).writeLong(1)
                .writeInt(Integer.MAX_VALUE);
        frame.setInt(0, frame.readableBytes() - 4);
        assertThatThrownBy(() -> channel.writeInbound(frame))
                .isInstanceOf(CorruptedFrameException.class);
    }

    @Test
    void unknownSeekKindIsACorruptFrame() {
        ByteBuf frame = Unpooled.buffer().writeInt(0).writeByte(ClusterMessageEncoder.GROUP_SEEK).writeLong(3)
                .writeShort(1).writeByte('g').writeShort(1).writeByte('t').writeByte(SeekKind.values().length)
                .writeLong(0).writeInt(0);
        frame.setInt(0, frame.readableBytes() - 4);
        assertThatThrownBy(() -> channel.writeInbound(frame))
                .isInstanceOf(CorruptedFrameException.class);
    }

    @Test
    void aNullWhereAStringIsRequiredIsACorruptFrame() {
        ByteBuf frame = Unpooled.buffer().writeInt(0).writeByte(ClusterMessageEncoder.GROUP_COMMIT).writeLong(3)
                .writeShort(-1);
        frame.setInt(0, frame.readableBytes() - 4);
        assertThatThrownBy(() -> channel.writeInbound(frame))
                .isInstanceOf(CorruptedFrameException.class);
    }

    @Test
    void unknownTypeIsACorruptFrame() {
        ByteBuf frame = Unpooled.buffer().writeInt(9).writeByte(42).writeLong(1);
        assertThatThrownBy(() -> channel.writeInbound(frame))
                .isInstanceOf(CorruptedFrameException.class);
    }

    @Test
    void truncatedBodyIsACorruptFrame() {
        ByteBuf frame = Unpooled.buffer().writeInt(13).writeByte(ClusterMessageEncoder.HELLO).writeLong(0).writeInt(1);
        assertThatThrownBy(() -> channel.writeInbound(frame))
                .isInstanceOf(CorruptedFrameException.class);
    }

    @Test
    void leftoverBytesAreACorruptFrame() {
        ByteBuf frame = Unpooled.buffer().writeInt(22).writeByte(ClusterMessageEncoder.HELLO).writeLong(0)
                .writeInt(1).writeInt(2).writeInt(0).writeByte(0);
        assertThatThrownBy(() -> channel.writeInbound(frame))
                .isInstanceOf(CorruptedFrameException.class);
    }

    @Test
    void hugeListCountIsRefusedBeforeAllocating() {
        ByteBuf frame = Unpooled.buffer().writeInt(0).writeByte(ClusterMessageEncoder.FOLLOW).writeLong(3)
                .writeInt(0).writeInt(1).writeInt(Integer.MAX_VALUE);
        frame.setInt(0, frame.readableBytes() - 4);
        assertThatThrownBy(() -> channel.writeInbound(frame))
                .isInstanceOf(CorruptedFrameException.class);
    }

    @Test
    void oversizedFrameIsRefused() {
        ByteBuf frame = Unpooled.buffer().writeInt(MAX_FRAME + 1).writeByte(1);
        assertThatThrownBy(() -> channel.writeInbound(frame)).isInstanceOf(TooLongFrameException.class);
    }

    /** Everything the channel wrote, as one buffer (the caller releases it). */
    private ByteBuf wire() {
        ByteBuf all = Unpooled.buffer();
        ByteBuf part;
        while ((part = channel.readOutbound()) != null) {
            all.writeBytes(part);
            part.release();
        }
        return all;
    }
}
