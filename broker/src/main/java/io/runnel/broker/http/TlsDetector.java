package io.runnel.broker.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.runnel.broker.common.Errors;
import io.runnel.broker.security.ServerTls;
import java.util.List;

/**
 * The first handler of a TLS port: once the first bytes are in, a TLS record makes it replace itself with an
 * {@link SslHandler} (of the certificate current at that moment); anything else, such as plain HTTP, gets a
 * {@code 400 bad_request} that says to use {@code https://}, in clear, and the connection is closed.
 */
final class TlsDetector extends ByteToMessageDecoder {
    /** A TLS record header is 5 bytes. */
    private static final int PROBE_BYTES = 5;

    private final ServerTls tls;
    private final long handshakeTimeoutMillis;

    TlsDetector(ServerTls tls, long handshakeTimeoutMillis) {
        this.tls = tls;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < PROBE_BYTES) {
            return;
        }
        if (SslHandler.isEncrypted(in, false)) {
            SslHandler ssl = tls.server().newHandler(ctx.alloc());
            ssl.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
            ctx.pipeline().replace(this, "ssl", ssl);
            return;
        }
        in.skipBytes(in.readableBytes());
        RawResponse.writeAndClose(ctx, Errors.BAD_REQUEST.exception(
                "this port speaks TLS: use https:// (plain HTTP is not accepted here)"));
    }
}
