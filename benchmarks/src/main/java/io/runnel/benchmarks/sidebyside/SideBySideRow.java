package io.runnel.benchmarks.sidebyside;

import java.util.List;

/**
 * One system/setting/event-size line of the side-by-side table.
 *
 * @param system         {@code Runnel} or {@code Kafka}
 * @param setting        durability setting, e.g. {@code fsync=always} or {@code flush.messages=1}
 * @param size           event bytes
 * @param eventsPerSecond acknowledged events/s at full speed
 * @param megabytesPerSecond event bytes/s / 10⁶ at full speed
 * @param p50Ms          full-speed latency, from the actual send
 * @param p99Ms          full-speed p99
 * @param p999Ms         full-speed p99.9
 * @param halfRate       the fixed rate of the second run (half of {@link #eventsPerSecond})
 * @param halfP99Ms      p99 at that rate, from the intended send time
 * @param errors         failed requests over both runs
 * @param brokerCpuCores CPU of all brokers together during the full-speed run, in cores
 * @param clientCpuCores CPU of the load generator during the full-speed run
 * @param peakRssMiB     each broker's peak RSS (VmHWM) over the system's runs, in MiB
 */
public record SideBySideRow(
        String system,
        String setting,
        int size,
        double eventsPerSecond,
        double megabytesPerSecond,
        double p50Ms,
        double p99Ms,
        double p999Ms,
        double halfRate,
        double halfP99Ms,
        long errors,
        double brokerCpuCores,
        double clientCpuCores,
        List<Integer> peakRssMiB) {

    public SideBySideRow {
        peakRssMiB = List.copyOf(peakRssMiB);
    }

    /** Label used in the table and the chart, e.g. {@code Kafka flush.messages=1}. */
    public String label() {
        return system + " " + setting;
    }

    public boolean isRunnel() {
        return system.equalsIgnoreCase("runnel");
    }

    /** Largest peak RSS of the brokers, 0 when unknown. */
    public int maxRssMiB() {
        return peakRssMiB.stream().mapToInt(Integer::intValue).max().orElse(0);
    }
}
