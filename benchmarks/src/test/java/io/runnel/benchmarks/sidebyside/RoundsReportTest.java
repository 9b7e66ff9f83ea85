package io.runnel.benchmarks.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoundsReportTest {
    @TempDir
    Path dir;

    private String result(String name, double eventsPerSecond, double p99) throws Exception {
        Path f = dir.resolve(name + ".json");
        Files.writeString(f, "{\"produce\":{\"eventsPerSecond\":" + eventsPerSecond + ",\"p50Ms\":1,\"p99Ms\":" + p99
                + ",\"p999Ms\":" + (p99 * 2) + "}}", StandardCharsets.UTF_8);
        return f.toString();
    }

    private String line(String system, String setting, int round, int attempt, boolean kept, boolean busy, double eps)
            throws Exception {
        String full = result(system + setting.hashCode() + "-" + round + "-" + attempt + "-full", eps, 10);
        String half = result(system + setting.hashCode() + "-" + round + "-" + attempt + "-half", eps / 2, 5);
        return String.join("\t", "produce", system, setting, "200", "16", Integer.toString(round),
                Integer.toString(attempt), kept ? "1" : "0", busy ? "1" : "0", "0.95", "0.00", busy ? "0.80" : "0.05",
                "1.60", "280,281,282", full + " " + half);
    }

    @Test
    void ratiosArePerRoundAndTheirMedianLeadsWhileRepeatedBusyRoundsAreLeftOut() throws Exception {
        Path manifest = dir.resolve("manifest.tsv");
        Files.write(manifest, List.of("#header",
                line("Runnel", "fsync=always", 0, 0, true, false, 300_000),
                line("Kafka", "page cache (default)", 0, 0, true, false, 100_000),
                line("Runnel", "fsync=always", 1, 0, false, true, 30_000), // busy, repeated
                line("Runnel", "fsync=always", 1, 1, true, false, 200_000),
                line("Kafka", "page cache (default)", 1, 0, true, false, 50_000),
                line("Kafka", "page cache (default)", 2, 0, true, false, 80_000),
                line("Runnel", "fsync=always", 2, 0, true, false, 240_000)));
        List<RoundsReport.Run> runs = RoundsReport.read(manifest);
        String md = RoundsReport.markdown(runs, "benchmarks/bin/side-by-side", "notes");

        // Per round: 3.0, 4.0, 3.0; median 3.00. The busy 30k round counts nowhere but the round table.
        assertThat(md).contains("**Runnel / Kafka page cache (default): 3.00× (events/s, median of 3 per-round ratios: 3.00, 4.00, 3.00)**");
        assertThat(md).contains("| Runnel | fsync=always | **240,000** (200,000–300,000) |");
        assertThat(md).contains("| 3 (1) |");
        assertThat(md).contains("30,000*").contains("no, repeated");
        assertThat(md.indexOf("**Runnel / Kafka")).isLessThan(md.indexOf("| system |"));
        assertThat(RoundsReport.medianRows(runs)).extracting(SideBySideRow::eventsPerSecond).containsExactly(240_000.0, 80_000.0);
    }
}
