package io.runnel.broker.cluster.transport;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;

/**
 * The framing of the inter-broker channel: {@code length:int32 | body}, the body being one
 * {@link ClusterMessage} ({@link ClusterMessageEncoder} describes it).
 */
public final class ClusterFrames {
    /** Largest frame accepted: a chunk of the largest request body (64 MiB) plus headroom. */
    public static final int MAX_FRAME_BYTES = 80 * 1024 * 1024;

    private static final ClusterMessageEncoder ENCODER = new ClusterMessageEncoder();
    private static final LengthFieldPrepender PREPENDER = new LengthFieldPrepender(4);

    private ClusterFrames() {
    }

    /** Adds the frame codec to a channel's pipeline: bytes in, {@link ClusterMessage}s out and back. */
    public static void addCodec(ChannelPipeline pipeline) {
        pipeline.addLast("frameDecoder", new LengthFieldBasedFrameDecoder(MAX_FRAME_BYTES, 0, 4, 0, 4));
        pipeline.addLast("messageDecoder", new ClusterMessageDecoder());
        pipeline.addLast("framePrepender", PREPENDER);
        pipeline.addLast("messageEncoder", ENCODER);
    }
}
