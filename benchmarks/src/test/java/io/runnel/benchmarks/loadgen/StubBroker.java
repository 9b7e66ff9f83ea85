package io.runnel.benchmarks.loadgen;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake broker for the load generator's tests: the producer and consumer paths on one port,
 * storing produced NDJSON lines in memory and handing them to pollers (one shared read position,
 * enough for one consumer). Not a Runnel broker: it checks nothing beyond the request shapes.
 *
 * <p>Optionally it plays broker {@code ordinal} of a cluster: its poll answers carry {@code Runnel-Broker} and
 * {@code Runnel-Partition-Leaders}, and one that leads nothing answers every poll 204 with {@code Retry-After: 30}.
 */
final class StubBroker implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final List<String> log = new ArrayList<>();
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private final AtomicInteger produceRequests = new AtomicInteger();
    private final AtomicInteger keyedRequests = new AtomicInteger();
    private final AtomicInteger goodbyes = new AtomicInteger();
    private final AtomicInteger polls = new AtomicInteger();
    private final AtomicInteger commits = new AtomicInteger();
    private final int ordinal;
    private final String leaders;
    private int readPosition;
    /** Once the read position reaches this, it goes back to 0 once (a redelivery); -1: never. */
    private int rewindAt = -1;

    StubBroker() throws InterruptedException {
        this(-1, null);
    }

    /**
     * Broker {@code ordinal} of a cluster whose partitions {@code leaders} lead (e.g. {@code "0"}); it serves
     * polls only if it is among them.
     */
    StubBroker(int ordinal, String leaders) throws InterruptedException {
        this.ordinal = ordinal;
        this.leaders = leaders;
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Handler());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    Endpoint endpoint() {
        return new Endpoint("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort());
    }

    int produceRequests() {
        return produceRequests.get();
    }

    int keyedRequests() {
        return keyedRequests.get();
    }

    int goodbyes() {
        return goodbyes.get();
    }

    synchronized int storedEvents() {
        return log.size();
    }

    int polls() {
        return polls.get();
    }

    int commits() {
        return commits.get();
    }

    /** Stores {@code n} events as a producer would have. */
    synchronized void preload(int n) {
        for (int i = 0; i < n; i++) {
            log.add("{\"id\":\"" + i + "\",\"ts\":1}");
        }
    }

    /** Delivers everything up to {@code at} again, once, when the read position first reaches it. */
    synchronized void rewindOnceAt(int at) {
        rewindAt = at;
    }

    private boolean leads() {
        return leaders == null || java.util.Arrays.asList(leaders.split(",")).contains(Integer.toString(ordinal));
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            QueryStringDecoder q = new QueryStringDecoder(req.uri());
            String path = q.path();
            FullHttpResponse resp;
            if (path.startsWith("/v1/topic/") && path.endsWith("/messages")) {
                produceRequests.incrementAndGet();
                if (q.parameters().containsKey("partitionKey")) {
                    keyedRequests.incrementAndGet();
                }
                String[] lines = req.content().toString(StandardCharsets.UTF_8).split("\n");
                long offset;
                synchronized (StubBroker.this) {
                    offset = log.size();
                    for (String line : lines) {
                        if (!line.isEmpty()) {
                            log.add(line);
                        }
                    }
                }
                resp = json(HttpResponseStatus.OK, "{\"topic\":\"t\",\"partition\":0,\"offset\":" + offset
                        + ",\"count\":" + lines.length + "}");
            } else if (path.equals("/v1/consumer/register")) {
                registered.add(q.parameters().get("consumerId").get(0));
                resp = json(HttpResponseStatus.OK, "");
            } else if (path.equals("/v1/consumer/poll")) {
                polls.incrementAndGet();
                if (!registered.contains(q.parameters().get("consumerId").get(0))) {
                    resp = json(HttpResponseStatus.CONFLICT, "{\"error\":\"not_registered\",\"message\":\"register\"}");
                } else if (!leads()) {
                    resp = json(HttpResponseStatus.NO_CONTENT, "");
                    resp.headers().set(HttpHeaderNames.RETRY_AFTER, "30");
                } else {
                    StringBuilder values = new StringBuilder();
                    long start;
                    synchronized (StubBroker.this) {
                        if (readPosition == rewindAt) {
                            readPosition = 0;
                            rewindAt = -1;
                        }
                        start = readPosition;
                        // At most 100 events per answer, so that a run takes several polls.
                        for (int n = 0; readPosition < log.size() && n < 100; readPosition++, n++) {
                            values.append(values.isEmpty() ? "" : ",").append(log.get(readPosition));
                        }
                    }
                    resp = values.isEmpty() ? json(HttpResponseStatus.NO_CONTENT, "")
                            : json(HttpResponseStatus.OK, "[{\"topic\":\"t\",\"token\":\"0\",\"rangeIndex\":0,"
                                    + "\"version\":1,\"startOffset\":\"" + start + "\",\"values\":[" + values + "]}]");
                }
            } else if (path.equals("/v1/consumer/goodbye")) {
                goodbyes.incrementAndGet();
                resp = json(HttpResponseStatus.OK, "");
            } else if (path.equals("/v1/consumer/commit")) {
                commits.incrementAndGet();
                resp = json(HttpResponseStatus.NO_CONTENT, "");
            } else {
                resp = json(HttpResponseStatus.NOT_FOUND, "{\"error\":\"not_found\",\"message\":\"" + path + "\"}");
            }
            if (leaders != null && path.equals("/v1/consumer/poll")) {
                resp.headers().set("Runnel-Broker", Integer.toString(ordinal)).set("Runnel-Partition-Leaders", leaders);
            }
            ctx.writeAndFlush(resp);
        }

        private FullHttpResponse json(HttpResponseStatus status, String body) {
            ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
            return r;
        }
    }
}
