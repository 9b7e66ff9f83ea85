package io.runnel.broker.cluster.transport;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldPrepender;

/**
 * The framing of the inter-broker channel: {@code length:int32 | body}, the body being one
 * {@link ClusterMessage} ({@link ClusterMessageEncoder} describes it).
 */
public final class ClusterFrames {
    /**
     * Largest frame accepted. The biggest frames are {@link ClusterMessage.GroupPollReply}s: a poll returns
     * up to max-poll-bytes (at most 64 MiB) and may pass it by the one chunk that crosses the limit (a
     * chunk is built from one produce request, whose body is at most 64 MiB; 12 bytes per record plus the
     * key are added), plus a few bytes per batch and chunk: 16 MiB of headroom above those 128 MiB. A {@code Replicate} or {@code Forward} carries one such chunk
     * or body. The decoder only grows its buffer as bytes arrive, so the limit costs nothing for small
     * frames. A sender must not send more (the receiver would close the connection): group poll answers
     * are checked against it before sending.
     */
    public static final int MAX_FRAME_BYTES = 144 * 1024 * 1024;

    private static final ClusterMessageEncoder ENCODER = new ClusterMessageEncoder();
    private static final LengthFieldPrepender PREPENDER = new LengthFieldPrepender(4);

    private ClusterFrames() {
    }

    /**
     * Adds the frame codec to a channel's pipeline: bytes in, {@link ClusterMessage}s out and back. Until
     * {@link #authenticated} it reads only frames of up to {@link Handshake#MAX_FRAME_BYTES}.
     */
    public static void addCodec(ChannelPipeline pipeline) {
        pipeline.addLast("frameDecoder", new ClusterFrameDecoder());
        pipeline.addLast("messageDecoder", new ClusterMessageDecoder());
        pipeline.addLast("framePrepender", PREPENDER);
        pipeline.addLast("messageEncoder", ENCODER);
    }

    /** The connection completed its handshake: frames up to {@link #MAX_FRAME_BYTES} are read from now on. */
    public static void authenticated(ChannelPipeline pipeline) {
        ((ClusterFrameDecoder) pipeline.get("frameDecoder")).authenticated();
    }
}
