package io.runnel.broker.bridge;

import io.runnel.broker.consume.PollResult;
import java.util.concurrent.CompletableFuture;

/**
 * How an export bridge reads its Runnel consumer group ({@code bridge-<name>}) during one session: it
 * joins as the group's only member, polls, commits only what Kafka acknowledged, and leaves without
 * committing when the session ends, so that the next session resumes from the last commit.
 *
 * <p>The group's partitions are led by every broker, so the reader polls each leader, as any HTTP consumer
 * does ({@link ConsumerGroupReader}); a single broker is the only leader. One session is used by one thread
 * at a time.
 */
public interface GroupReader {

    /**
     * Joins the group, subscribed to {@code topic}, starting at the topic's earliest event the first
     * time the group reads a partition.
     */
    CompletableFuture<Void> join();

    /**
     * Answers with the next events of the group's partitions, waiting up to {@code timeoutMillis} for
     * some. Like an HTTP poll, it may commit what the previous poll returned: call {@link #commit}
     * after each batch was handed on, and never poll again in a session whose batch failed.
     */
    CompletableFuture<PollResult> poll(long timeoutMillis);

    /** Commits what the polls since the last commit returned; completes once durable. */
    CompletableFuture<Void> commit();

    /** Leaves the group without committing; what was polled since the last commit is read again later. */
    CompletableFuture<Void> leave();

    /** Opens reader sessions. */
    @FunctionalInterface
    interface Factory {

        /** A new session for the bridge {@code definition}; call {@link GroupReader#join} first. */
        GroupReader open(BridgeDefinition definition);
    }
}
