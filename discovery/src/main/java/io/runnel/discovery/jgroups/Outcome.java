package io.runnel.discovery.jgroups;

import io.runnel.discovery.Generation;
import io.runnel.discovery.Rejection;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What applying one metadata command did, returned to its proposer through raft.
 *
 * @param rejection  why the command was refused, or {@code null} if it was applied
 * @param applied    the number of commands applied to the metadata so far, this one included: the proposer waits
 *                   until its own replica reached it, so that its state shows the change
 * @param generation the range's generation after the command, for generation commands; else {@code null}
 * @param detail     a human-readable explanation of a rejection, or {@code ""}
 */
record Outcome(Rejection rejection, long applied, Generation generation, String detail) {

    static Outcome ok(long applied, Generation generation) {
        return new Outcome(null, applied, generation, "");
    }

    static Outcome rejected(long applied, Rejection rejection, String detail) {
        return new Outcome(rejection, applied, null, detail);
    }

    boolean isOk() {
        return rejection == null;
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(48);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(rejection == null ? 0 : rejection.code());
            out.writeLong(applied);
            out.writeBoolean(generation != null);
            if (generation != null) {
                writeGeneration(out, generation);
            }
            out.writeUTF(detail);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Outcome decode(byte[] buf) throws IOException {
        if (buf == null) {
            throw new IOException("empty response from the metadata state machine");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(buf));
        byte code = in.readByte();
        long applied = in.readLong();
        Generation g = in.readBoolean() ? readGeneration(in) : null;
        String detail = in.readUTF();
        return new Outcome(code == 0 ? null : Rejection.ofCode(code), applied, g, detail);
    }

    static void writeGeneration(java.io.DataOutput out, Generation g) throws IOException {
        out.writeInt(g.range());
        out.writeLong(g.version());
        out.writeInt(g.leader());
        out.writeShort(g.replicas().size());
        for (int r : g.replicas()) {
            out.writeInt(r);
        }
        MetadataCommand.writeSet(out, g.isr());
    }

    static Generation readGeneration(java.io.DataInput in) throws IOException {
        int range = in.readInt();
        int version = Math.toIntExact(in.readLong()); // int64 on the wire, as before
        int leader = in.readInt();
        int n = in.readUnsignedShort();
        List<Integer> replicas = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            replicas.add(in.readInt());
        }
        try {
            return new Generation(range, version, leader, replicas, MetadataCommand.readSet(in));
        } catch (IllegalArgumentException e) {
            throw new IOException("invalid generation: " + e.getMessage(), e);
        }
    }
}
