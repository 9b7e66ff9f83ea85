package io.runnel.broker.produce;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.broker.common.Errors;
import io.runnel.broker.common.RunnelException;
import io.runnel.storage.AppendResult;
import io.runnel.storage.TopicConfig;
import io.runnel.storage.TopicInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class BoundedAppenderTest {
    private final List<CompletableFuture<AppendResult>> waiting = new ArrayList<>();
    private final List<byte[]> stored = new ArrayList<>();
    private final PartitionAppender slowDisk = (topic, partition, chunk) -> {
        stored.add(chunk);
        CompletableFuture<AppendResult> f = new CompletableFuture<>();
        waiting.add(f);
        return f;
    };
    private final TopicInfo topic = new TopicInfo("t", 1, TopicConfig.DEFAULT);

    @Test
    void refusesUnstoredPastTheBoundAndTakesWritesAgainOnceAcknowledged() {
        BoundedAppender appender = new BoundedAppender(slowDisk, 250);
        appender.append(topic, 0, new byte[100]);
        appender.append(topic, 0, new byte[100]);
        assertThat(appender.pendingBytes()).isEqualTo(200);

        CompletableFuture<AppendResult> refused = appender.append(topic, 0, new byte[100]);
        assertThat(refused).isCompletedExceptionally();
        assertThat(refused.handle((r, e) -> e).join()).isInstanceOfSatisfying(RunnelException.class,
                e -> assertThat(e.error()).isEqualTo(Errors.OVERLOADED));
        assertThat(stored).as("the refused chunk never reached the store").hasSize(2);
        assertThat(appender.refused()).isEqualTo(1);

        waiting.get(0).complete(new AppendResult(0, 1));
        assertThat(appender.pendingBytes()).isEqualTo(100);
        assertThat(appender.append(topic, 0, new byte[100])).isNotCompletedExceptionally();
        assertThat(stored).hasSize(3);
    }

    @Test
    void aFailedAppendGivesItsBytesBack() {
        BoundedAppender appender = new BoundedAppender(slowDisk, 100);
        appender.append(topic, 0, new byte[100]);
        waiting.get(0).completeExceptionally(new CompletionException(new IllegalStateException("disk")));
        assertThat(appender.pendingBytes()).isZero();
    }

    @Test
    void oneChunkLargerThanTheBoundPassesAlone() {
        BoundedAppender appender = new BoundedAppender(slowDisk, 10);
        assertThat(appender.append(topic, 0, new byte[100])).isNotCompletedExceptionally();
        assertThat(appender.append(topic, 0, new byte[1])).isCompletedExceptionally();
    }
}
