package io.runnel.broker.http;

import io.runnel.broker.common.Futures;
import io.runnel.broker.common.RunnelException;
import io.runnel.broker.common.Errors;
import io.runnel.broker.common.InFlightBudget;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import io.runnel.broker.security.Authenticator;
import io.runnel.broker.security.Principal;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import java.io.IOException;
import javax.net.ssl.SSLException;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands complete requests to their route and writes the answers, one request at a time per
 * connection.
 *
 * <p>While a request is processed the channel stops reading (back-pressure, and HTTP/1.1 answers
 * pipelined requests in order); requests the decoder already produced wait in a queue. The route's
 * stage may complete on any thread: the answer is written from the event loop, which also keeps
 * this handler's state single-threaded. Keep-alive follows the request ({@code Connection} header
 * and HTTP version).
 *
 * <p>With client authentication on, every route but the open ones ({@code /status}) first needs a principal:
 * an API key ({@code Authorization: Bearer} or {@code X-API-Key}), HTTP Basic, or the TLS client certificate's
 * CN; without one the answer is 401 and the route never runs. Grants are the route's to check.
 *
 * <p>Each request's body was taken from the broker's budget before it was read ({@link RequestBudgetHandler}); the
 * reservation, and the answer's bytes, are given back once the answer is written or the connection closes.
 *
 * <p>Ownership: this handler owns each {@link FullHttpRequest} it receives and releases it when the
 * route's stage completes (or the channel closes first, for queued requests).
 */
public final class HttpDispatchHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(HttpDispatchHandler.class);

    private static final String X_API_KEY = "X-API-Key";

    private final Router router;
    private final ConnectionDeadlineHandler deadline;
    private final Authenticator authenticator;
    private final boolean clientCertificates;
    private final RequestBudgetHandler.Reservations reservations;
    private final long writeTimeoutMillis;
    private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
    private boolean busy;
    private Optional<String> certificateName;

    /**
     * @param clientCertificates whether TLS requires a client certificate (whose CN may then name the principal)
     */
    HttpDispatchHandler(Router router, ConnectionDeadlineHandler deadline, Authenticator authenticator,
                        boolean clientCertificates, RequestBudgetHandler.Reservations reservations, long writeTimeoutMillis) {
        this.router = router;
        this.deadline = deadline;
        this.authenticator = authenticator;
        this.clientCertificates = clientCertificates;
        this.reservations = reservations;
        this.writeTimeoutMillis = writeTimeoutMillis;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        queued.add(request);
        if (!busy) {
            next(ctx);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        FullHttpRequest r;
        while ((r = queued.poll()) != null) {
            r.release();
        }
        reservations.releaseAll();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || cause instanceof PrematureChannelClosureException) {
            log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else if (cause instanceof DecoderException && cause.getCause() instanceof SSLException tls) {
            // A client without a valid certificate, or speaking another TLS version: its problem, not ours.
            log.debug("TLS with {} failed: {}", ctx.channel().remoteAddress(), tls.getMessage());
        } else {
            log.warn("unexpected error on connection {}", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }

    private void next(ChannelHandlerContext ctx) {
        FullHttpRequest request = queued.poll();
        if (request == null) {
            busy = false;
            ctx.channel().config().setAutoRead(true);
            return;
        }
        busy = true;
        ctx.channel().config().setAutoRead(false);
        deadline.requestReceived();
        long reserved = reservations.next();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        CompletionStage<HttpReply> stage;
        try {
            stage = route(ctx, request);
        } catch (Throwable t) {
            stage = CompletableFuture.failedFuture(t);
        }
        stage.whenComplete((reply, error) -> {
            request.release();
            // Back to the event loop at once: the completing thread may be the storage writer.
            try {
                ctx.executor().execute(() -> write(ctx, toResponse(ctx, request, reply, error), keepAlive, reserved));
            } catch (RejectedExecutionException e) {
                reservations.budget().release(reserved);
                if (reply != null) {
                    reply.release(); // the event loop is shutting down
                }
            }
        });
    }

    /**
     * Finds the route, then the principal (at once with authentication off, on an open route, or for credentials
     * verified before; else once the authenticator checked them, and the route then runs on the event loop).
     */
    private CompletionStage<HttpReply> route(ChannelHandlerContext ctx, FullHttpRequest request) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        Router.Match match = router.match(request.method(), uri.rawPath());
        QueryParams query = QueryParams.parse(request.uri());
        if (!authenticator.enabled()) {
            return match.handler().handle(apiRequest(ctx, request, match, query, Principal.ANONYMOUS));
        }
        if (match.open()) {
            return match.handler().handle(apiRequest(ctx, request, match, query, Principal.NONE));
        }
        Authenticator.PresentedCredentials presented = Authenticator.PresentedCredentials.of(
                request.headers().get(HttpHeaderNames.AUTHORIZATION), request.headers().get(X_API_KEY),
                certificateName(ctx));
        CompletableFuture<Principal> principal = authenticator.authenticate(presented);
        if (principal.isDone()) {
            return principal.thenCompose(p -> match.handler().handle(apiRequest(ctx, request, match, query, p)));
        }
        return principal.thenComposeAsync(p -> match.handler().handle(apiRequest(ctx, request, match, query, p)),
                ctx.executor());
    }

    /** The client certificate's CN, looked up once per connection (it cannot change), only where one is required. */
    private String certificateName(ChannelHandlerContext ctx) {
        if (!clientCertificates) {
            return null;
        }
        if (certificateName == null) {
            certificateName = Optional.ofNullable(TlsPeer.commonName(ctx.channel()));
        }
        return certificateName.orElse(null);
    }

    private static ApiRequest apiRequest(ChannelHandlerContext ctx, FullHttpRequest request, Router.Match match,
                                         QueryParams query, Principal principal) {
        return new ApiRequest(request, match.pathParams(), query, ctx.alloc(), ctx.executor(), principal);
    }

    private FullHttpResponse toResponse(ChannelHandlerContext ctx, FullHttpRequest request, HttpReply reply, Throwable error) {
        if (error == null && reply != null) {
            return reply.toResponse();
        }
        Throwable cause = error == null ? new IllegalStateException("route completed without a reply") : Futures.unwrap(error);
        RunnelException answer;
        if (cause instanceof RunnelException e) {
            answer = e;
        } else {
            log.error("{} {} failed", request.method(), request.uri(), cause);
            answer = Errors.INTERNAL_ERROR.exception("the broker failed to answer this request; see its log");
        }
        return ErrorResponse.of(ctx.alloc(), answer);
    }


    /**
     * Writes the answer; the request's reservation and the answer's own bytes stay taken from the budget until it is
     * written. A client that does not read it within the read timeout (a slow reader of a large poll answer) is
     * disconnected.
     */
    private void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive, long reserved) {
        InFlightBudget budget = reservations.budget();
        if (!ctx.channel().isActive()) {
            budget.release(reserved);
            response.release();
            return;
        }
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        long held = reserved + response.content().readableBytes();
        budget.forceAcquire(response.content().readableBytes());
        ChannelFuture written = ctx.writeAndFlush(response);
        ScheduledFuture<?> slowReader = written.isDone() ? null : ctx.executor().schedule(() -> {
            if (!written.isDone()) {
                log.debug("{} did not read its answer within {} ms; closing", ctx.channel().remoteAddress(), writeTimeoutMillis);
                ctx.close();
            }
        }, writeTimeoutMillis, TimeUnit.MILLISECONDS);
        written.addListener(f -> {
            budget.release(held);
            if (slowReader != null) {
                slowReader.cancel(false);
            }
            if (!keepAlive || !f.isSuccess()) {
                ctx.close();
                return;
            }
            deadline.responseSent();
            next(ctx);
        });
    }
}
