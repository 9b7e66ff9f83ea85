package io.runnel.storage.rocksdb;

import io.runnel.storage.AppendResult;
import io.runnel.storage.ChunkBuilder;
import io.runnel.storage.LogStore;
import io.runnel.storage.StorageConfig;
import io.runnel.storage.TopicConfig;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The child process of {@link StorageCrashIT}: appends from several threads until it is killed,
 * printing {@code ACK partition baseOffset count payloadId END} for each append as soon as it is
 * acknowledged. The content of a chunk is a pure function of its payload id ({@link #chunkFor}),
 * so the parent can check every stored chunk without knowing which ones were acknowledged.
 *
 * <p>One more thread owns partition {@link #TRUNCATED}: it appends, and every fourth chunk
 * truncates the last two away (inside the older one's first record span, so the store rounds
 * down), printing {@code TRUNCATING partition offset END} before and {@code TRUNC partition newEnd
 * END} once the truncation is acknowledged. Being one thread, its lines come in the order of its
 * operations.
 */
public final class CrashWriter {
    static final String TOPIC = "crash";
    static final int PARTITIONS = 3;
    /** Written and truncated by one thread; after the {@link #PARTITIONS} appended ones. */
    static final int TRUNCATED = PARTITIONS;

    private CrashWriter() {
    }

    /** Args: data directory, round number, writer threads. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int round = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false,
                StandardCharsets.UTF_8);
        LogStore store = LogStore.open(StorageConfig.defaults(dir).withMemory(8L << 20, 4L << 20));
        int topic = store.ensureTopic(TOPIC, TopicConfig.DEFAULT).id();
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int writer = t;
            Thread thread = new Thread(() -> {
                for (int seq = 0; ; seq++) {
                    String payloadId = "r" + round + "w" + writer + "s" + seq;
                    int partition = (writer + seq) % PARTITIONS;
                    try {
                        AppendResult r = store.append(topic, partition, round, chunkFor(payloadId))
                                .get(60, TimeUnit.SECONDS);
                        String line = "ACK " + partition + " " + r.baseOffset() + " " + r.count() + " " + payloadId + " END";
                        synchronized (out) {
                            out.println(line);
                            out.flush();
                        }
                    } catch (Exception e) {
                        e.printStackTrace();
                        return;
                    }
                }
            }, "crash-writer-" + t);
            thread.start();
            writers.add(thread);
        }
        Thread truncator = new Thread(() -> {
            List<AppendResult> mine = new ArrayList<>();
            for (int seq = 0; ; seq++) {
                String payloadId = "r" + round + "t" + seq;
                try {
                    AppendResult r = store.append(topic, TRUNCATED, round, chunkFor(payloadId)).get(60, TimeUnit.SECONDS);
                    print(out, "ACK " + TRUNCATED + " " + r.baseOffset() + " " + r.count() + " " + payloadId + " END");
                    mine.add(r);
                    if (seq % 4 == 3) {
                        AppendResult cut = mine.get(mine.size() - 2);
                        long offset = cut.baseOffset() + (cut.count() > 1 ? 1 : 0);
                        print(out, "TRUNCATING " + TRUNCATED + " " + offset + " END");
                        long newEnd = store.truncate(topic, TRUNCATED, offset).get(60, TimeUnit.SECONDS);
                        print(out, "TRUNC " + TRUNCATED + " " + newEnd + " END");
                        mine.subList(mine.size() - 2, mine.size()).clear();
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                    return;
                }
            }
        }, "crash-truncator");
        truncator.start();
        writers.add(truncator);
        print(out, "READY");
        for (Thread w : writers) {
            w.join();
        }
    }

    private static void print(PrintStream out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    static int countFor(String payloadId) {
        return 1 + Math.floorMod(payloadId.hashCode(), 20);
    }

    static String valueFor(String payloadId, int i) {
        return payloadId + ":" + i + ":" + "x".repeat((i * 37) % 300);
    }

    /** Record i: value {@link #valueFor}; key = the payload id for even i, none for odd i. */
    static byte[] chunkFor(String payloadId) {
        ChunkBuilder b = new ChunkBuilder();
        byte[] key = payloadId.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < countFor(payloadId); i++) {
            byte[] v = valueFor(payloadId, i).getBytes(StandardCharsets.UTF_8);
            b.add(i % 2 == 0 ? key : null, v, 0, v.length, 1_700_000_000_000L + i);
        }
        return b.build();
    }
}
