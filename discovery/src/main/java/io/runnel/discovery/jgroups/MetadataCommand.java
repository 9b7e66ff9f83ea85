package io.runnel.discovery.jgroups;

import io.runnel.discovery.BridgeEntry;
import io.runnel.discovery.ConsumerRegistration;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A change to the cluster metadata, as stored in the raft log. The encoding is compact and versioned:
 * {@code format(1) | tag(1) | fields}, integers big-endian, sets as {@code count(2) | ints}. Short names are
 * {@code writeUTF} strings; bridge names and definitions are {@code length(4) | UTF-8 bytes}, since a definition
 * may be longer than the 65,535 bytes of modified UTF-8 that {@code writeUTF} holds.
 */
sealed interface MetadataCommand {
    byte FORMAT = 1;

    /** Creates generation version 1 of every range (natural leader, ISR = replica set); once only. */
    record InitGenerations(int brokers, int rangesPerBroker) implements MetadataCommand {
        static final byte TAG = 1;
    }

    /**
     * Makes {@code newLeader} the leader of {@code range} with version + 1. The new ISR is {@code isr} intersected
     * with the ISR current when the command applies (it never adds a member), plus the new leader, which must be
     * in sync already.
     */
    record ChangeLeader(int range, int expectedVersion, int newLeader, Set<Integer> isr) implements MetadataCommand {
        static final byte TAG = 2;

        public ChangeLeader {
            isr = sorted(isr);
        }
    }

    /** The range leader {@code proposer} sets the ISR of its range (shrink or expand); the version stays. */
    record SetIsr(int range, int expectedVersion, int proposer, Set<Integer> isr) implements MetadataCommand {
        static final byte TAG = 3;

        public SetIsr {
            isr = sorted(isr);
        }
    }

    /**
     * The controller drops dead brokers from an ISR. It only ever removes members, never the leader, so a
     * controller deciding on a slightly stale state cannot put back a member the leader had removed.
     */
    record RemoveFromIsr(int range, int expectedVersion, Set<Integer> brokers) implements MetadataCommand {
        static final byte TAG = 4;

        public RemoveFromIsr {
            brokers = sorted(brokers);
        }
    }

    /** Adds a topic (idempotent). */
    record AddTopic(String name) implements MetadataCommand {
        static final byte TAG = 5;
    }

    /**
     * Registers a consumer in a group, or updates its registration (moves it from another group). A registration
     * with a principal is written under {@link #OWNED_TAG}, with the principal after the fields of tag 6.
     */
    record RegisterConsumer(ConsumerRegistration registration) implements MetadataCommand {
        static final byte TAG = 6;
        static final byte OWNED_TAG = 10;
    }

    /** Removes a consumer from its group, if it is still in {@code group}. */
    record RemoveConsumer(String group, String consumerId) implements MetadataCommand {
        static final byte TAG = 7;
    }

    /** Creates the bridge {@code entry.name()} or replaces it whole (definition and paused flag). */
    record PutBridge(BridgeEntry entry) implements MetadataCommand {
        static final byte TAG = 8;
    }

    /** Removes a bridge (idempotent). */
    record RemoveBridge(String name) implements MetadataCommand {
        static final byte TAG = 9;

        public RemoveBridge {
            Objects.requireNonNull(name, "name");
        }
    }

    default byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            switch (this) {
                case InitGenerations c -> {
                    out.writeByte(InitGenerations.TAG);
                    out.writeInt(c.brokers());
                    out.writeInt(c.rangesPerBroker());
                }
                case ChangeLeader c -> {
                    out.writeByte(ChangeLeader.TAG);
                    out.writeInt(c.range());
                    out.writeLong(c.expectedVersion()); // int64 in the raft log, as before
                    out.writeInt(c.newLeader());
                    writeSet(out, c.isr());
                }
                case SetIsr c -> {
                    out.writeByte(SetIsr.TAG);
                    out.writeInt(c.range());
                    out.writeLong(c.expectedVersion()); // int64 in the raft log, as before
                    out.writeInt(c.proposer());
                    writeSet(out, c.isr());
                }
                case RemoveFromIsr c -> {
                    out.writeByte(RemoveFromIsr.TAG);
                    out.writeInt(c.range());
                    out.writeLong(c.expectedVersion()); // int64 in the raft log, as before
                    writeSet(out, c.brokers());
                }
                case AddTopic c -> {
                    out.writeByte(AddTopic.TAG);
                    out.writeUTF(c.name());
                }
                case RegisterConsumer c -> {
                    out.writeByte(c.registration().principal() == null ? RegisterConsumer.TAG : RegisterConsumer.OWNED_TAG);
                    writeRegistration(out, c.registration());
                    if (c.registration().principal() != null) {
                        out.writeUTF(c.registration().principal());
                    }
                }
                case RemoveConsumer c -> {
                    out.writeByte(RemoveConsumer.TAG);
                    out.writeUTF(c.group());
                    out.writeUTF(c.consumerId());
                }
                case PutBridge c -> {
                    out.writeByte(PutBridge.TAG);
                    writeBridge(out, c.entry());
                }
                case RemoveBridge c -> {
                    out.writeByte(RemoveBridge.TAG);
                    writeText(out, c.name());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array stream does not fail
        }
        return bytes.toByteArray();
    }

    /** Decodes a command; throws {@link IOException} for anything malformed. */
    static MetadataCommand decode(byte[] buf, int offset, int length) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(buf, offset, length));
        byte format = in.readByte();
        if (format != FORMAT) {
            throw new IOException("unknown metadata command format " + format);
        }
        byte tag = in.readByte();
        MetadataCommand cmd = switch (tag) {
            case InitGenerations.TAG -> new InitGenerations(in.readInt(), in.readInt());
            case ChangeLeader.TAG -> new ChangeLeader(in.readInt(), Math.toIntExact(in.readLong()), in.readInt(), readSet(in));
            case SetIsr.TAG -> new SetIsr(in.readInt(), Math.toIntExact(in.readLong()), in.readInt(), readSet(in));
            case RemoveFromIsr.TAG -> new RemoveFromIsr(in.readInt(), Math.toIntExact(in.readLong()), readSet(in));
            case AddTopic.TAG -> new AddTopic(in.readUTF());
            case RegisterConsumer.TAG -> new RegisterConsumer(readRegistration(in));
            case RegisterConsumer.OWNED_TAG -> new RegisterConsumer(owned(readRegistration(in), in.readUTF()));
            case RemoveConsumer.TAG -> new RemoveConsumer(in.readUTF(), in.readUTF());
            case PutBridge.TAG -> new PutBridge(readBridge(in));
            case RemoveBridge.TAG -> new RemoveBridge(readText(in, BridgeEntry.MAX_NAME_BYTES));
            default -> throw new IOException("unknown metadata command tag " + tag);
        };
        if (in.available() != 0) {
            throw new IOException("trailing bytes after metadata command " + cmd);
        }
        return cmd;
    }

    static void writeRegistration(DataOutput out, ConsumerRegistration r) throws IOException {
        out.writeUTF(r.group());
        out.writeUTF(r.consumerId());
        out.writeUTF(r.onNewGroup());
        out.writeShort(r.topics().size());
        for (String t : r.topics()) {
            out.writeUTF(t);
        }
    }

    static ConsumerRegistration readRegistration(DataInput in) throws IOException {
        String group = in.readUTF();
        String id = in.readUTF();
        String onNewGroup = in.readUTF();
        int n = in.readUnsignedShort();
        java.util.List<String> topics = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            topics.add(in.readUTF());
        }
        return new ConsumerRegistration(group, id, topics, onNewGroup);
    }

    static ConsumerRegistration owned(ConsumerRegistration r, String principal) {
        return new ConsumerRegistration(r.group(), r.consumerId(), r.topics(), r.onNewGroup(), principal);
    }

    static void writeBridge(DataOutput out, BridgeEntry b) throws IOException {
        writeText(out, b.name());
        writeText(out, b.definition());
        out.writeBoolean(b.paused());
    }

    /** Reads what {@link #writeBridge} wrote; an entry that breaks the rules of {@link BridgeEntry} is malformed. */
    static BridgeEntry readBridge(DataInput in) throws IOException {
        String name = readText(in, BridgeEntry.MAX_NAME_BYTES);
        String definition = readText(in, BridgeEntry.MAX_DEFINITION_BYTES);
        boolean paused = in.readBoolean();
        try {
            return new BridgeEntry(name, definition, paused);
        } catch (IllegalArgumentException e) {
            throw new IOException("malformed bridge entry: " + e.getMessage(), e);
        }
    }

    /** {@code length(4) | UTF-8 bytes}; the text must be well-formed Unicode (callers validate it first). */
    static void writeText(DataOutput out, String text) throws IOException {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    /** Reads what {@link #writeText} wrote, refusing more than {@code maxBytes} and malformed UTF-8. */
    static String readText(DataInput in, int maxBytes) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > maxBytes) {
            throw new IOException("text of " + length + " bytes, at most " + maxBytes + " allowed");
        }
        byte[] utf8 = new byte[length];
        in.readFully(utf8);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("text is not valid UTF-8: " + e, e);
        }
    }

    static void writeSet(DataOutput out, Set<Integer> set) throws IOException {
        out.writeShort(set.size());
        for (int v : set) {
            out.writeInt(v);
        }
    }

    static Set<Integer> readSet(DataInput in) throws IOException {
        int n = in.readUnsignedShort();
        Set<Integer> out = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            out.add(in.readInt());
        }
        return Collections.unmodifiableSet(out);
    }

    private static Set<Integer> sorted(Set<Integer> set) {
        return Collections.unmodifiableSet(new TreeSet<>(set));
    }
}
