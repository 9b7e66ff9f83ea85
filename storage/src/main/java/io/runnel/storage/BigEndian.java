package io.runnel.storage;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Big-endian ints and longs in byte arrays: the byte order of chunks and of every RocksDB key, so
 * that RocksDB's bytewise comparator orders non-negative numbers numerically. Shared by the chunk
 * format and the RocksDB key encodings; not meant for callers outside the storage module.
 */
public final class BigEndian {
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private BigEndian() {
    }

    public static void putInt(byte[] b, int at, int v) {
        INT.set(b, at, v);
    }

    public static void putLong(byte[] b, int at, long v) {
        LONG.set(b, at, v);
    }

    public static int getInt(byte[] b, int at) {
        return (int) INT.get(b, at);
    }

    public static long getLong(byte[] b, int at) {
        return (long) LONG.get(b, at);
    }
}
