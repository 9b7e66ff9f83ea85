package io.runnel.benchmarks.loadgen;

import java.util.Map;

/**
 * Everything a run measured.
 *
 * @param settings  the options that shape the numbers (connections, batch, size, keys, rate, …)
 * @param transport {@code epoll} or {@code nio}
 * @param clientCpuCores CPU the load generator itself used over the run, in cores (1.0 = one core busy)
 * @param produce   producer results, or {@code null} when not producing
 * @param consume   consumer results, or {@code null} when not consuming
 */
public record RunResult(Map<String, Object> settings, String transport, double clientCpuCores, SideSummary produce, SideSummary consume) {
    /** Successful work was done: some request was acknowledged or some poll answered. */
    public boolean anySuccess() {
        return (produce != null && produce.requests() > 0) || (consume != null && consume.requests() > 0);
    }
}
