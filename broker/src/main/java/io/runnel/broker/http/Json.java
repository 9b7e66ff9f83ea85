package io.runnel.broker.http;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/** Writes small JSON documents straight into a {@link ByteBuf} with Jackson's streaming API. */
public final class Json {
    /** Shared and thread-safe, as Jackson factories are. */
    public static final JsonFactory FACTORY = JsonFactory.builder().build();

    private Json() {
    }

    /** Writes one document. */
    @FunctionalInterface
    public interface Body {
        void write(JsonGenerator json) throws IOException;
    }

    /**
     * Allocates a buffer and writes {@code body} into it.
     *
     * @return a buffer the caller owns (released here if writing fails)
     */
    public static ByteBuf write(ByteBufAllocator alloc, Body body) {
        ByteBuf buf = alloc.buffer(256);
        try (JsonGenerator json = FACTORY.createGenerator((OutputStream) new ByteBufOutputStream(buf), JsonEncoding.UTF8)) {
            body.write(json);
        } catch (IOException | RuntimeException e) {
            buf.release();
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw (RuntimeException) e;
        }
        return buf;
    }
}
