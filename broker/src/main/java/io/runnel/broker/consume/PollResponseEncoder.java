package io.runnel.broker.consume;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.runnel.storage.Chunk;
import java.nio.charset.StandardCharsets;

/**
 * Encodes a {@link PollResult} as the poll answer of the Barco REST API:
 *
 * <pre>
 * [{"topic":"t","token":"-9223372036854775808","rangeIndex":0,"version":1,"startOffset":"6","values":[{...},{...}]}]
 * </pre>
 *
 * <p>Events are stored as the JSON the producer sent, so each value is copied as-is from its
 * chunk into the output: one copy per event, no parsing. int64 fields ({@code token},
 * {@code startOffset}) are decimal strings, as in Barco, so JavaScript clients keep every digit.
 *
 * <p>Ownership: {@link #encode} allocates the returned buffer and hands it to the caller, who must
 * release it (normally by writing it to the channel).
 */
public final class PollResponseEncoder {
    private static final int OBJECT_OVERHEAD = 128;
    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

    private PollResponseEncoder() {
    }

    /** Encodes {@code result} (an empty result gives {@code []}); the caller owns the returned buffer. */
    public static ByteBuf encode(PollResult result, ByteBufAllocator alloc) {
        long estimate = 2;
        for (PartitionBatch b : result.batches()) {
            estimate += OBJECT_OVERHEAD + b.topic().length() * 6L + b.chunkBytes();
        }
        ByteBuf out = alloc.buffer((int) Math.min(Integer.MAX_VALUE - 8, estimate));
        try {
            out.writeByte('[');
            boolean firstBatch = true;
            for (PartitionBatch b : result.batches()) {
                if (!firstBatch) {
                    out.writeByte(',');
                }
                firstBatch = false;
                writeBatch(b, out);
            }
            out.writeByte(']');
            return out;
        } catch (RuntimeException | Error e) {
            out.release();
            throw e;
        }
    }

    private static void writeBatch(PartitionBatch b, ByteBuf out) {
        out.writeCharSequence("{\"topic\":", StandardCharsets.US_ASCII);
        writeString(b.topic(), out);
        out.writeCharSequence(",\"token\":\"", StandardCharsets.US_ASCII);
        out.writeCharSequence(Long.toString(b.token()), StandardCharsets.US_ASCII);
        out.writeCharSequence("\",\"rangeIndex\":", StandardCharsets.US_ASCII);
        out.writeCharSequence(Integer.toString(b.rangeIndex()), StandardCharsets.US_ASCII);
        out.writeCharSequence(",\"version\":", StandardCharsets.US_ASCII);
        out.writeCharSequence(Integer.toString(b.version()), StandardCharsets.US_ASCII);
        out.writeCharSequence(",\"startOffset\":\"", StandardCharsets.US_ASCII);
        out.writeCharSequence(Long.toString(b.startOffset()), StandardCharsets.US_ASCII);
        out.writeCharSequence("\",\"values\":[", StandardCharsets.US_ASCII);
        boolean firstValue = true;
        for (Chunk chunk : b.chunks()) {
            Chunk.RecordCursor cursor = chunk.cursor();
            while (cursor.next()) {
                long offset = cursor.offset();
                if (offset < b.startOffset()) {
                    continue; // delivered by an earlier poll
                }
                if (offset >= b.nextOffset()) {
                    break;
                }
                if (!firstValue) {
                    out.writeByte(',');
                }
                firstValue = false;
                if (cursor.valueLength() == 0) {
                    out.writeBytes(NULL); // keeps the answer valid JSON should an empty event ever be stored
                } else {
                    out.writeBytes(cursor.array(), cursor.valueOffset(), cursor.valueLength());
                }
            }
        }
        out.writeCharSequence("]}", StandardCharsets.US_ASCII);
    }

    /** Writes a JSON string; topic names are plain ASCII, but escape anyway rather than emit broken JSON. */
    private static void writeString(String s, ByteBuf out) {
        out.writeByte('"');
        int plainFrom = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20) {
                out.writeCharSequence(s.subSequence(plainFrom, i), StandardCharsets.UTF_8);
                switch (c) {
                    case '"' -> out.writeCharSequence("\\\"", StandardCharsets.US_ASCII);
                    case '\\' -> out.writeCharSequence("\\\\", StandardCharsets.US_ASCII);
                    default -> out.writeCharSequence(String.format("\\u%04x", (int) c), StandardCharsets.US_ASCII);
                }
                plainFrom = i + 1;
            }
        }
        out.writeCharSequence(s.subSequence(plainFrom, s.length()), StandardCharsets.UTF_8);
        out.writeByte('"');
    }
}
