package io.runnel.discovery.jgroups;

import io.runnel.discovery.ClusterListener;
import io.runnel.discovery.ClusterState;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/*
 * One thread per cluster instance delivers states in the order they were published, so listeners never see an
 * older state after a newer one and never run on a JGroups or raft thread that may hold protocol locks.
 * Callers publish while holding their state lock, which fixes the order; execute() never blocks.
 */

/** Delivers cluster states to listeners on a single notifier thread, in publication order. */
final class ListenerNotifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ListenerNotifier.class);

    private final List<ClusterListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService thread;

    ListenerNotifier(String threadName) {
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues {@code state} for every registered listener. */
    void publish(ClusterState state) {
        submit(() -> {
            for (ClusterListener l : listeners) {
                deliver(l, state);
            }
        });
    }

    /**
     * Registers {@code listener} and queues {@code current} for it alone; it receives every state published
     * after this call. The caller passes the state it last published so nothing is missed or reordered.
     */
    void add(ClusterListener listener, ClusterState current) {
        submit(() -> {
            listeners.add(listener);
            deliver(listener, current);
        });
    }

    void remove(ClusterListener listener) {
        listeners.remove(listener);
    }

    private void submit(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException closed) {
            // closed: nobody listens any more
        }
    }

    private static void deliver(ClusterListener l, ClusterState state) {
        try {
            l.onStateChanged(state);
        } catch (RuntimeException e) {
            LOG.warn("cluster listener " + l + " failed", e);
        }
    }

    /** Delivers what is queued, then stops the thread. */
    @Override
    public void close() {
        thread.shutdown();
    }
}
