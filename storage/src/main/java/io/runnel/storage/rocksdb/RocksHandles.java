package io.runnel.storage.rocksdb;

import io.runnel.storage.StorageConfig;
import io.runnel.storage.StorageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksObject;
import org.rocksdb.WALRecoveryMode;

/*
 * The RocksDB instance of one broker and every native object it needs. RocksDB Java objects hold
 * C++ memory that the garbage collector never frees, so this class records each one it creates
 * and closes them all, in reverse order of creation, in close().
 *
 * Memory is bounded by configuration: one LRU block cache shared by all column families (index
 * blocks are charged to it too), at most 3 memtables of writeBufferBytes for the log and 2 small
 * ones for each of the other column families.
 */
final class RocksHandles implements AutoCloseable {
    static final String LOG_CF = "log";
    static final String STATE_CF = "state";
    static final String OFFSETS_CF = "offsets";
    private static final long SMALL_WRITE_BUFFER = 4L << 20;

    final RocksDB db;
    final ColumnFamilyHandle log;
    final ColumnFamilyHandle state;
    final ColumnFamilyHandle offsets;
    /** Shared by all readers (RocksDB only reads it): consumer reads, which fill the block cache. */
    final ReadOptions readOptions;
    /** For one-off scans (retention, recovery, timestamp search) that must not evict hot blocks. */
    final ReadOptions scanOptions;

    private final List<ColumnFamilyHandle> handles;
    /** Options and the cache: they must outlive the DB, so they close after it, newest first. */
    private final Deque<RocksObject> options;

    private RocksHandles(RocksDB db, List<ColumnFamilyHandle> handles, ReadOptions readOptions,
                         ReadOptions scanOptions, Deque<RocksObject> options) {
        this.db = db;
        this.handles = handles;
        this.log = handles.get(1);
        this.state = handles.get(2);
        this.offsets = handles.get(3);
        this.readOptions = readOptions;
        this.scanOptions = scanOptions;
        this.options = options;
    }

    static RocksHandles open(StorageConfig config) {
        RocksDB.loadLibrary();
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new StorageException("cannot create data directory " + config.dataDir() + ": " + e.getMessage(), e);
        }
        Deque<RocksObject> options = new ArrayDeque<>();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            LRUCache cache = track(options, new LRUCache(config.blockCacheBytes()));

            // LZ4 on every level, the bottommost too: with ZSTD there the compaction thread used twice the CPU (2.1-2.4
            // against 1.1 us per event over three brokers) to write ~9 % fewer bytes (docs/performance.md); cores limit a broker first.
            ColumnFamilyOptions logOptions = track(options, new ColumnFamilyOptions()
                    .setWriteBufferSize(config.writeBufferBytes())
                    .setMaxWriteBufferNumber(3)
                    .setCompressionType(CompressionType.LZ4_COMPRESSION)
                    .setLevelCompactionDynamicLevelBytes(true)
                    .setTargetFileSizeBase(64L << 20)
                    // Chunks are KiBs each and read by iterators, never by point lookups: large
                    // blocks keep the index small, and a bloom filter would never be consulted.
                    .setTableFormatConfig(tableConfig(cache, 64 << 10)));
            ColumnFamilyOptions smallOptions = track(options, new ColumnFamilyOptions()
                    .setWriteBufferSize(Math.min(SMALL_WRITE_BUFFER, config.writeBufferBytes()))
                    .setMaxWriteBufferNumber(2)
                    .setCompressionType(CompressionType.LZ4_COMPRESSION)
                    .setBottommostCompressionType(CompressionType.ZSTD_COMPRESSION)
                    .setLevelCompactionDynamicLevelBytes(true)
                    .setTableFormatConfig(tableConfig(cache, 4 << 10)));
            ColumnFamilyOptions defaultOptions = track(options, new ColumnFamilyOptions()
                    .setWriteBufferSize(1L << 20)
                    .setMaxWriteBufferNumber(2));

            DBOptions dbOptions = track(options, new DBOptions()
                    .setCreateIfMissing(true)
                    .setCreateMissingColumnFamilies(true)
                    // After kill -9 or power loss, recover up to the last intact WAL record and
                    // nothing after it: a torn batch never becomes visible, whole or in part.
                    .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
                    .setMaxBackgroundJobs(2)
                    // state/offsets change in every batch but rarely fill a memtable; without a
                    // cap they would pin old WAL files forever. Past this, RocksDB flushes them.
                    .setMaxTotalWalSize(Math.max(64L << 20, 4 * config.writeBufferBytes()))
                    .setBytesPerSync(1L << 20)
                    .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                    .setMaxLogFileSize(8L << 20)
                    .setKeepLogFileNum(3));

            List<ColumnFamilyDescriptor> descriptors = List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, defaultOptions),
                    new ColumnFamilyDescriptor(LOG_CF.getBytes(StandardCharsets.UTF_8), logOptions),
                    new ColumnFamilyDescriptor(STATE_CF.getBytes(StandardCharsets.UTF_8), smallOptions),
                    new ColumnFamilyDescriptor(OFFSETS_CF.getBytes(StandardCharsets.UTF_8), smallOptions));
            RocksDB db = RocksDB.open(dbOptions, config.dataDir().toString(), descriptors, handles);
            ReadOptions readOptions = track(options, new ReadOptions().setFillCache(true));
            ReadOptions scanOptions = track(options, new ReadOptions().setFillCache(false));
            return new RocksHandles(db, handles, readOptions, scanOptions, options);
        } catch (RocksDBException | RuntimeException e) {
            handles.forEach(ColumnFamilyHandle::close);
            options.forEach(RocksObject::close);
            throw new StorageException("cannot open RocksDB in " + config.dataDir() + ": " + e.getMessage(), e);
        }
    }

    private static BlockBasedTableConfig tableConfig(LRUCache cache, int blockSize) {
        return new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setBlockSize(blockSize)
                .setCacheIndexAndFilterBlocks(true)
                .setPinL0FilterAndIndexBlocksInCache(true);
    }

    private static <T extends RocksObject> T track(Deque<RocksObject> owned, T object) {
        owned.push(object);
        return object;
    }

    /** Closes the column family handles, then the DB, then the options and the cache. */
    @Override
    public void close() {
        Exception failure = null;
        for (ColumnFamilyHandle h : handles) {
            h.close();
        }
        try {
            // closeE reports errors that close() would swallow; it waits for background jobs.
            db.closeE();
        } catch (RocksDBException e) {
            failure = e;
        }
        // The deque holds the newest first: ReadOptions, then DBOptions ... the cache last.
        while (!options.isEmpty()) {
            options.pop().close();
        }
        if (failure != null) {
            throw new StorageException("closing RocksDB failed: " + failure.getMessage(), failure);
        }
    }
}
