package io.runnel.broker.testing;

import java.net.URI;

/**
 * A running Runnel as a test sees it, one broker or a cluster, in this JVM ({@code TestBroker},
 * {@code LocalCluster}, {@code RunnelNode}) or as child processes ({@code ClusterHarness}): the same questions and
 * the same faults whatever is behind them. HTTP goes through {@link TestHttp}.
 */
public interface RunnelCluster extends AutoCloseable {

    /** The number of brokers; ordinals are {@code 0..size()-1}. */
    int size();

    /** The discovery/admin API of broker {@code broker} ({@code pathAndQuery} starts with {@code /}). */
    URI discovery(int broker, String pathAndQuery);

    /** The producer API of broker {@code broker}. */
    URI producer(int broker, String pathAndQuery);

    /** The consumer API of broker {@code broker}. */
    URI consumer(int broker, String pathAndQuery);

    /** Whether broker {@code broker} runs (was started and has not been stopped or killed since). */
    boolean running(int broker);

    /** Starts broker {@code broker} again on its data directory and addresses (it must be down). */
    void start(int broker);

    /** Stops broker {@code broker} as a shutdown does: it hands the ranges it leads over first. */
    void stop(int broker);

    /** Stops broker {@code broker} as a crash does: nothing is handed over, the others fail its ranges over. */
    void kill(int broker);

    /**
     * Frees what the harness holds; brokers it owns stop (child processes belong to the test's
     * {@code BrokerProcesses}, which stops them after the test). A test's temporary directory stays.
     */
    @Override
    void close();
}
