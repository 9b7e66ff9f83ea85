package io.runnel.storage;

/**
 * Told where a leader's append landed as soon as its offset is assigned, before the chunk is
 * durable: the leader ships the stamped chunk to its followers while its own fsync runs
 * (pipelining, docs/replication.md).
 *
 * <p>Called on the store's writer thread, between stamping the chunk and writing the batch that
 * holds it, so it must be cheap and must never block, wait for another write or call back into the
 * store's blocking methods: every append of the broker waits behind it. Hand the bytes to a queue or
 * an event loop and return. Calls for one partition come in offset order, on that one thread.
 *
 * <p>The chunk is not durable yet when this runs: if the batch then fails to write, the store fails
 * (see {@link LogStore}) and the append's future fails, although the listener has seen the chunk.
 * Replication copes with that: a follower never acknowledges past what the leader's generation
 * keeps, and truncates anything beyond it when it joins the next generation.
 *
 * <p>An exception thrown by the listener is logged and otherwise ignored: the chunk is still
 * written and the append completes normally.
 */
@FunctionalInterface
public interface OffsetListener {

    /** A listener that does nothing. */
    OffsetListener NONE = (baseOffset, stampedChunk) -> { };

    /**
     * @param baseOffset   the offset assigned to the chunk's first record
     * @param stampedChunk the chunk as the store writes it (offset and generation stamped; it passes
     *                     {@link Chunk#wrap}). The store never changes it after this call, so it may
     *                     be kept and sent as is, but it must not be modified
     */
    void assigned(long baseOffset, byte[] stampedChunk);
}
