package io.runnel.benchmarks.sidebyside;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import javax.imageio.ImageIO;

/*
 * Drawn with java.awt in headless mode so that no plotting tool has to be installed. Two panels:
 * throughput (events/s) bars per event size, and latency percentiles per event size and system on a
 * logarithmic axis (latencies span 1 ms to seconds on this shared machine).
 */
/** Writes the side-by-side PNG chart: throughput bars and latency percentiles. */
public final class SideBySideChart {
    private static final int WIDTH = 1400;
    private static final int HEIGHT = 1000;
    private static final Color[] SYSTEM_COLORS = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)};
    private static final Color[] PERCENTILE_COLORS = {
        new Color(0x9ecae1), new Color(0x4292c6), new Color(0x08519c), new Color(0xfd8d3c)};
    private static final String[] PERCENTILES = {"p50", "p99", "p99.9", "p99 at half rate"};

    private SideBySideChart() {
    }

    public static void write(List<SideBySideRow> rows, String title, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 22));
        g.drawString(title, 40, 36);
        List<String> systems = rows.stream().map(SideBySideRow::label).distinct().toList();
        List<Integer> sizes = List.copyOf(new TreeSet<>(rows.stream().map(SideBySideRow::size).toList()));
        throughput(g, rows, systems, sizes, 80, 70, WIDTH - 120, 330);
        latency(g, rows, systems, sizes, 80, 500, WIDTH - 120, 400);
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static void throughput(Graphics2D g, List<SideBySideRow> rows, List<String> systems, List<Integer> sizes,
            int x, int y, int w, int h) {
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.setColor(Color.BLACK);
        g.drawString("Throughput at full speed (acknowledged events/s; label: MB/s)", x, y);
        int top = y + 20;
        int plotH = h - 60;
        double max = rows.stream().mapToDouble(SideBySideRow::eventsPerSecond).max().orElse(1);
        double step = niceStep(max / 5);
        double axisMax = Math.ceil(max / step) * step;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (double v = 0; v <= axisMax + 1e-9; v += step) {
            int yy = top + plotH - (int) (v / axisMax * plotH);
            g.setColor(new Color(0xdddddd));
            g.drawLine(x, yy, x + w, yy);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%,.0f", v), x - 70, yy + 4);
        }
        int groupW = w / Math.max(1, sizes.size());
        int barW = Math.min(110, (groupW - 60) / Math.max(1, systems.size()));
        for (int si = 0; si < sizes.size(); si++) {
            int gx = x + si * groupW + (groupW - barW * systems.size()) / 2;
            for (int k = 0; k < systems.size(); k++) {
                SideBySideRow r = find(rows, systems.get(k), sizes.get(si));
                if (r == null) {
                    continue;
                }
                int bh = (int) (r.eventsPerSecond() / axisMax * plotH);
                g.setColor(SYSTEM_COLORS[k % SYSTEM_COLORS.length]);
                g.fillRect(gx + k * barW + 4, top + plotH - bh, barW - 8, bh);
                g.setColor(Color.BLACK);
                String label = String.format(Locale.ROOT, "%,.0f", r.eventsPerSecond());
                g.drawString(label, gx + k * barW + 4, top + plotH - bh - 18);
                g.drawString(String.format(Locale.ROOT, "%.1f MB/s", r.megabytesPerSecond()), gx + k * barW + 4, top + plotH - bh - 4);
            }
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(SideBySideReport.bytes(sizes.get(si)) + " events", x + si * groupW + groupW / 2 - 40, top + plotH + 22);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        }
        g.setColor(Color.BLACK);
        g.drawLine(x, top + plotH, x + w, top + plotH);
        // legend
        int lx = x;
        int ly = top + plotH + 42;
        for (int k = 0; k < systems.size(); k++) {
            g.setColor(SYSTEM_COLORS[k % SYSTEM_COLORS.length]);
            g.fillRect(lx, ly - 10, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString(systems.get(k), lx + 20, ly + 2);
            lx += 40 + g.getFontMetrics().stringWidth(systems.get(k));
        }
    }

    private static void latency(Graphics2D g, List<SideBySideRow> rows, List<String> systems, List<Integer> sizes,
            int x, int y, int w, int h) {
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.setColor(Color.BLACK);
        g.drawString("Latency, ms (log scale): p50 / p99 / p99.9 at full speed, p99 at half rate", x, y);
        int top = y + 20;
        int plotH = h - 90;
        double max = 1;
        double min = 1;
        for (SideBySideRow r : rows) {
            for (double v : values(r)) {
                if (v > 0) {
                    max = Math.max(max, v);
                    min = Math.min(min, v);
                }
            }
        }
        double lo = Math.pow(10, Math.floor(Math.log10(min)));
        double hi = Math.pow(10, Math.ceil(Math.log10(max)));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (double v = lo; v <= hi * 1.0001; v *= 10) {
            int yy = yLog(v, lo, hi, top, plotH);
            g.setColor(new Color(0xdddddd));
            g.drawLine(x, yy, x + w, yy);
            g.setColor(Color.DARK_GRAY);
            g.drawString(v >= 1 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v), x - 50, yy + 4);
        }
        int groups = sizes.size() * systems.size();
        int groupW = w / Math.max(1, groups);
        int barW = Math.min(40, (groupW - 16) / PERCENTILES.length);
        int gi = 0;
        for (Integer size : sizes) {
            for (int k = 0; k < systems.size(); k++, gi++) {
                SideBySideRow r = find(rows, systems.get(k), size);
                int gx = x + gi * groupW + (groupW - barW * PERCENTILES.length) / 2;
                if (r != null) {
                    double[] v = values(r);
                    for (int p = 0; p < v.length; p++) {
                        if (v[p] <= 0) {
                            continue;
                        }
                        int yy = yLog(v[p], lo, hi, top, plotH);
                        g.setColor(PERCENTILE_COLORS[p]);
                        g.fillRect(gx + p * barW + 2, yy, barW - 4, top + plotH - yy);
                        g.setColor(Color.BLACK);
                        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
                        g.drawString(v[p] >= 10 ? String.format(Locale.ROOT, "%.0f", v[p]) : String.format(Locale.ROOT, "%.1f", v[p]),
                                gx + p * barW + 2, yy - 3);
                    }
                }
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                g.setColor(SYSTEM_COLORS[k % SYSTEM_COLORS.length]);
                String label = systems.get(k);
                int lw = g.getFontMetrics().stringWidth(label);
                g.drawString(label, x + gi * groupW + Math.max(0, (groupW - lw) / 2), top + plotH + 16);
                g.setColor(Color.BLACK);
                String s = SideBySideReport.bytes(size);
                g.drawString(s, x + gi * groupW + (groupW - g.getFontMetrics().stringWidth(s)) / 2, top + plotH + 30);
            }
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1));
        g.drawLine(x, top + plotH, x + w, top + plotH);
        int lx = x;
        int ly = top + plotH + 58;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int p = 0; p < PERCENTILES.length; p++) {
            g.setColor(PERCENTILE_COLORS[p]);
            g.fillRect(lx, ly - 10, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString(PERCENTILES[p], lx + 20, ly + 2);
            lx += 40 + g.getFontMetrics().stringWidth(PERCENTILES[p]);
        }
    }

    private static double[] values(SideBySideRow r) {
        return new double[] {r.p50Ms(), r.p99Ms(), r.p999Ms(), r.halfP99Ms()};
    }

    private static int yLog(double v, double lo, double hi, int top, int plotH) {
        double f = (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
        return top + plotH - (int) Math.round(f * plotH);
    }

    private static SideBySideRow find(List<SideBySideRow> rows, String label, int size) {
        return rows.stream().filter(r -> r.label().equals(label) && r.size() == size).findFirst().orElse(null);
    }

    private static double niceStep(double raw) {
        double mag = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-9))));
        double n = raw / mag;
        return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * mag;
    }
}
