package dev.herald.push.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every measurement of a load-tool run, and the tables made of them: each cell is the median of the
 * repeated runs with their range. Not thread-safe.
 */
final class Results {
  private final Path jsonLines;
  private final Map<String, List<Map<String, Double>>> runs = new LinkedHashMap<>();

  Results(Path out) throws IOException {
    this.jsonLines = out.resolve("results.jsonl");
    Files.deleteIfExists(jsonLines);
  }

  /** Records one run's figures for a scenario, protocol and size, and appends them to the log. */
  void add(String scenario, Protocol protocol, int n, Map<String, Double> figures)
      throws IOException {
    runs.computeIfAbsent(key(scenario, protocol, n), k -> new ArrayList<>()).add(figures);
    StringBuilder sb = new StringBuilder("{\"scenario\":\"").append(scenario);
    sb.append("\",\"protocol\":\"").append(protocol.label()).append("\",\"n\":").append(n);
    figures.forEach((k, v) -> sb.append(",\"").append(k).append("\":").append(fmt(v)));
    Files.writeString(
        jsonLines, sb.append("}\n"), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    System.out.println("  " + sb.toString().trim());
  }

  /** The median of a figure over the repeated runs, or NaN if there is none. */
  double median(String scenario, Protocol protocol, int n, String figure) {
    return median(values(scenario, protocol, n, figure));
  }

  /** {@code median [min–max]}, or the value alone for one run, or a dash. */
  String cell(String scenario, Protocol protocol, int n, String figure, int decimals) {
    return cell(scenario, protocol, n, figure, 1, decimals);
  }

  /** Like {@link #cell(String, Protocol, int, String, int)} with every value divided first. */
  String cell(String scenario, Protocol protocol, int n, String figure, double div, int decimals) {
    return spread(values(scenario, protocol, n, figure), div, decimals);
  }

  /** The median of values sorted ascending, or NaN if there are none. */
  static double median(List<Double> sorted) {
    int m = sorted.size();
    if (m == 0) {
      return Double.NaN;
    }
    return m % 2 == 1 ? sorted.get(m / 2) : (sorted.get(m / 2 - 1) + sorted.get(m / 2)) / 2;
  }

  /**
   * {@code median [min–max]} of values sorted ascending, each divided by {@code div} first; the
   * value alone if there is one, a dash if there are none.
   */
  static String spread(List<Double> sorted, double div, int decimals) {
    if (sorted.isEmpty()) {
      return "–";
    }
    String med = num(median(sorted) / div, decimals);
    if (sorted.size() == 1) {
      return med;
    }
    return med
        + " ["
        + num(sorted.get(0) / div, decimals)
        + "–"
        + num(sorted.get(sorted.size() - 1) / div, decimals)
        + "]";
  }

  /** The connection counts a scenario ran with, smallest first. */
  List<Integer> sizes(String scenario) {
    java.util.TreeSet<Integer> sizes = new java.util.TreeSet<>();
    for (String key : runs.keySet()) {
      String[] parts = key.split("\\|");
      if (parts[0].equals(scenario)) {
        sizes.add(Integer.parseInt(parts[2]));
      }
    }
    return new ArrayList<>(sizes);
  }

  boolean has(String scenario, Protocol protocol, int n) {
    return runs.containsKey(key(scenario, protocol, n));
  }

  private List<Double> values(String scenario, Protocol protocol, int n, String figure) {
    List<Double> v = new ArrayList<>();
    for (Map<String, Double> run : runs.getOrDefault(key(scenario, protocol, n), List.of())) {
      Double x = run.get(figure);
      if (x != null && !x.isNaN()) {
        v.add(x);
      }
    }
    v.sort(null);
    return v;
  }

  static String num(double v, int decimals) {
    if (Double.isNaN(v)) {
      return "–";
    }
    if (decimals == 0) {
      return String.format(Locale.ROOT, "%,d", Math.round(v));
    }
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  private static String fmt(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.valueOf(v);
  }

  private static String key(String scenario, Protocol protocol, int n) {
    return scenario + "|" + protocol.label() + "|" + n;
  }
}
