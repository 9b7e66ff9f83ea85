package io.runnel.storage.rocksdb;

import static io.runnel.storage.BigEndian.getInt;
import static io.runnel.storage.BigEndian.getLong;
import static io.runnel.storage.BigEndian.putInt;
import static io.runnel.storage.BigEndian.putLong;

import io.runnel.storage.OffsetKey;
import io.runnel.storage.PartitionState;
import io.runnel.storage.TopicConfig;
import io.runnel.storage.TopicInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/*
 * Key and value encodings of the three column families. Everything is big-endian so that
 * RocksDB's bytewise comparator orders numbers as numbers (ids and offsets are never negative).
 *
 *   log:     topicId(4) | partition(4) | baseOffset(8)            -> chunk bytes
 *   state:   'p' | topicId(4) | partition(4)                       -> logStart(8) | logEnd(8) | sizeBytes(8)
 *            't' | topic name (UTF-8)                             -> id(4) | retentionSeconds(8) | retentionNanos(4) | retentionBytes(8)
 *            'n'                                                  -> next topic id(4)
 *            'g' | topicId(4) | partition(4) | generation(4)      -> start offset(8)
 *   offsets: groupLength(4) | group (UTF-8) | topicId(4) | partition(4) -> next offset(8)
 *
 * Generation keys sort by generation within a partition (generations recorded are > 0), so a
 * partition's history is read back in order.
 *
 * The group is length-prefixed so that one group's keys are exactly the keys starting with
 * groupLength | group: no other group can share that prefix.
 */
final class Keys {
    static final int LOG_KEY_SIZE = 16;
    static final byte PARTITION_TAG = 'p';
    static final byte TOPIC_TAG = 't';
    static final byte GENERATION_TAG = 'g';
    static final int GENERATION_KEY_SIZE = 13;
    static final byte[] NEXT_TOPIC_ID = {'n'};

    private Keys() {
    }

    // ---- log column family

    static byte[] log(int topicId, int partition, long baseOffset) {
        byte[] k = new byte[LOG_KEY_SIZE];
        putInt(k, 0, topicId);
        putInt(k, 4, partition);
        putLong(k, 8, baseOffset);
        return k;
    }

    /** The 8-byte partition prefix of a log key as one number (topicId in the high half). */
    static long partitionId(int topicId, int partition) {
        return ((long) topicId << 32) | (partition & 0xffffffffL);
    }

    static long partitionIdOfLogKey(byte[] key) {
        return getLong(key, 0);
    }

    static boolean isLogKeyOf(byte[] key, int topicId, int partition) {
        return key.length == LOG_KEY_SIZE && getInt(key, 0) == topicId && getInt(key, 4) == partition;
    }

    static long baseOffsetOfLogKey(byte[] key) {
        return getLong(key, 8);
    }

    // ---- state column family

    static byte[] partitionState(int topicId, int partition) {
        byte[] k = new byte[9];
        k[0] = PARTITION_TAG;
        putInt(k, 1, topicId);
        putInt(k, 5, partition);
        return k;
    }

    static byte[] generation(int topicId, int partition, int generation) {
        byte[] k = new byte[GENERATION_KEY_SIZE];
        k[0] = GENERATION_TAG;
        putInt(k, 1, topicId);
        putInt(k, 5, partition);
        putInt(k, 9, generation);
        return k;
    }

    static boolean isGenerationKey(byte[] key) {
        return key.length == GENERATION_KEY_SIZE && key[0] == GENERATION_TAG;
    }

    static byte[] encodeState(PartitionState s) {
        return encodeState(s.logStartOffset(), s.logEndOffset(), s.sizeBytes());
    }

    static byte[] encodeState(long start, long end, long size) {
        byte[] v = new byte[24];
        putLong(v, 0, start);
        putLong(v, 8, end);
        putLong(v, 16, size);
        return v;
    }

    static PartitionState decodeState(byte[] v) {
        return new PartitionState(getLong(v, 0), getLong(v, 8), getLong(v, 16));
    }

    static byte[] topic(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[1 + n.length];
        k[0] = TOPIC_TAG;
        System.arraycopy(n, 0, k, 1, n.length);
        return k;
    }

    static byte[] encodeTopic(TopicInfo t) {
        byte[] v = new byte[24];
        putInt(v, 0, t.id());
        putLong(v, 4, t.config().retention().getSeconds());
        putInt(v, 12, t.config().retention().getNano());
        putLong(v, 16, t.config().retentionBytes());
        return v;
    }

    static TopicInfo decodeTopic(byte[] key, byte[] v) {
        String name = new String(key, 1, key.length - 1, StandardCharsets.UTF_8);
        Duration retention = Duration.ofSeconds(getLong(v, 4), getInt(v, 12));
        return new TopicInfo(name, getInt(v, 0), new TopicConfig(retention, getLong(v, 16)));
    }

    // ---- offsets column family

    static byte[] offsetGroupPrefix(String group) {
        byte[] g = group.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[4 + g.length];
        putInt(k, 0, g.length);
        System.arraycopy(g, 0, k, 4, g.length);
        return k;
    }

    static byte[] offset(OffsetKey key) {
        byte[] g = key.group().getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[4 + g.length + 8];
        putInt(k, 0, g.length);
        System.arraycopy(g, 0, k, 4, g.length);
        putInt(k, 4 + g.length, key.topicId());
        putInt(k, 8 + g.length, key.partition());
        return k;
    }

    static OffsetKey decodeOffsetKey(byte[] k) {
        int len = getInt(k, 0);
        String group = new String(k, 4, len, StandardCharsets.UTF_8);
        return new OffsetKey(group, getInt(k, 4 + len), getInt(k, 8 + len));
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        if (key.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (key[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    // ---- numbers

    static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        putLong(b, 0, v);
        return b;
    }

    static byte[] intBytes(int v) {
        byte[] b = new byte[4];
        putInt(b, 0, v);
        return b;
    }
}
