package io.runnel.discovery.jgroups;

import io.runnel.discovery.BridgeEntry;
import io.runnel.discovery.Cluster;
import io.runnel.discovery.ClusterConfig;
import io.runnel.discovery.ClusterException;
import io.runnel.discovery.ClusterListener;
import io.runnel.discovery.ClusterState;
import io.runnel.discovery.ConsumerRegistration;
import io.runnel.discovery.Generation;
import io.runnel.discovery.MetadataRejectedException;
import io.runnel.discovery.NoQuorumException;
import io.runnel.discovery.TokenRing;

import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.election.BaseElection;
import org.jgroups.protocols.raft.RaftLeaderException;
import org.jgroups.raft.RaftHandle;
import org.jgroups.util.ExtendedUUID;
import org.jgroups.util.NameCache;
import org.jgroups.util.Util;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;

/*
 * Threads: JGroups delivers views and gossip on its own threads; jgroups-raft applies commands on its runner
 * thread. Both only update the published state under stateLock and hand work off: listeners run on the notifier
 * thread, proposal futures complete on the callbacks thread, and the controller runs on its own thread (every
 * 500 ms and whenever the view, the raft role or the metadata changes). Nothing here blocks a protocol thread.
 */

/** A broker's {@link Cluster} on JGroups membership and a jgroups-raft metadata state machine. */
public final class JGroupsCluster implements Cluster {
    // JGroups' logging facade: our lines go wherever JGroups' go (log4j2, slf4j or JUL, whichever is present).
    private static final Logger LOG = LoggerFactory.getLogger(JGroupsCluster.class);

    /** How long a proposal may take to commit and apply locally before it fails with {@link NoQuorumException}. */
    static final Duration PROPOSAL_TIMEOUT = Duration.ofSeconds(5);
    private static final long CONTROLLER_PERIOD_MS = 500;
    private static final long GOSSIP_PERIOD_MS = 250;
    /** First byte of the message a leaderless broker sends the view coordinator to ask for an election. */
    private static final byte ELECTION_REQUEST = 'E';

    private final ClusterConfig config;
    private final TokenRing ring;
    private final String name;
    private final ListenerNotifier notifier;
    private final ExecutorService callbacks;
    private final ScheduledExecutorService controllerThread;
    private final LogEndGossip logEnds;
    private final ConsumerActivityGossip activity;
    private volatile long consumerTimeoutNanos = -1; // off until evictSilentConsumers
    private final MetadataStateMachine stateMachine;
    private final JChannel channel;
    private final RaftHandle raft;
    private final BaseElection election;
    private final long leaderlessPatience;

    private final Object stateLock = new Object();
    private volatile ClusterState state;                                   // written under stateLock
    private long applied;                                                  // guarded by stateLock
    private final NavigableMap<Long, List<CompletableFuture<Void>>> appliedWaiters = new TreeMap<>(); // stateLock
    private final Set<Integer> everSeen = new HashSet<>();                // guarded by stateLock
    private volatile long connectingSince;
    private final Set<CompletableFuture<?>> pending = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    // Controller thread only.
    private final Map<Integer, CompletableFuture<Outcome>> inFlight = new HashMap<>();
    private boolean initInFlight;
    private final Set<String> removalsInFlight = new HashSet<>();
    private final Map<String, Long> consumerNoticed = new HashMap<>(); // consumer → nanoTime first seen registered
    private long leaderSince = -1;
    private boolean warnedPartialInit;
    private final AtomicBoolean evaluationQueued = new AtomicBoolean();
    private long leaderlessSince = -1;
    private long lastElectionRequest;

    private JGroupsCluster(ClusterConfig config) throws Exception {
        this.config = config;
        this.ring = new TokenRing(config.brokers(), config.rangesPerBroker());
        this.name = RunnelStack.raftId(config.ordinal());
        this.notifier = new ListenerNotifier("runnel-cluster-notifier-" + config.ordinal());
        this.callbacks = Executors.newSingleThreadExecutor(daemon("runnel-cluster-callbacks-" + config.ordinal()));
        this.controllerThread = Executors.newSingleThreadScheduledExecutor(
                daemon("runnel-controller-" + config.ordinal()));
        this.logEnds = new LogEndGossip(config.ordinal());
        this.activity = new ConsumerActivityGossip(config.ordinal());
        this.state = new ClusterState(config.brokers(), Map.of(), Set.of(), Set.of());
        this.stateMachine = new MetadataStateMachine(this::onMetadataChanged);
        this.channel = new JChannel(RunnelStack.protocols(config));
        channel.name(name);
        channel.setReceiver(new Receiver() {
            @Override
            public void viewAccepted(View view) {
                onView(view);
            }

            @Override
            public void receive(Message msg) {
                if (!msg.hasArray() || msg.getLength() == 0) {
                    return;
                }
                if (msg.getArray()[msg.getOffset()] == ELECTION_REQUEST && msg.getLength() == 9) {
                    long term = java.nio.ByteBuffer.wrap(msg.getArray(), msg.getOffset() + 1, 8).getLong();
                    onControllerThread(() -> onElectionRequest(msg.src(), term));
                } else if (!activity.receive(msg.getArray(), msg.getOffset(), msg.getLength())) {
                    logEnds.receive(msg.getArray(), msg.getOffset(), msg.getLength());
                }
            }
        });
        this.raft = new RaftHandle(channel, stateMachine);
        this.election = channel.getProtocolStack().getProtocols().stream()
                .filter(BaseElection.class::isInstance).map(BaseElection.class::cast).findFirst()
                .orElseThrow(() -> new IllegalStateException("no raft election protocol in the stack"));
        this.leaderlessPatience = Math.max(Duration.ofSeconds(2).toNanos(), 2 * config.failureTimeout().toNanos());
        raft.addRoleListener(role -> triggerController());
    }

    /**
     * Joins the cluster; blocks until connected. A broker restarting faster than the others notice its crash is
     * refused (its raft id is still in the view); it retries for a while.
     */
    public static JGroupsCluster start(ClusterConfig config) {
        Objects.requireNonNull(config, "config");
        try {
            Files.createDirectories(config.raftDir());
        } catch (IOException e) {
            throw new ClusterException("cannot create the raft directory " + config.raftDir() + ": " + e, e);
        }
        long patience = Math.max(Duration.ofSeconds(10).toNanos(), config.failureTimeout().toNanos() * 4);
        long deadline = System.nanoTime() + patience;
        while (true) {
            JGroupsCluster cluster;
            try {
                cluster = new JGroupsCluster(config);
            } catch (Exception e) {
                throw new ClusterException("cannot build the JGroups stack of broker " + config.ordinal()
                        + " on " + config.bindAddress() + ": " + e.getMessage(), e);
            }
            try {
                cluster.connect();
                return cluster;
            } catch (Exception e) {
                cluster.close();
                if (!joinRefused(e) || System.nanoTime() > deadline) {
                    throw new ClusterException("broker " + config.ordinal() + " cannot join cluster '"
                            + config.clusterName() + "' at " + config.members().get(config.ordinal()) + ": " + e, e);
                }
                LOG.info("broker {} was refused (its previous incarnation is still in"
                        + " the view); retrying", config.ordinal());
                // Back-off between join attempts, not synchronisation.
                LockSupport.parkNanos(config.failureTimeout().toNanos() / 2);
            }
        }
    }

    private static boolean joinRefused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SecurityException) {
                return true;
            }
        }
        return false;
    }

    private void connect() throws Exception {
        connectingSince = System.nanoTime();
        channel.connect(config.clusterName());
        controllerThread.scheduleWithFixedDelay(this::tick, CONTROLLER_PERIOD_MS, CONTROLLER_PERIOD_MS,
                TimeUnit.MILLISECONDS);
        controllerThread.scheduleWithFixedDelay(this::gossip, GOSSIP_PERIOD_MS, GOSSIP_PERIOD_MS,
                TimeUnit.MILLISECONDS);
        triggerController();
    }

    @Override
    public int ordinal() {
        return config.ordinal();
    }

    @Override
    public TokenRing ring() {
        return ring;
    }

    @Override
    public ClusterState state() {
        return state;
    }

    @Override
    public boolean ready() {
        return !closed.get() && state.initialized() && raft.leader() != null;
    }

    @Override
    public void addListener(ClusterListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (stateLock) {
            notifier.add(listener, state);
        }
    }

    @Override
    public void removeListener(ClusterListener listener) {
        notifier.remove(listener);
    }

    @Override
    public CompletableFuture<Generation> proposeIsr(int range, int version, Set<Integer> isr) {
        checkRange(range);
        Objects.requireNonNull(isr, "isr");
        return propose(new MetadataCommand.SetIsr(range, version, config.ordinal(), isr))
                .thenApply(Outcome::generation);
    }

    @Override
    public CompletableFuture<Generation> proposeLeader(int range, int version, int newLeader, Set<Integer> isr) {
        checkRange(range);
        Objects.requireNonNull(isr, "isr");
        return propose(new MetadataCommand.ChangeLeader(range, version, newLeader, isr)).thenApply(Outcome::generation);
    }

    @Override
    public CompletableFuture<Void> addTopic(String topic) {
        if (!Metadata.validTopicName(topic)) {
            throw new IllegalArgumentException("topic name '" + topic
                    + "' must be 1-249 characters of [a-zA-Z0-9._-], not '.' or '..'");
        }
        if (state.topics().contains(topic)) {
            return CompletableFuture.completedFuture(null);
        }
        return propose(new MetadataCommand.AddTopic(topic)).thenApply(o -> null);
    }

    @Override
    public void reportLogEnd(int range, long logEndSum) {
        checkRange(range);
        logEnds.reportOwn(range, logEndSum);
    }

    @Override
    public CompletableFuture<Void> registerConsumer(ConsumerRegistration registration) {
        Objects.requireNonNull(registration, "registration");
        if (registration.equals(state.consumers().get(registration.consumerId()))) {
            return CompletableFuture.completedFuture(null);
        }
        return propose(new MetadataCommand.RegisterConsumer(registration)).thenApply(o -> null);
    }

    @Override
    public CompletableFuture<Void> removeConsumer(String group, String consumerId) {
        ConsumerRegistration r = state.consumers().get(consumerId);
        if (r == null || !r.group().equals(group)) {
            return CompletableFuture.completedFuture(null);
        }
        return propose(new MetadataCommand.RemoveConsumer(group, consumerId)).thenApply(o -> null);
    }

    @Override
    public CompletableFuture<Void> putBridge(BridgeEntry entry) {
        Objects.requireNonNull(entry, "entry");
        return propose(new MetadataCommand.PutBridge(entry)).thenApply(o -> null);
    }

    @Override
    public CompletableFuture<Void> removeBridge(String name) {
        Metadata.checkBridgeName(name);
        return propose(new MetadataCommand.RemoveBridge(name)).thenApply(o -> null);
    }

    @Override
    public void reportConsumerActivity(String consumerId, long silentForMillis) {
        activity.reportOwn(consumerId, silentForMillis);
    }

    @Override
    public void evictSilentConsumers(Duration timeout) {
        consumerTimeoutNanos = timeout.toNanos();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        controllerThread.shutdownNow();
        Util.close(channel); // a graceful leave: the others install a new view at once
        ClusterException ex = new ClusterException("the cluster instance of broker " + config.ordinal()
                + " is closed");
        pending.forEach(f -> f.completeExceptionally(ex));
        // Completed outside the lock and from a copy: a waiter's callback removes itself from these lists.
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        synchronized (stateLock) {
            appliedWaiters.values().forEach(waiting::addAll);
            appliedWaiters.clear();
        }
        waiting.forEach(f -> f.completeExceptionally(ex));
        notifier.close();
        callbacks.shutdown();
    }

    @Override
    public String toString() {
        return "JGroupsCluster[" + name + ", " + config.members().get(config.ordinal()) + "]";
    }

    // ---- for tests in this package

    JChannel channel() {
        return channel;
    }

    RaftHandle raftHandle() {
        return raft;
    }

    boolean isRaftLeader() {
        return raft.isLeader();
    }

    LogEndGossip logEndsForTest() {
        return logEnds;
    }

    // ---- state publication

    private void onMetadataChanged(Metadata.Snapshot snapshot) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        synchronized (stateLock) {
            state = new ClusterState(config.brokers(), snapshot.generations(), state.live(), snapshot.topics(),
                    snapshot.consumers(), snapshot.bridges());
            applied = snapshot.applied();
            notifier.publish(state);
            NavigableMap<Long, List<CompletableFuture<Void>>> reached = appliedWaiters.headMap(applied, true);
            reached.values().forEach(done::addAll);
            reached.clear();
        }
        done.forEach(f -> complete(f, null));
        triggerController();
    }

    private void onView(View view) {
        Set<Integer> live = new TreeSet<>();
        for (Address member : view.getMembers()) {
            int o = ordinalOf(member);
            if (o >= 0 && o < config.brokers()) {
                live.add(o);
            }
        }
        LOG.info("{}: view {} (live brokers {})", name, view, live);
        synchronized (stateLock) {
            everSeen.addAll(live);
            state = state.withLive(live);
            notifier.publish(state);
        }
        logEnds.viewChanged(live);
        triggerController();
    }

    private static int ordinalOf(Address member) {
        if (member instanceof ExtendedUUID uuid) {
            byte[] id = uuid.get(RAFT.raft_id_key);
            if (id != null) {
                return RunnelStack.ordinalOf(Util.bytesToString(id));
            }
        }
        return RunnelStack.ordinalOf(NameCache.get(member));
    }

    // ---- proposals

    private CompletableFuture<Outcome> propose(MetadataCommand command) {
        CompletableFuture<Outcome> out = new CompletableFuture<>();
        if (closed.get()) {
            out.completeExceptionally(new ClusterException("the cluster instance is closed"));
            return out;
        }
        pending.add(out);
        out.whenComplete((o, e) -> pending.remove(out));
        byte[] buf = command.encode();
        CompletableFuture<byte[]> raw;
        try {
            raw = raft.setAsync(buf, 0, buf.length);
        } catch (Exception e) {
            fail(out, translate(e));
            return out;
        }
        // REDIRECT never times out a forwarded request whose raft leader died: bound it here.
        raw.orTimeout(PROPOSAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).whenComplete((rsp, err) -> {
            if (err != null) {
                fail(out, translate(err));
                return;
            }
            Outcome outcome;
            try {
                outcome = Outcome.decode(rsp);
            } catch (IOException e) {
                fail(out, new ClusterException("unreadable answer of the metadata state machine: " + e, e));
                return;
            }
            if (!outcome.isOk()) {
                fail(out, new MetadataRejectedException(outcome.rejection(), outcome.detail()));
                return;
            }
            awaitApplied(outcome.applied()).whenComplete((v, e) -> {
                if (e != null) {
                    fail(out, translate(e));
                } else {
                    complete(out, outcome);
                }
            });
        });
        return out;
    }

    /** Completes once the local replica applied {@code index} commands, so {@link #state()} shows the change. */
    private CompletableFuture<Void> awaitApplied(long index) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (stateLock) {
            if (applied >= index) {
                return CompletableFuture.completedFuture(null);
            }
            appliedWaiters.computeIfAbsent(index, k -> new ArrayList<>()).add(f);
        }
        f.orTimeout(PROPOSAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
            if (e != null) {
                synchronized (stateLock) {
                    List<CompletableFuture<Void>> l = appliedWaiters.get(index);
                    if (l != null && l.remove(f) && l.isEmpty()) {
                        appliedWaiters.remove(index);
                    }
                }
            }
        });
        return f;
    }

    private <T> void complete(CompletableFuture<T> f, T value) {
        try {
            callbacks.execute(() -> f.complete(value));
        } catch (RejectedExecutionException closing) {
            f.complete(value);
        }
    }

    private void fail(CompletableFuture<?> f, Throwable t) {
        try {
            callbacks.execute(() -> f.completeExceptionally(t));
        } catch (RejectedExecutionException closing) {
            f.completeExceptionally(t);
        }
    }

    private static Throwable translate(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof ClusterException) {
            return t;
        }
        if (t instanceof RaftLeaderException) {
            return new NoQuorumException("no raft leader is known, the metadata cannot change now: "
                    + t.getMessage(), t);
        }
        if (t instanceof TimeoutException) {
            return new NoQuorumException("the metadata change was not committed within " + PROPOSAL_TIMEOUT, t);
        }
        if (t instanceof IllegalStateException && String.valueOf(t.getMessage()).contains("leader")) {
            return new NoQuorumException("the raft leader changed during the proposal: " + t.getMessage(), t);
        }
        return new ClusterException("metadata proposal failed: " + t, t);
    }

    private void checkRange(int range) {
        if (range < 0 || range >= config.brokers()) {
            throw new IllegalArgumentException("range " + range + " outside 0.." + (config.brokers() - 1));
        }
    }

    // ---- controller (raft leader only) and gossip, on the controller thread

    private void triggerController() {
        if (closed.get() || !evaluationQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            controllerThread.execute(() -> {
                evaluationQueued.set(false);
                try {
                    evaluate();
                } catch (RuntimeException e) {
                    LOG.error(name + ": controller evaluation failed", e);
                }
            });
        } catch (RejectedExecutionException closing) {
            evaluationQueued.set(false);
        }
    }

    private void onControllerThread(Runnable task) {
        try {
            controllerThread.execute(task);
        } catch (RejectedExecutionException closing) {
            // closed
        }
    }

    private void tick() {
        try {
            checkRaftLiveness();
            evaluate();
        } catch (RuntimeException e) {
            LOG.error(name + ": controller tick failed", e);
        }
    }

    /**
     * jgroups-raft elects a leader only on view changes, and a follower silently drops the leader's messages if
     * its own term is higher (it started a vote as coordinator of a short-lived partial view while the cluster
     * formed). Such a broker stays leaderless until the next view change. If a broker has known no leader for a
     * while although its view holds a raft majority, it asks the view coordinator to run an election, whose new
     * term brings everyone together again.
     */
    private void checkRaftLiveness() {
        View view = channel.getView();
        if (closed.get() || view == null || raft.leader() != null || view.size() < raft.raft().majority()) {
            leaderlessSince = -1;
            return;
        }
        long now = System.nanoTime();
        if (leaderlessSince < 0) {
            leaderlessSince = now;
            return;
        }
        if (now - leaderlessSince < leaderlessPatience || now - lastElectionRequest < leaderlessPatience) {
            return;
        }
        lastElectionRequest = now;
        Address coordinator = view.getCoord();
        LOG.info("{}: no raft leader for {} ms although {} are in the view; asking {}"
                + " for an election", name, (now - leaderlessSince) / 1_000_000, view.size(), coordinator);
        long term = raft.currentTerm();
        if (coordinator.equals(channel.getAddress())) {
            onElectionRequest(coordinator, term);
        } else {
            byte[] request = java.nio.ByteBuffer.allocate(9).put(ELECTION_REQUEST).putLong(term).array();
            try {
                channel.send(new BytesMessage(coordinator, request));
            } catch (Exception e) {
                LOG.debug("{}: election request failed: {}", name, e);
            }
        }
    }

    /** On the view coordinator: elect again, in a term above the requester's so that it takes part. */
    private void onElectionRequest(Address from, long requesterTerm) {
        if (closed.get() || !channel.getAddress().equals(channel.getView().getCoord())) {
            return;
        }
        raft.raft().currentTerm(requesterTerm); // only ever moves forward; the election adds one
        if (election.runVotingThread()) {
            LOG.info("{}: running a raft election (term > {}) for {}", name,
                    requesterTerm, from);
        }
    }

    private void evaluate() {
        if (closed.get() || !raft.isLeader()) {
            leaderSince = -1;
            return;
        }
        if (leaderSince < 0) {
            leaderSince = System.nanoTime();
        }
        evictSilent(state);
        ClusterState s = state;
        if (!s.initialized()) {
            if (!s.generations().isEmpty()) {
                if (!warnedPartialInit) {
                    warnedPartialInit = true;
                    LOG.error("{}: the stored metadata has ranges {}, but the"
                            + " configured cluster has {} brokers; the controller does nothing",
                            name, s.generations().keySet(), config.brokers());
                }
                return;
            }
            if (!initInFlight) {
                initInFlight = true;
                LOG.info("{}: initialising generations of {} ranges", name,
                        config.brokers());
                propose(new MetadataCommand.InitGenerations(config.brokers(), config.rangesPerBroker()))
                        .whenComplete((o, e) -> onControllerThread(() -> {
                            initInFlight = false;
                            triggerController();
                        }));
            }
            return;
        }
        Set<Integer> seen;
        synchronized (stateLock) {
            seen = Set.copyOf(everSeen);
        }
        boolean formed = System.nanoTime() - connectingSince >= config.formationGrace().toNanos();
        Set<Integer> live = s.live();
        IntPredicate down = b -> !live.contains(b) && (seen.contains(b) || formed);
        for (MetadataCommand command : Controller.plan(s, down, logEnds, inFlight.keySet())) {
            int range = switch (command) {
                case MetadataCommand.ChangeLeader c -> c.range();
                case MetadataCommand.RemoveFromIsr c -> c.range();
                default -> throw new IllegalStateException("controller planned " + command);
            };
            LOG.info("{}: controller proposes {} (current {}, live {}, seen {}{})", name, command,
                    s.generation(range), live, seen, formed ? ", formed" : "");
            CompletableFuture<Outcome> f = propose(command);
            inFlight.put(range, f);
            f.whenComplete((o, e) -> {
                if (e != null) {
                    LOG.info("{}: {} failed: {}", name, command, e.getMessage());
                }
                onControllerThread(() -> {
                    inFlight.remove(range, f);
                    triggerController();
                });
            });
        }
    }

    /**
     * Removes consumers whose newest activity seen by any broker is older than the consumer timeout. A consumer
     * nobody reported yet counts from when this controller first saw it registered (or became raft leader).
     */
    private void evictSilent(ClusterState s) {
        long timeout = consumerTimeoutNanos;
        Map<String, ConsumerRegistration> consumers = s.consumers();
        consumerNoticed.keySet().retainAll(consumers.keySet());
        activity.retain(consumers.keySet());
        if (timeout < 0) {
            return;
        }
        long now = System.nanoTime();
        for (ConsumerRegistration r : consumers.values()) {
            long noticed = consumerNoticed.computeIfAbsent(r.consumerId(), k -> now);
            long last = Math.max(activity.newest(r.consumerId()), Math.max(noticed, leaderSince));
            if (now - last < timeout || !removalsInFlight.add(r.consumerId())) {
                continue;
            }
            LOG.info("{}: controller removes consumer {} of group {}, silent for {} ms", name, r.consumerId(),
                    r.group(), (now - last) / 1_000_000);
            propose(new MetadataCommand.RemoveConsumer(r.group(), r.consumerId())).whenComplete((o, e) ->
                    onControllerThread(() -> removalsInFlight.remove(r.consumerId())));
        }
    }

    private void gossip() {
        byte[] seen = activity.takeOutgoing();
        if (seen != null && !closed.get() && channel.isConnected()) {
            try {
                channel.send(new BytesMessage(null, seen).setFlag(Message.TransientFlag.DONT_LOOPBACK));
            } catch (Exception e) {
                LOG.debug("{}: consumer activity gossip failed: {}", name, e);
            }
        }
        byte[] reports = logEnds.takeOutgoing();
        if (reports == null || closed.get() || !channel.isConnected()) {
            return;
        }
        try {
            channel.send(new BytesMessage(null, reports).setFlag(Message.TransientFlag.DONT_LOOPBACK));
        } catch (Exception e) {
            LOG.debug("{}: log end gossip failed: {}", name, e);
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String threadName) {
        return r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        };
    }
}
