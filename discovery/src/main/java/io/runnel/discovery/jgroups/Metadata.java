package io.runnel.discovery.jgroups;

import io.runnel.discovery.BridgeEntry;
import io.runnel.discovery.ConsumerRegistration;
import io.runnel.discovery.Generation;
import io.runnel.discovery.Rejection;
import io.runnel.discovery.TokenRing;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/*
 * The deterministic heart of the metadata state machine: every replica applies the same commands in the same
 * order and must reach the same state, so nothing here reads clocks, the view or any other local fact. Not
 * thread-safe: MetadataStateMachine (or SingleNodeCluster) serialises access.
 */

/** The cluster metadata (generations, topics, consumer group members, bridges) and the rules that change it. */
final class Metadata {
    private static final byte SNAPSHOT_FORMAT = 1;
    /** Snapshot format with consumer registrations; format 1 snapshots are still read. */
    private static final byte SNAPSHOT_FORMAT_CONSUMERS = 2;
    /** Snapshot format with consumer registrations and bridges (written now); formats 1 and 2 are still read. */
    static final byte SNAPSHOT_FORMAT_BRIDGES = 3;
    /** Snapshot format whose consumer registrations name their principal (written now); 1 to 3 are still read. */
    static final byte SNAPSHOT_FORMAT_PRINCIPALS = 4;
    private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private int brokers;          // 0 until InitGenerations
    private int rangesPerBroker;  // 0 until InitGenerations
    private final SortedMap<Integer, Generation> generations = new TreeMap<>();
    private final SortedSet<String> topics = new TreeSet<>();
    private final SortedMap<String, ConsumerRegistration> consumers = new TreeMap<>();
    private final SortedMap<String, BridgeEntry> bridges = new TreeMap<>();
    private long applied;         // commands applied, rejected ones included

    /** An immutable copy of the metadata. */
    record Snapshot(int brokers, int rangesPerBroker, Map<Integer, Generation> generations, Set<String> topics,
                    long applied, Map<String, ConsumerRegistration> consumers, Map<String, BridgeEntry> bridges) {
        Snapshot(int brokers, int rangesPerBroker, Map<Integer, Generation> generations, Set<String> topics,
                 long applied) {
            this(brokers, rangesPerBroker, generations, topics, applied, Map.of(), Map.of());
        }

        Snapshot(int brokers, int rangesPerBroker, Map<Integer, Generation> generations, Set<String> topics,
                 long applied, Map<String, ConsumerRegistration> consumers) {
            this(brokers, rangesPerBroker, generations, topics, applied, consumers, Map.of());
        }
    }

    Snapshot snapshot() {
        return new Snapshot(brokers, rangesPerBroker, Collections.unmodifiableSortedMap(new TreeMap<>(generations)),
                Collections.unmodifiableSortedSet(new TreeSet<>(topics)), applied,
                Collections.unmodifiableSortedMap(new TreeMap<>(consumers)),
                Collections.unmodifiableSortedMap(new TreeMap<>(bridges)));
    }

    long applied() {
        return applied;
    }

    /** Whether a topic name follows Kafka's rule: 1–249 of {@code [a-zA-Z0-9._-]}, not "." or "..". */
    static boolean validTopicName(String name) {
        return name != null && TOPIC_NAME.matcher(name).matches() && !name.equals(".") && !name.equals("..");
    }

    /** Throws {@link IllegalArgumentException} unless {@code name} may name a bridge. */
    static void checkBridgeName(String name) {
        new BridgeEntry(name, "", false); // the entry's own rules for names
    }

    /** Applies one command; never throws. A command that cannot be decoded counts as applied and rejected. */
    Outcome apply(MetadataCommand command) {
        applied++;
        return switch (command) {
            case MetadataCommand.InitGenerations c -> init(c);
            case MetadataCommand.ChangeLeader c -> changeLeader(c);
            case MetadataCommand.SetIsr c -> setIsr(c);
            case MetadataCommand.RemoveFromIsr c -> removeFromIsr(c);
            case MetadataCommand.AddTopic c -> addTopic(c);
            case MetadataCommand.RegisterConsumer c -> registerConsumer(c.registration());
            case MetadataCommand.RemoveConsumer c -> removeConsumer(c);
            case MetadataCommand.PutBridge c -> putBridge(c.entry());
            case MetadataCommand.RemoveBridge c -> removeBridge(c.name());
        };
    }

    Outcome applyMalformed(String why) {
        applied++;
        return Outcome.rejected(applied, Rejection.MALFORMED, why);
    }

    private Outcome init(MetadataCommand.InitGenerations c) {
        if (!generations.isEmpty()) {
            return Outcome.rejected(applied, Rejection.ALREADY_INITIALIZED, "generations exist already");
        }
        TokenRing ring;
        try {
            ring = new TokenRing(c.brokers(), c.rangesPerBroker());
        } catch (IllegalArgumentException e) {
            return Outcome.rejected(applied, Rejection.MALFORMED, e.getMessage());
        }
        brokers = c.brokers();
        rangesPerBroker = c.rangesPerBroker();
        for (int range = 0; range < brokers; range++) {
            List<Integer> replicas = ring.replicaSet(range);
            generations.put(range, new Generation(range, 1, range, replicas, new HashSet<>(replicas)));
        }
        return Outcome.ok(applied, null);
    }

    private Outcome changeLeader(MetadataCommand.ChangeLeader c) {
        Generation g = generations.get(c.range());
        if (g == null) {
            return unknownRange(c.range());
        }
        if (g.version() != c.expectedVersion()) {
            return stale(g, c.expectedVersion());
        }
        if (!g.replicas().contains(c.newLeader())) {
            return Outcome.rejected(applied, Rejection.NOT_A_REPLICA,
                    "broker " + c.newLeader() + " is not a replica of range " + c.range() + " " + g.replicas());
        }
        if (!g.isr().contains(c.newLeader())) {
            return Outcome.rejected(applied, Rejection.LEADER_NOT_IN_SYNC,
                    "broker " + c.newLeader() + " is not in the ISR " + g.isr() + " of range " + c.range());
        }
        // Never add a member: the proposer may have decided on an ISR the range leader has shrunk since.
        Set<Integer> isr = new TreeSet<>(c.isr());
        isr.retainAll(g.isr());
        isr.add(c.newLeader());
        Generation next = new Generation(g.range(), g.version() + 1, c.newLeader(), g.replicas(), isr);
        generations.put(g.range(), next);
        return Outcome.ok(applied, next);
    }

    private Outcome setIsr(MetadataCommand.SetIsr c) {
        Generation g = generations.get(c.range());
        if (g == null) {
            return unknownRange(c.range());
        }
        if (g.version() != c.expectedVersion()) {
            return stale(g, c.expectedVersion());
        }
        if (c.proposer() != g.leader()) {
            return Outcome.rejected(applied, Rejection.NOT_LEADER,
                    "broker " + c.proposer() + " does not lead range " + c.range() + " (leader " + g.leader() + ")");
        }
        if (!g.replicas().containsAll(c.isr())) {
            return Outcome.rejected(applied, Rejection.NOT_A_REPLICA,
                    "isr " + c.isr() + " names brokers outside the replica set " + g.replicas());
        }
        if (!c.isr().contains(g.leader())) {
            return Outcome.rejected(applied, Rejection.ISR_WITHOUT_LEADER,
                    "isr " + c.isr() + " lacks the leader " + g.leader() + " of range " + c.range());
        }
        Generation next = new Generation(g.range(), g.version(), g.leader(), g.replicas(), c.isr());
        generations.put(g.range(), next);
        return Outcome.ok(applied, next);
    }

    private Outcome removeFromIsr(MetadataCommand.RemoveFromIsr c) {
        Generation g = generations.get(c.range());
        if (g == null) {
            return unknownRange(c.range());
        }
        if (g.version() != c.expectedVersion()) {
            return stale(g, c.expectedVersion());
        }
        Set<Integer> isr = new TreeSet<>(g.isr());
        isr.removeAll(c.brokers());
        isr.add(g.leader()); // the leader leaves only through a leader change
        Generation next = new Generation(g.range(), g.version(), g.leader(), g.replicas(), isr);
        generations.put(g.range(), next);
        return Outcome.ok(applied, next);
    }

    private Outcome addTopic(MetadataCommand.AddTopic c) {
        if (!validTopicName(c.name())) {
            return Outcome.rejected(applied, Rejection.MALFORMED, "invalid topic name '" + c.name() + "'");
        }
        topics.add(c.name());
        return Outcome.ok(applied, null);
    }

    private Outcome registerConsumer(ConsumerRegistration r) {
        if (r.group().isEmpty() || r.consumerId().isEmpty() || r.topics().isEmpty()
                || !r.topics().stream().allMatch(Metadata::validTopicName)) {
            return Outcome.rejected(applied, Rejection.MALFORMED, "invalid consumer registration " + r);
        }
        ConsumerRegistration old = consumers.get(r.consumerId());
        if (old != null && old.principal() != null && !old.principal().equals(r.principal())) {
            return Outcome.rejected(applied, Rejection.NOT_OWNER, "consumer '" + r.consumerId()
                    + "' is registered by another principal");
        }
        consumers.put(r.consumerId(), r); // idempotent; a new group or topics replace the old registration
        return Outcome.ok(applied, null);
    }

    private Outcome removeConsumer(MetadataCommand.RemoveConsumer c) {
        ConsumerRegistration r = consumers.get(c.consumerId());
        if (r != null && r.group().equals(c.group())) {
            consumers.remove(c.consumerId());
        }
        return Outcome.ok(applied, null); // removing an absent consumer succeeds: it is gone either way
    }

    private Outcome putBridge(BridgeEntry b) {
        if (b == null) {
            return Outcome.rejected(applied, Rejection.MALFORMED, "a bridge command without a bridge");
        }
        bridges.put(b.name(), b); // creates, or replaces the definition and the paused flag
        return Outcome.ok(applied, null);
    }

    private Outcome removeBridge(String name) {
        bridges.remove(name);
        return Outcome.ok(applied, null); // removing an absent bridge succeeds: it is gone either way
    }

    private Outcome unknownRange(int range) {
        return Outcome.rejected(applied, Rejection.UNKNOWN_RANGE,
                generations.isEmpty() ? "the metadata is not initialised yet" : "range " + range + " does not exist");
    }

    private Outcome stale(Generation g, int expected) {
        return Outcome.rejected(applied, Rejection.STALE_VERSION,
                "range " + g.range() + " is at version " + g.version() + ", not " + expected);
    }

    /** Writes the whole metadata (raft snapshots). */
    void writeTo(DataOutput out) throws IOException {
        out.writeByte(SNAPSHOT_FORMAT_PRINCIPALS);
        out.writeLong(applied);
        out.writeInt(brokers);
        out.writeInt(rangesPerBroker);
        out.writeInt(generations.size());
        for (Generation g : generations.values()) {
            Outcome.writeGeneration(out, g);
        }
        out.writeInt(topics.size());
        for (String t : topics) {
            out.writeUTF(t);
        }
        out.writeInt(consumers.size());
        for (ConsumerRegistration r : consumers.values()) {
            MetadataCommand.writeRegistration(out, r);
            out.writeBoolean(r.principal() != null);
            if (r.principal() != null) {
                out.writeUTF(r.principal());
            }
        }
        out.writeInt(bridges.size());
        for (BridgeEntry b : bridges.values()) {
            MetadataCommand.writeBridge(out, b);
        }
    }

    /** Replaces the whole metadata with what {@link #writeTo} wrote. */
    void readFrom(DataInput in) throws IOException {
        byte format = in.readByte();
        if (format < SNAPSHOT_FORMAT || format > SNAPSHOT_FORMAT_PRINCIPALS) {
            throw new IOException("unknown metadata snapshot format " + format);
        }
        long newApplied = in.readLong();
        int newBrokers = in.readInt();
        int newRanges = in.readInt();
        SortedMap<Integer, Generation> gens = new TreeMap<>();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            Generation g = Outcome.readGeneration(in);
            gens.put(g.range(), g);
        }
        SortedSet<String> newTopics = new TreeSet<>();
        int t = in.readInt();
        for (int i = 0; i < t; i++) {
            newTopics.add(in.readUTF());
        }
        SortedMap<String, ConsumerRegistration> newConsumers = new TreeMap<>();
        if (format >= SNAPSHOT_FORMAT_CONSUMERS) {
            int c = in.readInt();
            for (int i = 0; i < c; i++) {
                ConsumerRegistration r = MetadataCommand.readRegistration(in);
                if (format >= SNAPSHOT_FORMAT_PRINCIPALS && in.readBoolean()) {
                    r = MetadataCommand.owned(r, in.readUTF());
                }
                newConsumers.put(r.consumerId(), r);
            }
        }
        SortedMap<String, BridgeEntry> newBridges = new TreeMap<>();
        if (format >= SNAPSHOT_FORMAT_BRIDGES) {
            int b = in.readInt();
            for (int i = 0; i < b; i++) {
                BridgeEntry bridge = MetadataCommand.readBridge(in);
                newBridges.put(bridge.name(), bridge);
            }
        }
        applied = newApplied;
        brokers = newBrokers;
        rangesPerBroker = newRanges;
        generations.clear();
        generations.putAll(gens);
        topics.clear();
        topics.addAll(newTopics);
        consumers.clear();
        consumers.putAll(newConsumers);
        bridges.clear();
        bridges.putAll(newBridges);
    }
}
