package io.runnel.discovery.jgroups;

import io.runnel.discovery.BridgeEntry;
import io.runnel.discovery.Rejection;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class MetadataStateMachineTest {

    @Test
    void appliesCommandsAndAnswersTheProposerWithTheOutcome() throws Exception {
        List<Metadata.Snapshot> seen = new ArrayList<>();
        MetadataStateMachine sm = new MetadataStateMachine(seen::add);
        byte[] init = new MetadataCommand.InitGenerations(3, 2).encode();
        assertThat(Outcome.decode(sm.apply(init, 0, init.length, true)).isOk()).isTrue();

        byte[] shrink = new MetadataCommand.SetIsr(0, 1, 0, Set.of(0, 1)).encode();
        Outcome o = Outcome.decode(sm.apply(shrink, 0, shrink.length, true));
        assertThat(o.applied()).isEqualTo(2);
        assertThat(o.generation().isr()).containsExactly(0, 1);

        byte[] stale = new MetadataCommand.SetIsr(0, 5, 0, Set.of(0)).encode();
        Outcome refused = Outcome.decode(sm.apply(stale, 0, stale.length, true));
        assertThat(refused.rejection()).isEqualTo(Rejection.STALE_VERSION);
        assertThat(refused.detail()).contains("version 1");
        // Followers are not asked for an answer.
        assertThat(sm.apply(stale, 0, stale.length, false)).isNull();
        assertThat(seen).hasSize(4);
        assertThat(seen.getLast().generations().get(0).isr()).containsExactly(0, 1);
    }

    @Test
    void garbageIsRejectedNotThrown() throws Exception {
        MetadataStateMachine sm = new MetadataStateMachine(s -> {
            throw new IllegalStateException("a broken observer must not stop raft");
        });
        byte[] garbage = {1, 77, 0, 0};
        Outcome o = Outcome.decode(sm.apply(garbage, 0, garbage.length, true));
        assertThat(o.rejection()).isEqualTo(Rejection.MALFORMED);
        assertThat(o.applied()).isEqualTo(1);
    }

    @Test
    void aBridgeWithAnEmptyNameInTheLogIsRejectedAsMalformed() throws Exception {
        MetadataStateMachine sm = new MetadataStateMachine(s -> { });
        byte[] ok = new MetadataCommand.PutBridge(new BridgeEntry("x", "{}", false)).encode();
        // The same command with the name's length set to 0 and its one byte dropped.
        byte[] empty = new byte[ok.length - 1];
        empty[0] = ok[0];
        empty[1] = ok[1];
        System.arraycopy(ok, 7, empty, 6, ok.length - 7);
        Outcome o = Outcome.decode(sm.apply(empty, 0, empty.length, true));
        assertThat(o.rejection()).isEqualTo(Rejection.MALFORMED);
        assertThat(o.detail()).contains("empty");
        assertThat(sm.snapshot().bridges()).isEmpty();

        assertThat(Outcome.decode(sm.apply(ok, 0, ok.length, true)).isOk()).isTrue();
        assertThat(sm.snapshot().bridges()).containsOnlyKeys("x");
    }

    @Test
    void contentRoundTripsThroughRaftSnapshots() throws Exception {
        MetadataStateMachine sm = new MetadataStateMachine(s -> { });
        byte[] init = new MetadataCommand.InitGenerations(2, 1).encode();
        sm.apply(init, 0, init.length, false);
        byte[] topic = new MetadataCommand.AddTopic("t").encode();
        sm.apply(topic, 0, topic.length, false);
        byte[] bridge = new MetadataCommand.PutBridge(new BridgeEntry("b", "{\"topic\":\"t\"}", true)).encode();
        sm.apply(bridge, 0, bridge.length, false);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        sm.writeContentTo(new DataOutputStream(bytes));

        List<Metadata.Snapshot> loaded = new ArrayList<>();
        MetadataStateMachine other = new MetadataStateMachine(loaded::add);
        other.readContentFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(other.snapshot()).isEqualTo(sm.snapshot());
        assertThat(other.snapshot().bridges().get("b").paused()).isTrue();
        assertThat(loaded).containsExactly(sm.snapshot());
    }
}
