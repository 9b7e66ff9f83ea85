package io.runnel.broker.cluster.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The server side of {@link Heartbeat} on an authenticated connection, on an {@link EmbeddedChannel}'s clock. */
class HeartbeatTest {
    private final ClusterDispatcher dispatcher = new ClusterDispatcher();

    private EmbeddedChannel authenticated() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast("handler", new ClusterServerHandler(1, dispatcher));
        Heartbeat.server(ch.pipeline(), "handler");
        return ch;
    }

    @Test
    void aPingIsAnsweredByTheTransportItself() {
        EmbeddedChannel ch = authenticated();
        ch.writeInbound(new ClusterMessage.Ping(9));
        assertThat((Object) ch.readOutbound()).isEqualTo(new ClusterMessage.Pong(9));
        ch.finishAndReleaseAll();
    }

    @Test
    void aConnectionSilentForTheIdleTimeoutIsClosed() {
        EmbeddedChannel ch = authenticated();
        ch.advanceTimeBy(Heartbeat.IDLE_TIMEOUT.toMillis() - 500, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("still within the timeout").isTrue();
        ch.writeInbound(new ClusterMessage.Ping(1)); // reading anything restarts the timer
        ch.advanceTimeBy(Heartbeat.IDLE_TIMEOUT.toMillis() - 500, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("a ping kept it open").isTrue();
        ch.advanceTimeBy(1000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("silent past the timeout").isFalse();
        ch.finishAndReleaseAll();
    }
}
