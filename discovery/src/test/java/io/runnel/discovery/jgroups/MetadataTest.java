package io.runnel.discovery.jgroups;

import io.runnel.discovery.BridgeEntry;
import io.runnel.discovery.ConsumerRegistration;
import io.runnel.discovery.Generation;
import io.runnel.discovery.Rejection;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetadataTest {

    private static Metadata initialised(int brokers) {
        Metadata m = new Metadata();
        assertThat(m.apply(new MetadataCommand.InitGenerations(brokers, 4)).isOk()).isTrue();
        return m;
    }

    @Test
    void initGivesEveryRangeVersionOneLedByItsNaturalLeaderWithTheWholeReplicaSetInSync() {
        Metadata m = initialised(5);
        Metadata.Snapshot s = m.snapshot();
        assertThat(s.brokers()).isEqualTo(5);
        assertThat(s.rangesPerBroker()).isEqualTo(4);
        assertThat(s.generations()).hasSize(5);
        assertThat(s.generations().get(4)).isEqualTo(new Generation(4, 1, 4, List.of(4, 0, 1), Set.of(0, 1, 4)));
        assertThat(initialised(1).snapshot().generations().get(0))
                .isEqualTo(new Generation(0, 1, 0, List.of(0), Set.of(0)));
        assertThat(initialised(2).snapshot().generations().get(1))
                .isEqualTo(new Generation(1, 1, 1, List.of(1, 0), Set.of(0, 1)));
    }

    @Test
    void initHappensOnce() {
        Metadata m = initialised(3);
        Outcome again = m.apply(new MetadataCommand.InitGenerations(5, 1));
        assertThat(again.rejection()).isEqualTo(Rejection.ALREADY_INITIALIZED);
        assertThat(m.snapshot().brokers()).isEqualTo(3);
    }

    @Test
    void changeLeaderBumpsTheVersionAndNeverAddsToTheIsr() {
        Metadata m = initialised(3);
        m.apply(new MetadataCommand.SetIsr(1, 1, 1, Set.of(1, 2)));
        // The controller decided on a stale ISR {0,1,2}; 0 must not come back.
        Outcome o = m.apply(new MetadataCommand.ChangeLeader(1, 1, 2, Set.of(0, 1, 2)));
        assertThat(o.isOk()).isTrue();
        assertThat(o.generation()).isEqualTo(new Generation(1, 2, 2, List.of(1, 2, 0), Set.of(1, 2)));
        assertThat(m.snapshot().generations().get(1)).isEqualTo(o.generation());
    }

    @Test
    void changeLeaderIsRefusedForAStaleVersionAnOutOfSyncOrForeignLeaderOrAnUnknownRange() {
        Metadata m = initialised(5);
        m.apply(new MetadataCommand.SetIsr(0, 1, 0, Set.of(0, 1)));
        assertThat(m.apply(new MetadataCommand.ChangeLeader(0, 2, 1, Set.of(0, 1))).rejection())
                .isEqualTo(Rejection.STALE_VERSION);
        assertThat(m.apply(new MetadataCommand.ChangeLeader(0, 1, 2, Set.of(2))).rejection())
                .isEqualTo(Rejection.LEADER_NOT_IN_SYNC);
        assertThat(m.apply(new MetadataCommand.ChangeLeader(0, 1, 3, Set.of(3))).rejection())
                .isEqualTo(Rejection.NOT_A_REPLICA);
        assertThat(m.apply(new MetadataCommand.ChangeLeader(9, 1, 0, Set.of(0))).rejection())
                .isEqualTo(Rejection.UNKNOWN_RANGE);
        assertThat(new Metadata().apply(new MetadataCommand.ChangeLeader(0, 1, 0, Set.of(0))).rejection())
                .isEqualTo(Rejection.UNKNOWN_RANGE);
        assertThat(m.snapshot().generations().get(0).version()).isEqualTo(1);
    }

    @Test
    void onlyTheLeaderSetsTheIsrOfItsCurrentVersionAndTheIsrKeepsTheLeader() {
        Metadata m = initialised(3);
        assertThat(m.apply(new MetadataCommand.SetIsr(2, 1, 0, Set.of(2, 0))).rejection())
                .isEqualTo(Rejection.NOT_LEADER);
        assertThat(m.apply(new MetadataCommand.SetIsr(2, 2, 2, Set.of(2, 0))).rejection())
                .isEqualTo(Rejection.STALE_VERSION);
        assertThat(m.apply(new MetadataCommand.SetIsr(2, 1, 2, Set.of(0, 1))).rejection())
                .isEqualTo(Rejection.ISR_WITHOUT_LEADER);
        assertThat(m.apply(new MetadataCommand.SetIsr(2, 1, 2, Set.of(2, 7))).rejection())
                .isEqualTo(Rejection.NOT_A_REPLICA);
        Outcome ok = m.apply(new MetadataCommand.SetIsr(2, 1, 2, Set.of(2)));
        assertThat(ok.generation()).isEqualTo(new Generation(2, 1, 2, List.of(2, 0, 1), Set.of(2)));
    }

    @Test
    void removeFromIsrOnlyRemovesAndNeverTheLeader() {
        Metadata m = initialised(3);
        Outcome o = m.apply(new MetadataCommand.RemoveFromIsr(0, 1, Set.of(0, 2)));
        assertThat(o.generation().isr()).containsExactly(0, 1);
        assertThat(m.apply(new MetadataCommand.RemoveFromIsr(0, 3, Set.of(1))).rejection())
                .isEqualTo(Rejection.STALE_VERSION);
    }

    @Test
    void topicsAreAddedOnceAndMustHaveKafkaNames() {
        Metadata m = new Metadata();
        assertThat(m.apply(new MetadataCommand.AddTopic("orders")).isOk()).isTrue();
        assertThat(m.apply(new MetadataCommand.AddTopic("orders")).isOk()).isTrue();
        assertThat(m.apply(new MetadataCommand.AddTopic("..")).rejection()).isEqualTo(Rejection.MALFORMED);
        assertThat(m.apply(new MetadataCommand.AddTopic("a/b")).rejection()).isEqualTo(Rejection.MALFORMED);
        assertThat(m.snapshot().topics()).containsExactly("orders");
        assertThat(Metadata.validTopicName("x".repeat(249))).isTrue();
        assertThat(Metadata.validTopicName("x".repeat(250))).isFalse();
        assertThat(Metadata.validTopicName("")).isFalse();
    }

    @Test
    void everyCommandCountsAsAppliedRejectedOrNot() {
        Metadata m = new Metadata();
        Outcome a = m.apply(new MetadataCommand.ChangeLeader(0, 1, 0, Set.of(0)));
        Outcome b = m.apply(new MetadataCommand.InitGenerations(3, 1));
        Outcome c = m.applyMalformed("garbage");
        assertThat(List.of(a.applied(), b.applied(), c.applied())).containsExactly(1L, 2L, 3L);
        assertThat(m.applied()).isEqualTo(3);
    }

    @Test
    void snapshotsRoundTrip() throws IOException {
        Metadata m = initialised(3);
        m.apply(new MetadataCommand.AddTopic("a"));
        m.apply(new MetadataCommand.ChangeLeader(1, 1, 2, Set.of(1, 2)));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        m.writeTo(new DataOutputStream(bytes));

        Metadata copy = initialised(5); // whatever was there is replaced
        copy.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(copy.snapshot()).isEqualTo(m.snapshot());
    }

    @Test
    void commandsRoundTripThroughTheirEncoding() throws IOException {
        List<MetadataCommand> all = List.of(
                new MetadataCommand.InitGenerations(7, 16),
                new MetadataCommand.ChangeLeader(3, 42, 4, Set.of(4, 5)),
                new MetadataCommand.SetIsr(1, Integer.MAX_VALUE, 1, Set.of(1)),
                new MetadataCommand.RemoveFromIsr(0, 9, Set.of(2, 1)),
                new MetadataCommand.AddTopic("topic.with-ünïcode"),
                new MetadataCommand.RegisterConsumer(new ConsumerRegistration("g", "c", List.of("t"), "startFromLatest", "ålice")),
                new MetadataCommand.PutBridge(new BridgeEntry("b", "{}", false)),
                new MetadataCommand.PutBridge(new BridgeEntry("brïdge-🦀", "{\"to\":\"ü🦀\"}", true)),
                // 64 KiB of three-byte characters: beyond what writeUTF can hold.
                new MetadataCommand.PutBridge(new BridgeEntry("big", "€".repeat(BridgeEntry.MAX_DEFINITION_BYTES / 3),
                        false)),
                new MetadataCommand.RemoveBridge("brïdge-🦀"));
        for (MetadataCommand c : all) {
            byte[] buf = c.encode();
            byte[] padded = new byte[buf.length + 6];
            System.arraycopy(buf, 0, padded, 3, buf.length);
            assertThat(MetadataCommand.decode(padded, 3, buf.length)).isEqualTo(c);
        }
        assertThat(new MetadataCommand.InitGenerations(3, 4).encode()).hasSize(10);
    }

    @Test
    void bridgeCommandsBreakingTheEntryRulesOrTheirLengthsDoNotDecode() throws IOException {
        // tag 8: name(length, utf8) | definition(length, utf8) | paused
        assertThatThrownBy(() -> decode(putBridge("", "{}"))).isInstanceOf(IOException.class)
                .hasMessageContaining("empty");
        byte[] tooLong = "x".repeat(BridgeEntry.MAX_DEFINITION_BYTES + 1).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> decode(putBridge("b".getBytes(StandardCharsets.UTF_8), tooLong)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("at most " + BridgeEntry.MAX_DEFINITION_BYTES);
        byte[] notUtf8 = {'{', (byte) 0xC3, '}'};
        assertThatThrownBy(() -> decode(putBridge("b".getBytes(StandardCharsets.UTF_8), notUtf8)))
                .isInstanceOf(IOException.class).hasMessageContaining("UTF-8");
        assertThat(decode(putBridge("b", "{}")))
                .isEqualTo(new MetadataCommand.PutBridge(new BridgeEntry("b", "{}", true)));
    }

    private static MetadataCommand decode(byte[] buf) throws IOException {
        return MetadataCommand.decode(buf, 0, buf.length);
    }

    private static byte[] putBridge(String name, String definition) throws IOException {
        return putBridge(name.getBytes(StandardCharsets.UTF_8), definition.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] putBridge(byte[] name, byte[] definition) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(MetadataCommand.FORMAT);
        out.writeByte(MetadataCommand.PutBridge.TAG);
        out.writeInt(name.length);
        out.write(name);
        out.writeInt(definition.length);
        out.write(definition);
        out.writeBoolean(true);
        return bytes.toByteArray();
    }

    @Test
    void bridgesAreCreatedReplacedWholePausedAndRemovedByName() {
        Metadata m = new Metadata(); // bridges need no initialised generations
        BridgeEntry a = new BridgeEntry("a", "{\"v\":1}", false);
        BridgeEntry b = new BridgeEntry("b", "{\"v\":1}", false);
        assertThat(m.apply(new MetadataCommand.PutBridge(b)).isOk()).isTrue();
        assertThat(m.apply(new MetadataCommand.PutBridge(a)).isOk()).isTrue();
        assertThat(m.snapshot().bridges()).containsExactly(Map.entry("a", a), Map.entry("b", b));

        BridgeEntry a2 = new BridgeEntry("a", "{\"v\":2}", false);
        assertThat(m.apply(new MetadataCommand.PutBridge(a2)).isOk()).isTrue();
        assertThat(m.snapshot().bridges()).containsExactly(Map.entry("a", a2), Map.entry("b", b));

        BridgeEntry a2Paused = a2.withPaused(true);
        assertThat(m.apply(new MetadataCommand.PutBridge(a2Paused)).isOk()).isTrue();
        assertThat(m.snapshot().bridges().get("a")).isEqualTo(new BridgeEntry("a", "{\"v\":2}", true));
        assertThat(m.apply(new MetadataCommand.PutBridge(a2)).isOk()).isTrue();
        assertThat(m.snapshot().bridges().get("a").paused()).isFalse();

        assertThat(m.apply(new MetadataCommand.RemoveBridge("b")).isOk()).isTrue();
        assertThat(m.snapshot().bridges()).containsOnlyKeys("a");
        Outcome absent = m.apply(new MetadataCommand.RemoveBridge("b"));
        assertThat(absent.isOk()).isTrue();
        assertThat(m.apply(new MetadataCommand.RemoveBridge("never")).isOk()).isTrue();
        assertThat(m.snapshot().bridges()).containsExactly(Map.entry("a", a2));
        assertThat(m.applied()).isEqualTo(8);
    }

    @Test
    void aBridgeCommandWithoutABridgeIsMalformedAndChangesNothing() {
        Metadata m = new Metadata();
        m.apply(new MetadataCommand.PutBridge(new BridgeEntry("a", "{}", false)));
        Outcome o = m.apply(new MetadataCommand.PutBridge(null));
        assertThat(o.rejection()).isEqualTo(Rejection.MALFORMED);
        assertThat(o.applied()).isEqualTo(2);
        assertThat(m.snapshot().bridges()).containsOnlyKeys("a");
    }

    @Test
    void snapshotsKeepConsumersTheirPrincipalsAndBridgesInFormat4() throws IOException {
        Metadata m = initialised(3);
        m.apply(new MetadataCommand.AddTopic("a"));
        m.apply(new MetadataCommand.RegisterConsumer(
                new ConsumerRegistration("g", "c1", List.of("a"), "startFromLatest")));
        m.apply(new MetadataCommand.RegisterConsumer(
                new ConsumerRegistration("g", "c2", List.of("a"), "startFromLatest", "orders-app")));
        m.apply(new MetadataCommand.PutBridge(new BridgeEntry("in", "{\"topic\":\"a\"}", false)));
        String longest = "x".repeat(BridgeEntry.MAX_DEFINITION_BYTES); // more than writeUTF holds
        m.apply(new MetadataCommand.PutBridge(new BridgeEntry("out-🦀", longest, true)));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        m.writeTo(new DataOutputStream(bytes));
        assertThat(bytes.toByteArray()[0]).isEqualTo(Metadata.SNAPSHOT_FORMAT_PRINCIPALS);

        Metadata copy = new Metadata();
        copy.apply(new MetadataCommand.PutBridge(new BridgeEntry("stale", "{}", false))); // replaced
        copy.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(copy.snapshot()).isEqualTo(m.snapshot());
        assertThat(copy.snapshot().bridges()).containsOnlyKeys("in", "out-🦀");
        assertThat(copy.snapshot().bridges().get("out-🦀").paused()).isTrue();
        assertThat(copy.snapshot().consumers().get("c2").principal()).isEqualTo("orders-app");
        assertThat(copy.snapshot().consumers().get("c1").principal()).isNull();
    }

    @Test
    void aConsumerIdRegisteredByOnePrincipalCannotBeTakenByAnother() {
        Metadata m = initialised(3);
        ConsumerRegistration mine = new ConsumerRegistration("g", "c1", List.of("a"), "startFromLatest", "alice");
        assertThat(m.apply(new MetadataCommand.RegisterConsumer(mine)).isOk()).isTrue();
        Outcome stolen = m.apply(new MetadataCommand.RegisterConsumer(
                new ConsumerRegistration("h", "c1", List.of("b"), "startFromLatest", "mallory")));
        assertThat(stolen.rejection()).isEqualTo(Rejection.NOT_OWNER);
        Outcome anonymous = m.apply(new MetadataCommand.RegisterConsumer(
                new ConsumerRegistration("h", "c1", List.of("b"), "startFromLatest")));
        assertThat(anonymous.rejection()).isEqualTo(Rejection.NOT_OWNER);
        assertThat(m.snapshot().consumers().get("c1")).isEqualTo(mine);
        assertThat(m.apply(new MetadataCommand.RegisterConsumer(
                new ConsumerRegistration("g", "c1", List.of("a", "b"), "startFromLatest", "alice"))).isOk()).isTrue();
    }

    @Test
    void format2SnapshotsStillReadWithoutBridges() throws IOException {
        Generation g0 = new Generation(0, 3, 1, List.of(0, 1), Set.of(0, 1));
        Generation g1 = new Generation(1, 1, 1, List.of(1, 0), Set.of(1));
        ConsumerRegistration c = new ConsumerRegistration("g", "c1", List.of("t"), "startFromEarliest");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(2);       // format 2: consumers, no bridges
        out.writeLong(17);      // applied
        out.writeInt(2);        // brokers
        out.writeInt(4);        // ranges per broker
        out.writeInt(2);
        Outcome.writeGeneration(out, g0);
        Outcome.writeGeneration(out, g1);
        out.writeInt(1);
        out.writeUTF("t");
        out.writeInt(1);
        MetadataCommand.writeRegistration(out, c);

        Metadata m = new Metadata();
        m.apply(new MetadataCommand.PutBridge(new BridgeEntry("gone", "{}", false)));
        m.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(m.snapshot()).isEqualTo(new Metadata.Snapshot(2, 4, Map.of(0, g0, 1, g1), Set.of("t"), 17,
                Map.of("c1", c), Map.of()));
    }

    @Test
    void garbageDoesNotDecode() {
        byte[] ok = new MetadataCommand.AddTopic("x").encode();
        assertThatThrownBy(() -> MetadataCommand.decode(new byte[] {9, 1}, 0, 2)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> MetadataCommand.decode(new byte[] {1, 99}, 0, 2)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> MetadataCommand.decode(ok, 0, ok.length - 1)).isInstanceOf(IOException.class);
        byte[] trailing = java.util.Arrays.copyOf(ok, ok.length + 1);
        assertThatThrownBy(() -> MetadataCommand.decode(trailing, 0, trailing.length)).isInstanceOf(IOException.class);
    }
}
