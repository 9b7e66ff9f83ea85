package io.runnel.discovery.jgroups;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jgroups.raft.StateMachine;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.function.Consumer;

/*
 * jgroups-raft calls apply() on its single runner thread (and at start, on the connecting thread, while it
 * replays the log). A throwing apply() would stop the raft node from ever moving its commit index again, so
 * every failure becomes a MALFORMED outcome instead. Reads from other threads go through the published
 * snapshots, never the mutable Metadata.
 */

/** The raft state machine of the cluster metadata: decodes commands and applies them to {@link Metadata}. */
final class MetadataStateMachine implements StateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataStateMachine.class);

    private final Metadata metadata = new Metadata();
    private final Consumer<Metadata.Snapshot> onChange;

    /** @param onChange told of every applied command and snapshot load, on the applying thread; must not block */
    MetadataStateMachine(Consumer<Metadata.Snapshot> onChange) {
        this.onChange = onChange;
    }

    @Override
    public byte[] apply(byte[] data, int offset, int length, boolean serializeResponse) {
        Outcome outcome;
        Metadata.Snapshot snapshot;
        synchronized (metadata) {
            MetadataCommand command = null;
            String malformed = null;
            try {
                command = MetadataCommand.decode(data, offset, length);
            } catch (IOException | RuntimeException e) {
                malformed = "cannot decode metadata command: " + e;
            }
            outcome = command != null ? metadata.apply(command) : metadata.applyMalformed(malformed);
            snapshot = metadata.snapshot();
        }
        publish(snapshot);
        return serializeResponse ? outcome.encode() : null;
    }

    @Override
    public void readContentFrom(DataInput in) throws IOException {
        Metadata.Snapshot snapshot;
        synchronized (metadata) {
            metadata.readFrom(in);
            snapshot = metadata.snapshot();
        }
        publish(snapshot);
    }

    private void publish(Metadata.Snapshot snapshot) {
        try {
            onChange.accept(snapshot);
        } catch (RuntimeException e) {
            // The command is applied whatever an observer does; raft must keep going.
            LOG.error("metadata change observer failed", e);
        }
    }

    @Override
    public void writeContentTo(DataOutput out) throws IOException {
        synchronized (metadata) {
            metadata.writeTo(out);
        }
    }

    Metadata.Snapshot snapshot() {
        synchronized (metadata) {
            return metadata.snapshot();
        }
    }
}
