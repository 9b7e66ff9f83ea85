/**
 * The {@link io.runnel.storage.LogStore} on RocksDB: {@link io.runnel.storage.rocksdb.RocksLogStore}.
 *
 * <p>Package-private parts: the writer thread and its group commit ({@code LogWriter}), key
 * encodings ({@code Keys}), the RocksDB handles and options ({@code RocksHandles}), recovery at
 * open ({@code Recovery}), retention planning ({@code Retention}), a partition's offsets
 * ({@code PartitionLog}) and its generation history ({@code GenerationHistory}).
 */
package io.runnel.storage.rocksdb;
