package io.runnel.broker.cluster.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * The inter-broker frame and message decoders, after the handshake, against any bytes and against valid frames
 * with bytes flipped or cut: they yield messages or a {@link DecoderException} (the connection closes), never
 * another exception or an allocation the frame does not hold. Before the handshake, nothing over 1 KiB is buffered.
 * Tries: {@code jqwik.tries.default}.
 */
class ClusterFrameFuzzTest {
    private static final int MAX_FRAME = ClusterFrames.maxFrameBytes(1 << 20, 1 << 20);
    private static final List<byte[]> VALID = ClusterMessageCodecTest.messages().map(ClusterFrameFuzzTest::frame)
            .collect(Collectors.toList());

    private static byte[] frame(ClusterMessage m) {
        EmbeddedChannel out = new EmbeddedChannel();
        ClusterFrames.addCodec(out.pipeline(), MAX_FRAME);
        out.writeOutbound(m);
        ByteBuf all = Unpooled.buffer();
        ByteBuf b;
        while ((b = out.readOutbound()) != null) {
            all.writeBytes(b);
            b.release();
        }
        out.finishAndReleaseAll();
        byte[] bytes = new byte[all.readableBytes()];
        all.readBytes(bytes);
        return bytes;
    }

    @Property
    void anyBytesAfterTheHandshake(@ForAll @Size(max = 500) byte[] input) {
        check(input, true);
    }

    @Property
    void anyBytesBeforeIt(@ForAll @Size(max = 500) byte[] input) {
        check(input, false);
    }

    @Property
    void damagedFrames(@ForAll("frames") byte[] frame, @ForAll int at, @ForAll byte value, @ForAll boolean cut) {
        byte[] damaged = frame.clone();
        if (cut) {
            damaged = java.util.Arrays.copyOf(damaged, Math.floorMod(at, damaged.length));
        } else {
            damaged[Math.floorMod(at, damaged.length)] = value;
        }
        check(damaged, true);
    }

    @Provide
    Arbitrary<byte[]> frames() {
        return Arbitraries.of(VALID);
    }

    private static void check(byte[] input, boolean authenticated) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ClusterFrames.addCodec(ch.pipeline(), MAX_FRAME);
        if (authenticated) {
            ClusterFrames.authenticated(ch.pipeline());
        }
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(input));
            ch.checkException();
        } catch (DecoderException expected) {
            // a corrupt frame: the connection would close
        } finally {
            Object m;
            while ((m = ch.readInbound()) != null) {
                assertThat(m).isInstanceOf(ClusterMessage.class);
            }
            ch.finishAndReleaseAll();
        }
    }
}
