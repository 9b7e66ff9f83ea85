package io.runnel.broker.bridge;

import io.runnel.broker.consumer.ConsumerService;
import io.runnel.broker.consumer.PollResult;
import io.runnel.broker.consumer.StartPosition;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/*
 * A single broker leads every partition, so its own consumer groups serve the whole topic. The member id
 * is the group name: there is only ever one member, and a session after a crash takes over the
 * registration the previous one left behind.
 */

/** A {@link GroupReader} over this broker's own consumer groups (a single broker). */
public final class LocalGroupReader implements GroupReader {
    private final ConsumerService consumers;
    private final BridgeDefinition definition;
    private final String consumerId;

    LocalGroupReader(ConsumerService consumers, BridgeDefinition definition) {
        this.consumers = consumers;
        this.definition = definition;
        this.consumerId = definition.runnelGroup();
    }

    /** Sessions over {@code consumers}. */
    public static GroupReader.Factory factory(ConsumerService consumers) {
        return d -> new LocalGroupReader(consumers, d);
    }

    @Override
    public CompletableFuture<Void> join() {
        return consumers.register(consumerId, definition.runnelGroup(), List.of(definition.topic()), StartPosition.EARLIEST);
    }

    @Override
    public CompletableFuture<PollResult> poll(long timeoutMillis) {
        return consumers.poll(consumerId, timeoutMillis, 0);
    }

    @Override
    public CompletableFuture<Void> commit() {
        return consumers.commit(consumerId);
    }

    @Override
    public CompletableFuture<Void> leave() {
        return consumers.leaveWithoutCommit(consumerId);
    }
}
