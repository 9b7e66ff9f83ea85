package io.runnel.broker.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import io.runnel.broker.common.InFlightBudget;
import java.util.ArrayDeque;

/**
 * Takes each request's body from the broker's {@link InFlightBudget} before any of it is read: its
 * {@code Content-Length}, or the body limit for a chunked body. A request that does not fit is answered
 * {@code 429 too_many_requests} with {@code Retry-After}, its body is discarded unread and the connection closed
 * ({@link RejectResponder}); so bytes held never exceed the budget, whatever the number of connections.
 *
 * <p>Sits between {@link RequestLimitsHandler} and the aggregator. The reservations of a connection wait in
 * {@link Reservations} in request order; {@link HttpDispatchHandler} takes each with its request and gives it
 * back once the answer is written.
 */
final class RequestBudgetHandler extends ChannelInboundHandlerAdapter {
    private final InFlightBudget budget;
    private final int maxBodyBytes;
    private final Reservations reservations;
    private boolean rejected;

    RequestBudgetHandler(InFlightBudget budget, int maxBodyBytes, Reservations reservations) {
        this.budget = budget;
        this.maxBodyBytes = maxBodyBytes;
        this.reservations = reservations;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (rejected) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            long length = HttpUtil.getContentLength(request, -1L);
            long bytes = length >= 0 ? length : HttpUtil.isTransferEncodingChunked(request) ? maxBodyBytes : 0;
            if (!budget.tryAcquire(bytes)) {
                ReferenceCountUtil.release(msg);
                rejected = true;
                RejectResponder.respondAndClose(ctx, budget.exhausted(bytes));
                return;
            }
            reservations.add(bytes);
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * The budget taken for one connection's requests, in order: the budget handler adds, the dispatcher takes. Event
     * loop only.
     */
    static final class Reservations {
        private final InFlightBudget budget;
        private final ArrayDeque<Long> pending = new ArrayDeque<>();

        Reservations(InFlightBudget budget) {
            this.budget = budget;
        }

        InFlightBudget budget() {
            return budget;
        }

        void add(long bytes) {
            pending.add(bytes);
        }

        /** The reservation of the next request; 0 when none was taken. */
        long next() {
            Long b = pending.poll();
            return b == null ? 0 : b;
        }

        /** The connection closed: gives back what its queued and half-received requests held. */
        void releaseAll() {
            Long b;
            while ((b = pending.poll()) != null) {
                budget.release(b);
            }
        }
    }
}
