package io.runnel.benchmarks.sidebyside;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Turns the side-by-side script's manifest into one markdown table (stdout and {@code --md FILE})
 * and one PNG chart ({@code --png FILE}, see {@link SideBySideChart}).
 *
 * <p>The manifest has one tab-separated line per system/setting/size: {@code system setting size
 * full.json half.json brokerCpuFull rssMiB[,rssMiB...]}, where the JSON files are results of the
 * Runnel load generator or of {@link KafkaBench} (the same shape).
 */
public final class SideBySideReport {
    private SideBySideReport() {
    }

    public static void main(String[] args) throws IOException {
        Path manifest = null;
        Path md = null;
        Path png = null;
        String title = "Runnel vs Apache Kafka, 3 brokers";
        String notes = "";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--manifest" -> manifest = Path.of(args[i + 1]);
                case "--md" -> md = Path.of(args[i + 1]);
                case "--png" -> png = Path.of(args[i + 1]);
                case "--title" -> title = args[i + 1];
                case "--notes" -> notes = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (manifest == null) {
            System.err.println("usage: SideBySideReport --manifest FILE [--md FILE] [--png FILE] [--title T] [--notes TEXT]");
            System.exit(2);
        }
        List<SideBySideRow> rows = read(manifest);
        String table = markdown(rows, title, notes);
        System.out.print(table);
        if (md != null) {
            Files.writeString(md, table, StandardCharsets.UTF_8);
        }
        if (png != null) {
            SideBySideChart.write(rows, title, png);
        }
    }

    /** Reads the manifest and the JSON results it names. */
    public static List<SideBySideRow> read(Path manifest) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<SideBySideRow> rows = new ArrayList<>();
        for (String line : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length < 7) {
                throw new IOException("manifest line needs 7 tab-separated fields: " + line);
            }
            JsonNode full = produceSide(json, Path.of(f[3]));
            JsonNode half = produceSide(json, Path.of(f[4]));
            double clientCpu = 0;
            if (Files.exists(Path.of(f[3]))) {
                clientCpu = json.readTree(Path.of(f[3]).toFile()).path("clientCpuCores").asDouble();
            }
            List<Integer> rss = f[6].isBlank() ? List.of()
                    : Arrays.stream(f[6].split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Integer::valueOf).toList();
            rows.add(new SideBySideRow(f[0], f[1], Integer.parseInt(f[2]),
                    full.path("eventsPerSecond").asDouble(), full.path("megabytesPerSecond").asDouble(),
                    full.path("p50Ms").asDouble(), full.path("p99Ms").asDouble(), full.path("p999Ms").asDouble(),
                    half.path("eventsPerSecond").asDouble(), half.path("p99Ms").asDouble(),
                    errors(full) + errors(half), parse(f[5]), clientCpu, rss));
        }
        return rows;
    }

    private static JsonNode produceSide(ObjectMapper json, Path file) throws IOException {
        if (!Files.exists(file)) {
            return json.createObjectNode();
        }
        return json.readTree(file.toFile()).path("produce");
    }

    private static long errors(JsonNode side) {
        long n = 0;
        for (Iterator<JsonNode> it = side.path("errors").elements(); it.hasNext(); ) {
            n += it.next().asLong();
        }
        return n;
    }

    private static double parse(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The markdown table of all rows plus, per size, Runnel's ratio to each Kafka setting. */
    public static String markdown(List<SideBySideRow> rows, String title, String notes) {
        StringBuilder b = new StringBuilder();
        b.append("## ").append(title).append("\n\n");
        if (!notes.isBlank()) {
            b.append(notes.strip()).append("\n\n");
        }
        b.append("| system | durability | event | events/s | MB/s | p50 ms | p99 ms | p99.9 ms | half rate (events/s) | p99 ms at half rate | brokers' CPU (cores) | load gen CPU | peak RSS per broker (MiB) | errors |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|\n");
        for (SideBySideRow r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.1f | %s | %s | %s | %s | %s | %.2f | %.2f | %s | %d |%n",
                    r.system(), r.setting(), bytes(r.size()), count(r.eventsPerSecond()), r.megabytesPerSecond(),
                    ms(r.p50Ms()), ms(r.p99Ms()), ms(r.p999Ms()), count(r.halfRate()), ms(r.halfP99Ms()),
                    r.brokerCpuCores(), r.clientCpuCores(),
                    r.peakRssMiB().isEmpty() ? "?" : r.peakRssMiB().toString().replaceAll("[\\[\\]]", "").replace(",", " /"),
                    r.errors()));
        }
        b.append("\nRatio Runnel / Kafka (throughput: above 1 means Runnel is faster; latency and RSS: below 1 means Runnel is lower):\n\n");
        b.append("| event | vs Kafka | events/s | p50 | p99 | p99.9 | p99 at half rate | peak RSS (largest broker) |\n");
        b.append("|---:|---|---:|---:|---:|---:|---:|---:|\n");
        for (SideBySideRow runnel : rows) {
            if (!runnel.isRunnel()) {
                continue;
            }
            for (SideBySideRow kafka : rows) {
                if (kafka.isRunnel() || kafka.size() != runnel.size()) {
                    continue;
                }
                b.append(String.format(Locale.ROOT, "| %s | %s | **%s** | %s | %s | %s | %s | %s |%n",
                        bytes(runnel.size()), kafka.setting(),
                        ratio(runnel.eventsPerSecond(), kafka.eventsPerSecond()),
                        ratio(runnel.p50Ms(), kafka.p50Ms()), ratio(runnel.p99Ms(), kafka.p99Ms()),
                        ratio(runnel.p999Ms(), kafka.p999Ms()), ratio(runnel.halfP99Ms(), kafka.halfP99Ms()),
                        ratio(runnel.maxRssMiB(), kafka.maxRssMiB())));
            }
        }
        return b.toString();
    }

    static String bytes(int size) {
        return size % 1024 == 0 ? size / 1024 + " KiB" : size + " B";
    }

    private static String count(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }

    private static String ratio(double a, double b) {
        if (a <= 0 || b <= 0) {
            return "–";
        }
        return String.format(Locale.ROOT, "%.2f×", a / b);
    }
}
