package io.runnel.broker.cluster.transport;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldPrepender;

/**
 * The framing of the inter-broker channel: {@code length:int32 | body}, the body being one
 * {@link ClusterMessage} ({@link ClusterMessageEncoder} describes it).
 */
public final class ClusterFrames {
    private static final int MIB = 1024 * 1024;

    private static final ClusterMessageEncoder ENCODER = new ClusterMessageEncoder();
    private static final LengthFieldPrepender PREPENDER = new LengthFieldPrepender(4);

    private ClusterFrames() {
    }

    /**
     * The largest frame brokers with these settings send each other (every broker of a cluster has the same). The
     * biggest frames are {@link ClusterMessage.GroupPollReply}s: a poll returns up to max-poll-bytes and may pass it
     * by the one chunk that crosses the limit. A chunk is built from one produce request of at most max-body-bytes,
     * and adds 12 bytes per record (plus the key) to values of at least one byte and a newline: at most 6.5 times
     * the body, rounded up to 7. A {@code Replicate} or {@code Forward} carries one such chunk or body. 1 MiB of
     * headroom covers the few bytes per batch and chunk. The decoder only grows its buffer as bytes arrive, so the
     * limit costs nothing for small frames; the broker refuses to start when its direct memory cannot hold it.
     */
    public static int maxFrameBytes(int maxBodyBytes, int maxPollBytes) {
        return Math.toIntExact(Math.min(Integer.MAX_VALUE - 8, (long) maxPollBytes + 7L * maxBodyBytes + MIB));
    }

    /**
     * Adds the frame codec to a channel's pipeline: bytes in, {@link ClusterMessage}s out and back. Until
     * {@link #authenticated} it reads only frames of up to {@link Handshake#MAX_FRAME_BYTES}, then up to
     * {@code maxFrameBytes}.
     */
    public static void addCodec(ChannelPipeline pipeline, int maxFrameBytes) {
        pipeline.addLast("frameDecoder", new ClusterFrameDecoder(maxFrameBytes));
        pipeline.addLast("messageDecoder", new ClusterMessageDecoder());
        pipeline.addLast("framePrepender", PREPENDER);
        pipeline.addLast("messageEncoder", ENCODER);
    }

    /** The connection completed its handshake: frames up to the full limit are read from now on. */
    public static void authenticated(ChannelPipeline pipeline) {
        ((ClusterFrameDecoder) pipeline.get("frameDecoder")).authenticated();
    }
}
