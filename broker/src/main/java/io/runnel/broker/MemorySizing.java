package io.runnel.broker;

import io.netty.util.internal.PlatformDependent;
import io.runnel.broker.cluster.transport.ClusterFrames;
import io.runnel.broker.config.BrokerConfig;
import io.runnel.broker.config.Option;

/**
 * Checks at start that the JVM's direct memory holds what the settings let clients and peers make the broker
 * hold: the budget of bytes in flight ({@code max-in-flight-mb}, by default half the direct memory), one poll
 * answer beyond it, and in a cluster a frame of the largest size being read from each peer connection. A broker
 * whose settings do not fit refuses to start and says what to change, rather than run out of direct memory
 * under load.
 */
final class MemorySizing {
    private static final long MIB = 1024 * 1024;

    private MemorySizing() {
    }

    /**
     * The budget of bytes in flight for {@code config} on this JVM.
     *
     * @throws IllegalStateException when the direct memory is too small for the settings
     */
    static long check(BrokerConfig config) {
        return check(config, PlatformDependent.maxDirectMemory());
    }

    /** The bound of produced bytes waiting for the disk or replicas: max-pending-mb, or a quarter of the heap. */
    static long pendingBytes(BrokerConfig config) {
        long configured = config.limits().maxPendingBytes();
        return configured > 0 ? configured : Math.max(config.maxBodyBytes(), Runtime.getRuntime().maxMemory() / 4);
    }

    static long check(BrokerConfig config, long directMemory) {
        long configured = config.limits().maxInFlightBytes();
        long budget = configured > 0 ? configured : directMemory / 2;
        long frames = config.clustered()
                // one frame being read on each connection to and from each peer
                ? 2L * (config.brokers().size() - 1) * ClusterFrames.maxFrameBytes(config.maxBodyBytes(), config.maxPollBytes())
                : 0;
        long needed = budget + config.maxPollBytes() + frames;
        if (budget < config.maxBodyBytes() || needed > directMemory) {
            throw new IllegalStateException("the JVM's direct memory (" + directMemory / MIB + " MiB) cannot hold what the"
                    + " settings allow: a budget of " + budget / MIB + " MiB in flight (" + Option.MAX_IN_FLIGHT_MB.names()
                    + ", at least one body of " + Option.MAX_BODY_BYTES.names() + "), a poll answer of "
                    + config.maxPollBytes() / MIB + " MiB (" + Option.MAX_POLL_BYTES.names() + ")"
                    + (frames > 0 ? " and " + frames / MIB + " MiB of cluster frames (derived from both)" : "")
                    + ", " + Math.max(needed, config.maxBodyBytes()) / MIB + " MiB in all. Give the JVM more"
                    + " (-XX:MaxDirectMemorySize in RUNNEL_JAVA_OPTS) or lower those settings");
        }
        return budget;
    }
}
