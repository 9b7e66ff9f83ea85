package io.runnel.broker.http;

import io.runnel.broker.common.Errors;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes connections that hold a server slot without doing anything useful.
 *
 * <p>Sits first in the pipeline and sees raw bytes. A connection is in one of three states:
 * <ul>
 *   <li>idle (no request in progress): closed after the read timeout without a byte;</li>
 *   <li>receiving (the first bytes of a request arrived): the whole request must arrive within the
 *       read timeout counted from its first byte, or it is answered 408 and closed. A client
 *       trickling one byte at a time (slowloris) cannot keep the connection forever, which a plain
 *       idle timer would allow;</li>
 *   <li>processing (the request is complete and a route works on it): no timer, since a long poll
 *       legitimately waits.</li>
 * </ul>
 * {@link HttpDispatchHandler} reports the transitions it sees. Once a connection was rejected
 * ({@link RejectResponder}), this handler discards everything it still reads. One instance per channel; every
 * method runs on the channel's event loop.
 */
public final class ConnectionDeadlineHandler extends ChannelInboundHandlerAdapter {
    private enum State { IDLE, RECEIVING, PROCESSING }

    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    private State state = State.IDLE;
    private ScheduledFuture<?> timer;

    public ConnectionDeadlineHandler(long timeoutMillis) {
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            arm();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        arm();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (RejectResponder.rejected(ctx.channel())) {
            ReferenceCountUtil.release(msg); // lingering before the close: input is discarded unread
            return;
        }
        if (state == State.IDLE) {
            // The first bytes of a request: from now on the deadline runs from here and is not
            // extended by further bytes.
            state = State.RECEIVING;
            arm();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    /** A complete request reached a route: no deadline while it is processed. */
    public void requestReceived() {
        state = State.PROCESSING;
        cancel();
    }

    /** The response was written and the connection stays open: idle again. */
    public void responseSent() {
        state = State.IDLE;
        arm();
    }

    private void arm() {
        cancel();
        if (timeoutNanos > 0) {
            timer = ctx.executor().schedule(this::expired, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expired() {
        timer = null;
        if (!ctx.channel().isActive() || RejectResponder.rejected(ctx.channel())) {
            return;
        }
        switch (state) {
            case IDLE -> ctx.close();
            case RECEIVING -> {
                FullHttpResponse response = ErrorResponse.of(ctx.alloc(), Errors.REQUEST_TIMEOUT.exception(
                        "the request did not arrive completely within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                                + " ms (read-timeout-ms)"));
                // From the tail, so the response passes through the HTTP encoder.
                RejectResponder.respondAndClose(ctx.channel(), response);
            }
            case PROCESSING -> { }
        }
    }
}
