package io.runnel.storage;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Settings of one broker's store.
 *
 * @param dataDir             directory of the RocksDB instance (created if missing)
 * @param fsync               when an append counts as durable
 * @param fsyncInterval       with {@link FsyncMode#INTERVAL}, how often the WAL is fsynced
 * @param blockCacheBytes     RocksDB block cache shared by all column families
 * @param writeBufferBytes    memtable size of the log column family
 * @param maxBatchBytes       the writer stops draining its queue into one WriteBatch past this size
 * @param retentionInterval   how often retention runs
 * @param clock               time source for retention and defaults
 * @param failureHandler      called once when a write fails, on the writer thread (or, with
 *                            {@link FsyncMode#INTERVAL}, the WAL sync thread): the broker must stop
 *                            serving rather than acknowledge what it did not store. It must not
 *                            block; it may call {@link LogStore#close()}
 */
public record StorageConfig(
        Path dataDir,
        FsyncMode fsync,
        Duration fsyncInterval,
        long blockCacheBytes,
        long writeBufferBytes,
        int maxBatchBytes,
        Duration retentionInterval,
        Clock clock,
        Consumer<Throwable> failureHandler) {

    public StorageConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(fsync, "fsync");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(failureHandler, "failureHandler");
        if (fsyncInterval == null || fsyncInterval.isNegative() || fsyncInterval.isZero()) {
            throw new IllegalArgumentException("fsyncInterval must be positive, not " + fsyncInterval);
        }
        if (blockCacheBytes < 1 << 20) {
            throw new IllegalArgumentException("blockCacheBytes must be at least 1 MiB, not " + blockCacheBytes);
        }
        if (writeBufferBytes < 1 << 20) {
            throw new IllegalArgumentException("writeBufferBytes must be at least 1 MiB, not " + writeBufferBytes);
        }
        if (maxBatchBytes < 1 << 16) {
            throw new IllegalArgumentException("maxBatchBytes must be at least 64 KiB, not " + maxBatchBytes);
        }
        if (retentionInterval == null || retentionInterval.isNegative() || retentionInterval.isZero()) {
            throw new IllegalArgumentException("retentionInterval must be positive, not " + retentionInterval);
        }
    }

    /** Defaults: fsync always, 64 MiB block cache, 32 MiB memtables, 4 MiB batches, retention each 30 s. */
    public static StorageConfig defaults(Path dataDir) {
        return new StorageConfig(dataDir, FsyncMode.ALWAYS, Duration.ofMillis(100), 64L << 20, 32L << 20,
                4 << 20, Duration.ofSeconds(30), Clock.systemUTC(), t -> { });
    }

    public StorageConfig withFsync(FsyncMode mode) {
        return new StorageConfig(dataDir, mode, fsyncInterval, blockCacheBytes, writeBufferBytes, maxBatchBytes,
                retentionInterval, clock, failureHandler);
    }

    public StorageConfig withClock(Clock c) {
        return new StorageConfig(dataDir, fsync, fsyncInterval, blockCacheBytes, writeBufferBytes, maxBatchBytes,
                retentionInterval, c, failureHandler);
    }

    public StorageConfig withRetentionInterval(Duration d) {
        return new StorageConfig(dataDir, fsync, fsyncInterval, blockCacheBytes, writeBufferBytes, maxBatchBytes,
                d, clock, failureHandler);
    }

    public StorageConfig withMemory(long blockCache, long writeBuffer) {
        return new StorageConfig(dataDir, fsync, fsyncInterval, blockCache, writeBuffer, maxBatchBytes,
                retentionInterval, clock, failureHandler);
    }

    public StorageConfig withFailureHandler(Consumer<Throwable> handler) {
        return new StorageConfig(dataDir, fsync, fsyncInterval, blockCacheBytes, writeBufferBytes, maxBatchBytes,
                retentionInterval, clock, handler);
    }
}
