package io.runnel.broker.cluster.transport;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Keeps authenticated cluster connections alive and closes dead ones. A client connection that has sent nothing
 * for {@link #PING_INTERVAL} sends a {@link ClusterMessage.Ping}, which the server's transport answers with a
 * {@link ClusterMessage.Pong} (no handler involved). Either side closes a connection it has read nothing from for
 * {@link #IDLE_TIMEOUT}: a half-open connection, a peer cut off by the network (packets dropped, so TCP never
 * reports it) or a stranger that idles after the handshake. The client then fails its waiting requests and
 * reconnects.
 */
public final class Heartbeat {
    /** A client connection silent this long sends a ping. */
    public static final Duration PING_INTERVAL = Duration.ofSeconds(2);
    /** A connection that read nothing this long is closed. */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);

    private Heartbeat() {
    }

    /** Adds the idle detection in front of {@code handler} once the handshake completed (server side). */
    static void server(ChannelPipeline pipeline, String handler) {
        pipeline.addBefore(handler, "idle", new IdleStateHandler(IDLE_TIMEOUT.toMillis(), 0, 0, TimeUnit.MILLISECONDS));
    }

    /** Adds the idle detection and the ping timer in front of {@code handler} (client side). */
    static void client(ChannelPipeline pipeline, String handler) {
        pipeline.addBefore(handler, "idle", new IdleStateHandler(IDLE_TIMEOUT.toMillis(), PING_INTERVAL.toMillis(), 0,
                TimeUnit.MILLISECONDS));
    }
}
