package io.runnel.broker.cluster.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.handler.ssl.SslHandler;
import io.runnel.broker.security.ServerTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.util.AttributeKey;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.runnel.broker.netty.NettyTransport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's connection to one peer's cluster port. It connects from this broker's own address (so
 * that per-address firewall rules cut exactly one link), completes the {@link Handshake} (it is not
 * {@link #connected} before: nothing but the handshake is sent to a peer that has not proved it knows the
 * cluster secret), and reconnects with
 * backoff (50 ms doubling to 1 s) whenever the connection drops, until closed.
 *
 * <p>Two ways to send: {@link #send} (fire and forget; the peer's answer, if any, goes to
 * {@link PeerListener#onMessage}) and {@link #request} (the answer with the same request id completes the
 * future). Requests pending when the connection drops fail with {@link PeerUnavailableException}.
 * Thread-safe; frames sent from one thread go out in that order.
 */
public final class PeerClient implements PeerChannel, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeerClient.class);
    private static final long MIN_BACKOFF_MS = 50;
    private static final long MAX_BACKOFF_MS = 1000;

    private final int self;
    private final int peer;
    private final InetSocketAddress remote;
    private final String localAddress;
    private static final AttributeKey<ChannelPromise> HANDSHAKEN = AttributeKey.valueOf(PeerClient.class, "handshaken");

    private final PeerListener listener;
    private final Handshake handshake;
    private final Bootstrap bootstrap;
    private final EventLoop loop;
    private final AtomicLong requestIds = new AtomicLong();
    private final Map<Long, CompletableFuture<ClusterMessage>> pending = new ConcurrentHashMap<>();

    private volatile Channel channel;
    private volatile boolean closed;
    private long backoffMs = MIN_BACKOFF_MS;

    /**
     * @param localAddress the address to connect from, or {@code null} to let the OS pick (wildcard binds)
     * @param tls          with TLS material, the connection speaks TLS first; {@code null} for plain TCP
     */
    public PeerClient(NettyTransport transport, Handshake handshake, int self, int peer, InetSocketAddress remote,
                      String localAddress, ServerTls tls, int maxFrameBytes, PeerListener listener) {
        this.handshake = handshake;
        this.self = self;
        this.peer = peer;
        this.remote = remote;
        this.localAddress = localAddress;
        this.listener = listener;
        this.loop = transport.workers().next();
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.epoll() ? io.netty.channel.epoll.EpollSocketChannel.class
                        : io.netty.channel.socket.nio.NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 1000)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 8 << 20))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            SslHandler ssl = tls.client().newHandler(ch.alloc(), remote.getHostString(), remote.getPort());
                            ssl.setHandshakeTimeoutMillis(Handshake.TIMEOUT.toMillis());
                            ch.pipeline().addLast("ssl", ssl);
                        }
                        ClusterFrames.addCodec(ch.pipeline(), maxFrameBytes);
                        ChannelPromise handshaken = ch.newPromise();
                        ch.attr(HANDSHAKEN).set(handshaken);
                        ch.pipeline().addLast("handshake", new ClientHandshakeHandler(handshake, self, peer,
                                PeerClient.this, handshaken));
                    }
                });
    }

    /** Starts connecting (returns at once). */
    public PeerClient start() {
        loop.execute(this::connect);
        return this;
    }

    @Override
    public int peer() {
        return peer;
    }

    @Override
    public boolean connected() {
        Channel c = channel;
        return c != null && c.isActive();
    }

    @Override
    public long nextRequestId() {
        return requestIds.incrementAndGet();
    }

    @Override
    public boolean send(ClusterMessage message) {
        Channel c = channel;
        if (c == null || !c.isActive()) {
            return false;
        }
        c.writeAndFlush(message, c.voidPromise());
        return true;
    }

    @Override
    public CompletableFuture<ClusterMessage> request(LongFunction<? extends ClusterMessage> build, Duration timeout) {
        CompletableFuture<ClusterMessage> answer = new CompletableFuture<>();
        Channel c = channel;
        if (c == null || !c.isActive()) {
            answer.completeExceptionally(new PeerUnavailableException(peer, "not connected"));
            return answer;
        }
        if (!c.isWritable()) {
            // Its connection already holds more than the high water mark unsent: queueing more only grows memory.
            answer.completeExceptionally(new PeerUnavailableException(peer, "its connection is backed up"));
            return answer;
        }
        long id = nextRequestId();
        pending.put(id, answer);
        var timer = loop.schedule(() -> {
            if (pending.remove(id) != null) {
                answer.completeExceptionally(new TimeoutException("broker " + peer + " did not answer within " + timeout));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        answer.whenComplete((m, e) -> timer.cancel(false));
        c.writeAndFlush(build.apply(id)).addListener(f -> {
            if (!f.isSuccess() && pending.remove(id) != null) {
                answer.completeExceptionally(new PeerUnavailableException(peer, "send failed: " + f.cause()));
            }
        });
        return answer;
    }

    /** Sends a {@link ClusterMessage.Ping} (its {@code Pong} only resets the idle timer). Event loop. */
    void ping() {
        send(new ClusterMessage.Ping(nextRequestId()));
    }

    /** An answer from the peer (on the event loop). */
    void received(ClusterMessage msg) {
        if (msg instanceof ClusterMessage.Pong) {
            return;
        }
        CompletableFuture<ClusterMessage> waiting = msg instanceof ClusterMessage.ReplicateAck ? null : pending.remove(msg.requestId());
        if (waiting != null) {
            waiting.complete(msg);
        } else {
            listener.onMessage(peer, msg);
        }
    }

    private void connect() {
        if (closed) {
            return;
        }
        ChannelFuture f = localAddress == null ? bootstrap.connect(remote)
                : bootstrap.connect(remote, new InetSocketAddress(localAddress, 0));
        f.addListener((ChannelFuture done) -> {
            if (!done.isSuccess()) {
                log.debug("cannot connect to broker {} at {}: {}", peer, remote, done.cause().toString());
                reconnectLater();
                return;
            }
            Channel ch = done.channel();
            if (closed) {
                ch.close();
                return;
            }
            ch.attr(HANDSHAKEN).get().addListener(handshake -> {
                if (!handshake.isSuccess()) {
                    log.warn("cannot connect to broker {} at {}: {}", peer, remote, handshake.cause().getMessage());
                    ch.close();
                    reconnectLater();
                    return;
                }
                if (closed) {
                    ch.close();
                    return;
                }
                backoffMs = MIN_BACKOFF_MS;
                channel = ch;
                log.info("connected to broker {} at {}", peer, remote);
                ch.closeFuture().addListener(x -> disconnected(ch));
                listener.onConnected(peer);
            });
        });
    }

    private void disconnected(Channel ch) {
        if (channel == ch) {
            channel = null;
        }
        PeerUnavailableException lost = new PeerUnavailableException(peer, "connection lost");
        pending.values().removeIf(p -> p.completeExceptionally(lost) || true);
        if (!closed) {
            log.info("lost the connection to broker {} at {}", peer, remote);
            listener.onDisconnected(peer);
            reconnectLater();
        }
    }

    private void reconnectLater() {
        if (closed) {
            return;
        }
        long delay = backoffMs;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        try {
            loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // event loops shutting down
        }
    }

    /**
     * Fails every request waiting for an answer. For a peer that left the cluster view while its
     * connection stays open (a paused process keeps its sockets): its answers may never come, and a
     * producer should hear so now and retry on the new leader, not after the request timeout.
     */
    public void failPending(String why) {
        PeerUnavailableException gone = new PeerUnavailableException(peer, why);
        pending.values().removeIf(p -> p.completeExceptionally(gone) || true);
    }

    /** Closes the connection and stops reconnecting; pending requests fail. */
    @Override
    public void close() {
        closed = true;
        Channel c = channel;
        if (c != null) {
            c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        PeerUnavailableException gone = new PeerUnavailableException(peer, "closed");
        pending.values().removeIf(p -> p.completeExceptionally(gone) || true);
    }
}
