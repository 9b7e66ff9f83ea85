package io.runnel.broker.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * The pipeline of every HTTP connection, from the socket inwards:
 * <pre>
 * connections ConnectionLimiter          caps connections per broker and per client address
 * tls        TlsDetector → SslHandler    with TLS configured: plain HTTP gets a 400 and is closed
 * deadline   ConnectionDeadlineHandler   idle and slow-request timeouts
 * codec      HttpServerCodec             request line and header limits
 * status     ResponseStatusHandler       counts answers (outbound)
 * limits     RequestLimitsHandler        decoder failures → 400/414/431, Content-Length → 413
 * budget     RequestBudgetHandler        the body's bytes from the broker's budget, else 429 unread
 * aggregator JsonHttpObjectAggregator    whole body in memory, chunked bodies → 413
 * dispatch   HttpDispatchHandler         authenticate, route, one request at a time
 * </pre>
 */
public final class HttpServerInitializer extends ChannelInitializer<Channel> {
    private final Router router;
    private final HttpLimits limits;
    private final ResponseStatusHandler status;
    private final HttpSecurity security;
    private final HttpGuards guards;
    private final ConnectionLimiter connections;

    public HttpServerInitializer(Router router, HttpLimits limits, ResponseObserver observer, HttpSecurity security,
                                 HttpGuards guards) {
        this.router = router;
        this.limits = limits;
        this.status = new ResponseStatusHandler(router.api(), observer);
        this.security = security;
        this.guards = guards;
        this.connections = new ConnectionLimiter(guards.connections(), security.tls() != null);
    }

    @Override
    protected void initChannel(Channel ch) {
        ConnectionDeadlineHandler deadline = new ConnectionDeadlineHandler(limits.readTimeoutMillis());
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxInitialLineBytes())
                .setMaxHeaderSize(limits.maxHeaderBytes())
                .setMaxChunkSize(64 * 1024);
        ChannelPipeline p = ch.pipeline();
        p.addLast("connections", connections);
        if (security.tls() != null) {
            p.addLast("tls", new TlsDetector(security.tls(), limits.readTimeoutMillis()));
        }
        p.addLast("deadline", deadline);
        p.addLast("codec", new HttpServerCodec(decoder));
        p.addLast("status", status);
        p.addLast("limits", new RequestLimitsHandler(limits.maxBodyBytes()));
        RequestBudgetHandler.Reservations reservations = new RequestBudgetHandler.Reservations(guards.budget());
        p.addLast("budget", new RequestBudgetHandler(guards.budget(), limits.maxBodyBytes(), reservations));
        p.addLast("aggregator", new JsonHttpObjectAggregator(limits.maxBodyBytes()));
        p.addLast("dispatch", new HttpDispatchHandler(router, deadline, security.authenticator(),
                security.tls() != null && security.tls().requiresClientCertificates(), reservations, limits.readTimeoutMillis()));
    }
}
