package io.runnel.benchmarks.sidebyside;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * The report of {@code benchmarks/bin/side-by-side}'s interleaved rounds: for each system (a cell) the median and
 * spread (min–max) over its kept rounds, and the median of the per-round ratios Runnel / Kafka, where both figures
 * of a ratio come from the same round. Writes markdown ({@code --md}) and, for the produce workload, the chart of
 * the medians ({@code --png}, {@link SideBySideChart}).
 *
 * <p>The manifest has one tab-separated line per cell run: {@code workload system setting size lanes round attempt
 * kept busy idleBefore stealBefore othersCores brokerCpu rss files}, where {@code files} are the run's JSON results
 * (the load generator's shape) separated by spaces: produce {@code full half}; read {@code cold cached fill}; e2e
 * {@code full e2e}. Only kept runs count; a busy run that was repeated is listed in the round table only.
 */
public final class RoundsReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RoundsReport() {
    }

    /** One cell run (one system in one round). */
    record Run(String workload, String system, String setting, int size, int lanes, int round, int attempt, boolean kept,
               boolean busy, double idleBefore, double stealBefore, double othersCores, double brokerCpu,
               List<Integer> rss, List<JsonNode> results) {
        String label() {
            return system + " " + setting;
        }

        boolean runnel() {
            return system.equalsIgnoreCase("runnel");
        }

        /** The {@code side} ("produce"/"consume") of result file {@code i}. */
        JsonNode side(int i, String side) {
            return i < results.size() ? results.get(i).path(side) : JSON.createObjectNode();
        }

        double value(int i, String side, String field) {
            return side(i, side).path(field).asDouble(0);
        }
    }

    /** A figure of the report: how to read it from a run, and how to show it. */
    record Metric(String name, ToDoubleFunction<Run> get, boolean latency) {
    }

    public static void main(String[] args) throws IOException {
        Path manifest = null;
        Path md = null;
        Path png = null;
        String notes = "";
        String command = "";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--manifest" -> manifest = Path.of(args[i + 1]);
                case "--md" -> md = Path.of(args[i + 1]);
                case "--png" -> png = Path.of(args[i + 1]);
                case "--notes" -> notes = args[i + 1];
                case "--command" -> command = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (manifest == null) {
            System.err.println("usage: RoundsReport --manifest FILE [--md FILE] [--png FILE] [--command CMD] [--notes TEXT]");
            System.exit(2);
        }
        List<Run> runs = read(manifest);
        String text = markdown(runs, command, notes);
        System.out.print(text);
        if (md != null) {
            Files.writeString(md, text, StandardCharsets.UTF_8);
        }
        if (png != null && !runs.isEmpty() && runs.get(0).workload().equals("produce")) {
            SideBySideChart.write(medianRows(runs), "Runnel vs Apache Kafka, 3 brokers (medians of interleaved rounds)", png);
        }
    }

    static List<Run> read(Path manifest) throws IOException {
        List<Run> runs = new ArrayList<>();
        for (String line : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length < 15) {
                throw new IOException("manifest line needs 15 tab-separated fields: " + line);
            }
            List<JsonNode> results = new ArrayList<>();
            for (String file : f[14].trim().split(" +")) {
                Path p = Path.of(file);
                results.add(!file.isEmpty() && Files.exists(p) ? JSON.readTree(p.toFile()) : JSON.createObjectNode());
            }
            List<Integer> rss = f[13].isBlank() ? List.of()
                    : Arrays.stream(f[13].split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Integer::valueOf).toList();
            runs.add(new Run(f[0], f[1], f[2], Integer.parseInt(f[3]), Integer.parseInt(f[4]), Integer.parseInt(f[5]),
                    Integer.parseInt(f[6]), f[7].equals("1"), f[8].equals("1"), num(f[9]), num(f[10]), num(f[11]),
                    num(f[12]), rss, results));
        }
        return runs;
    }

    /** The figures of a workload; the first is the one the ratio line is about. */
    static List<Metric> metrics(String workload) {
        return switch (workload) {
            case "read" -> List.of(
                    new Metric("events/s read, cold", r -> r.value(0, "consume", "eventsPerSecond"), false),
                    new Metric("events/s read, cached", r -> r.value(1, "consume", "eventsPerSecond"), false),
                    new Metric("events/s written (fill)", r -> r.value(2, "produce", "eventsPerSecond"), false),
                    new Metric("duplicates", r -> r.value(0, "consume", "duplicateEvents") + r.value(1, "consume", "duplicateEvents"), false));
            case "e2e" -> List.of(
                    new Metric("end-to-end p99 ms", r -> r.value(1, "consume", "p99Ms"), true),
                    new Metric("end-to-end p50 ms", r -> r.value(1, "consume", "p50Ms"), true),
                    new Metric("end-to-end p99.9 ms", r -> r.value(1, "consume", "p999Ms"), true),
                    new Metric("rate (events/s)", r -> r.value(1, "produce", "eventsPerSecond"), false),
                    new Metric("produce p99 ms", r -> r.value(1, "produce", "p99Ms"), true),
                    new Metric("events read", r -> r.value(1, "consume", "events"), false));
            default -> List.of(
                    new Metric("events/s", r -> r.value(0, "produce", "eventsPerSecond"), false),
                    new Metric("p50 ms", r -> r.value(0, "produce", "p50Ms"), true),
                    new Metric("p99 ms", r -> r.value(0, "produce", "p99Ms"), true),
                    new Metric("p99.9 ms", r -> r.value(0, "produce", "p999Ms"), true),
                    new Metric("half rate (events/s)", r -> r.value(1, "produce", "eventsPerSecond"), false),
                    new Metric("p99 ms at half rate", r -> r.value(1, "produce", "p99Ms"), true),
                    new Metric("p99.9 ms at half rate", r -> r.value(1, "produce", "p999Ms"), true));
        };
    }

    static String markdown(List<Run> runs, String command, String notes) {
        StringBuilder b = new StringBuilder();
        if (runs.isEmpty()) {
            return "No runs.\n";
        }
        String workload = runs.get(0).workload();
        List<Metric> metrics = metrics(workload);
        Metric lead = metrics.get(0);
        for (int size : sizes(runs)) {
            List<Run> sized = runs.stream().filter(r -> r.size() == size).toList();
            Map<String, List<Run>> cells = cells(sized);
            Run any = sized.get(0);
            b.append("### ").append(title(workload)).append(", ").append(SideBySideReport.bytes(size)).append(" events, ")
                    .append(any.lanes()).append(" lanes\n\n");
            if (cells.size() > 1) {
                b.append(ratioLine(cells, lead)).append("\n\n");
                if (workload.equals("read")) {
                    b.append(ratioLine(cells, metrics.get(1))).append("\n\n"); // cached as well as cold
                }
            }
            b.append("| system | durability |");
            for (Metric m : metrics) {
                b.append(' ').append(m.name()).append(" |");
            }
            b.append(" brokers' CPU (cores) | peak RSS per broker (MiB) | rounds kept (repeated as busy) |\n|---|---|");
            b.append("---:|".repeat(metrics.size())).append("---:|---|---|\n");
            for (Map.Entry<String, List<Run>> cell : cells.entrySet()) {
                List<Run> kept = kept(cell.getValue());
                Run first = kept.isEmpty() ? cell.getValue().get(0) : kept.get(0);
                b.append("| ").append(first.system()).append(" | ").append(first.setting()).append(" |");
                for (Metric m : metrics) {
                    b.append(' ').append(summary(kept, m, m == lead)).append(" |");
                }
                b.append(' ').append(fmt(median(kept, Run::brokerCpu), false)).append(" | ").append(rss(kept)).append(" | ")
                        .append(kept.size()).append(" (").append(cell.getValue().size() - kept.size()).append(") |\n");
            }
            b.append("\nMedian (min–max) over the kept rounds. Per round (order as run; * = busy; others = CPU of other processes during the cell, cores):\n\n");
            b.append("| round | system | attempt | ").append(lead.name()).append(" | idle before | steal before | others | kept |\n");
            b.append("|---:|---|---:|---:|---:|---:|---:|---|\n");
            for (Run r : sized) {
                b.append(String.format(Locale.ROOT, "| %d | %s | %d | %s%s | %.2f | %.2f | %.2f | %s |%n", r.round() + 1, r.label(),
                        r.attempt(), fmt(lead.get().applyAsDouble(r), lead.latency()), r.busy() ? "*" : "", r.idleBefore(),
                        r.stealBefore(), r.othersCores(), r.kept() ? "yes" : "no, repeated"));
            }
            b.append('\n');
        }
        if (!command.isBlank()) {
            b.append("Command: `").append(command).append("` (hold `flock /tmp/runnel/build.lock`).\n\n");
        }
        if (!notes.isBlank()) {
            b.append(notes.strip()).append("\n");
        }
        return b.toString();
    }

    /** "Runnel / X: median of the per-round ratios (each round's ratios)" for every other cell. */
    static String ratioLine(Map<String, List<Run>> cells, Metric lead) {
        List<Run> runnel = cells.entrySet().stream().filter(e -> e.getValue().get(0).runnel()).findFirst()
                .map(e -> kept(e.getValue())).orElse(List.of());
        StringBuilder b = new StringBuilder("**");
        boolean first = true;
        for (Map.Entry<String, List<Run>> cell : cells.entrySet()) {
            if (cell.getValue().get(0).runnel()) {
                continue;
            }
            List<Double> ratios = new ArrayList<>();
            for (Run r : runnel) {
                for (Run k : kept(cell.getValue())) {
                    double a = lead.get().applyAsDouble(r);
                    double c = lead.get().applyAsDouble(k);
                    if (k.round() == r.round() && a > 0 && c > 0) {
                        ratios.add(a / c);
                    }
                }
            }
            b.append(first ? "" : "; ").append("Runnel / ").append(cell.getKey()).append(": ");
            b.append(ratios.isEmpty() ? "–" : String.format(Locale.ROOT, "%.2f×", median(ratios)));
            b.append(" (").append(lead.name()).append(", median of ").append(ratios.size()).append(" per-round ratios: ");
            b.append(String.join(", ", ratios.stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList())).append(")");
            first = false;
        }
        b.append("**");
        if (lead.latency()) {
            b.append(" (below 1: Runnel's latency is lower)");
        }
        return b.toString();
    }

    /** Cells in a stable order: Runnel first, then as they first ran. */
    static Map<String, List<Run>> cells(List<Run> runs) {
        Map<String, List<Run>> cells = new LinkedHashMap<>();
        runs.stream().filter(Run::runnel).forEach(r -> cells.computeIfAbsent(r.label(), k -> new ArrayList<>()).add(r));
        runs.stream().filter(r -> !r.runnel()).forEach(r -> cells.computeIfAbsent(r.label(), k -> new ArrayList<>()).add(r));
        return cells;
    }

    private static List<Run> kept(List<Run> runs) {
        return runs.stream().filter(Run::kept).toList();
    }

    private static List<Integer> sizes(List<Run> runs) {
        return List.copyOf(new TreeSet<>(runs.stream().map(Run::size).toList()));
    }

    private static String title(String workload) {
        return switch (workload) {
            case "read" -> "Reading back from the start";
            case "e2e" -> "End-to-end latency at half of full speed";
            default -> "Producing";
        };
    }

    /** The produce workload's medians as the old table rows, for the chart. */
    static List<SideBySideRow> medianRows(List<Run> runs) {
        List<SideBySideRow> rows = new ArrayList<>();
        for (int size : sizes(runs)) {
            for (List<Run> cell : cells(runs.stream().filter(r -> r.size() == size).toList()).values()) {
                List<Run> kept = kept(cell);
                if (kept.isEmpty()) {
                    continue;
                }
                Run r = kept.get(0);
                double eps = median(kept, x -> x.value(0, "produce", "eventsPerSecond"));
                rows.add(new SideBySideRow(r.system(), r.setting(), size, eps, eps * size / 1e6,
                        median(kept, x -> x.value(0, "produce", "p50Ms")), median(kept, x -> x.value(0, "produce", "p99Ms")),
                        median(kept, x -> x.value(0, "produce", "p999Ms")), median(kept, x -> x.value(1, "produce", "eventsPerSecond")),
                        median(kept, x -> x.value(1, "produce", "p99Ms")), 0, median(kept, Run::brokerCpu), 0,
                        maxRss(kept)));
            }
        }
        return rows;
    }

    private static String summary(List<Run> kept, Metric m, boolean bold) {
        if (kept.isEmpty()) {
            return "–";
        }
        List<Double> v = kept.stream().map(m.get()::applyAsDouble).toList();
        String med = fmt(median(v), m.latency());
        if (v.size() == 1) {
            return bold ? "**" + med + "**" : med;
        }
        double min = v.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double max = v.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return (bold ? "**" + med + "**" : med) + " (" + fmt(min, m.latency()) + "–" + fmt(max, m.latency()) + ")";
    }

    private static String rss(List<Run> kept) {
        List<Integer> max = maxRss(kept);
        return max.isEmpty() ? "?" : String.join(" / ", max.stream().map(String::valueOf).toList());
    }

    /** Each broker's largest peak RSS over the runs. */
    private static List<Integer> maxRss(List<Run> kept) {
        List<Integer> max = new ArrayList<>();
        for (Run r : kept) {
            for (int i = 0; i < r.rss().size(); i++) {
                if (i >= max.size()) {
                    max.add(r.rss().get(i));
                } else {
                    max.set(i, Math.max(max.get(i), r.rss().get(i)));
                }
            }
        }
        return max;
    }

    static double median(List<Run> runs, ToDoubleFunction<Run> f) {
        return median(runs.stream().map(f::applyAsDouble).toList());
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return 0;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static String fmt(double v, boolean latency) {
        if (latency) {
            return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
        }
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static double num(String s) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
