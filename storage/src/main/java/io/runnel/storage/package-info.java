/**
 * The on-disk log of every partition, kept in one RocksDB per broker.
 *
 * <p>The API lives in this package: {@link io.runnel.storage.LogStore} (open with
 * {@link io.runnel.storage.LogStore#open(StorageConfig)}), the chunk format
 * ({@link io.runnel.storage.ChunkBuilder}, {@link io.runnel.storage.Chunk}) and the
 * configuration records. Implementations live in {@code io.runnel.storage.rocksdb}.
 * Every failure is a {@link io.runnel.storage.StorageException}.
 */
package io.runnel.storage;
