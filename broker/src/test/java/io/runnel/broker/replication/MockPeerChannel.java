package io.runnel.broker.replication;

import io.runnel.broker.cluster.transport.ClusterMessage;
import io.runnel.broker.cluster.transport.PeerChannel;
import io.runnel.broker.cluster.transport.PeerUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;

/**
 * A {@link PeerChannel} that records what is sent (as Kafka's {@code MockNetworkChannel} does): fire-and-forget
 * messages in {@link #sent}, requests in {@link #requests} with a future the test completes. No sockets, no
 * threads; a disconnected channel sends nothing.
 */
final class MockPeerChannel implements PeerChannel {
    private final int peer;
    private long ids;
    boolean connected = true;
    /** Messages sent with {@link #send}, in order. */
    final List<ClusterMessage> sent = new ArrayList<>();
    /** Requests not answered yet, by id, in order. */
    final Map<Long, Pending> requests = new LinkedHashMap<>();

    record Pending(ClusterMessage request, CompletableFuture<ClusterMessage> answer) {
    }

    MockPeerChannel(int peer) {
        this.peer = peer;
    }

    @Override
    public int peer() {
        return peer;
    }

    @Override
    public boolean connected() {
        return connected;
    }

    @Override
    public long nextRequestId() {
        return ++ids;
    }

    @Override
    public boolean send(ClusterMessage message) {
        if (!connected) {
            return false;
        }
        sent.add(message);
        return true;
    }

    @Override
    public CompletableFuture<ClusterMessage> request(LongFunction<? extends ClusterMessage> build, Duration timeout) {
        CompletableFuture<ClusterMessage> answer = new CompletableFuture<>();
        if (!connected) {
            answer.completeExceptionally(new PeerUnavailableException(peer, "not connected"));
            return answer;
        }
        long id = nextRequestId();
        requests.put(id, new Pending(build.apply(id), answer));
        return answer;
    }

    /** The oldest unanswered request of type {@code type}, taken out of {@link #requests}. */
    <T extends ClusterMessage> Pending take(Class<T> type) {
        for (var it = requests.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (type.isInstance(p.request())) {
                it.remove();
                return p;
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " request to broker " + peer + "; pending: " + requests.values());
    }

    /** The messages of type {@code type} sent so far, taken out of {@link #sent}. */
    <T extends ClusterMessage> List<T> drain(Class<T> type) {
        List<T> out = new ArrayList<>();
        for (var it = sent.iterator(); it.hasNext(); ) {
            ClusterMessage m = it.next();
            if (type.isInstance(m)) {
                out.add(type.cast(m));
                it.remove();
            }
        }
        return out;
    }
}
