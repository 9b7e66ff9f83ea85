package io.runnel.storage.rocksdb;

import io.runnel.storage.LogStore;
import io.runnel.storage.StorageConfig;

/** Placeholder until the RocksDB implementation lands. */
public final class RocksLogStore {
    private RocksLogStore() {
    }

    public static LogStore open(StorageConfig config) {
        throw new UnsupportedOperationException("not yet");
    }
}
