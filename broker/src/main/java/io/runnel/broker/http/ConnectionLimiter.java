package io.runnel.broker.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.runnel.broker.common.Errors;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Caps the connections of a broker's HTTP ports, in all and per client address. A connection over either cap is
 * answered at once (503 {@code overloaded} over the total, 429 {@code too_many_requests} over a client's share,
 * both with {@code Retry-After}; on a TLS port it is only closed, since it cannot be answered in clear) and
 * closed before anything it sends is read. The first handler of every HTTP connection; one instance per port,
 * all ports sharing one {@link Counts}.
 */
@ChannelHandler.Sharable
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    private static final AttributeKey<InetAddress> COUNTED = AttributeKey.valueOf(ConnectionLimiter.class, "counted");

    private final Counts counts;
    private final boolean tls;

    public ConnectionLimiter(Counts counts, boolean tls) {
        this.counts = counts;
        this.tls = tls;
    }

    /** The connections of one broker: limits and counters, shared by its ports. Thread-safe. */
    public static final class Counts {
        private final int maxTotal;
        private final int maxPerClient;
        private final AtomicInteger total = new AtomicInteger();
        private final ConcurrentHashMap<InetAddress, AtomicInteger> perClient = new ConcurrentHashMap<>();
        private final AtomicLong refused = new AtomicLong();

        public Counts(int maxTotal, int maxPerClient) {
            this.maxTotal = maxTotal;
            this.maxPerClient = maxPerClient;
        }

        public int open() {
            return total.get();
        }

        public long refused() {
            return refused.get();
        }

        /** The client addresses with open connections. */
        public int clients() {
            return perClient.size();
        }

        private int add(InetAddress client) {
            return perClient.computeIfAbsent(client, a -> new AtomicInteger()).incrementAndGet();
        }

        private void remove(InetAddress client) {
            total.decrementAndGet();
            if (client != null) {
                perClient.computeIfPresent(client, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
            }
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        InetAddress client = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        int all = counts.total.incrementAndGet();
        int mine = client == null ? 0 : counts.add(client);
        ctx.channel().attr(COUNTED).set(client);
        if (all > counts.maxTotal || mine > counts.maxPerClient) {
            counts.refused.incrementAndGet();
            if (tls) {
                ctx.close();
            } else {
                RawResponse.writeAndClose(ctx, all > counts.maxTotal
                        ? Errors.OVERLOADED.exception("the broker has " + counts.maxTotal
                                + " connections open (max-connections); retry shortly or on another broker")
                        : Errors.TOO_MANY_REQUESTS.exception("this client has " + counts.maxPerClient
                                + " connections open (max-connections-per-client); reuse them (keep-alive)"));
            }
            return; // the handlers behind never see this connection
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().hasAttr(COUNTED)) {
            counts.remove(ctx.channel().attr(COUNTED).getAndSet(null));
        }
        super.channelInactive(ctx);
    }
}
