package io.runnel.broker.cluster.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits the stream into frames ({@code length:int32 | body}) and checks each length against the current limit
 * before anything of the body is buffered: a small one ({@link Handshake#MAX_FRAME_BYTES}) until the handshake
 * completed, {@link ClusterFrames#maxFrameBytes} after ({@link #authenticated}). A longer frame closes the
 * connection. Emits each frame's body as a retained slice (released by the message decoder).
 */
final class ClusterFrameDecoder extends ByteToMessageDecoder {
    private final int maxFrameBytes;
    private int limit = Handshake.MAX_FRAME_BYTES;

    /** @param maxFrameBytes the limit once the handshake completed ({@link ClusterFrames#maxFrameBytes}) */
    ClusterFrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    /** The handshake completed: frames up to the full size are read from now on. Event loop only. */
    void authenticated() {
        limit = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 4) {
            return;
        }
        int length = in.getInt(in.readerIndex());
        if (length < 0 || length > limit) {
            in.skipBytes(in.readableBytes());
            throw new TooLongFrameException("a cluster frame of " + length + " bytes; at most " + limit
                    + (limit == Handshake.MAX_FRAME_BYTES ? " before the handshake" : ""));
        }
        if (in.readableBytes() < 4 + length) {
            return;
        }
        in.skipBytes(4);
        out.add(in.readRetainedSlice(length));
    }
}
