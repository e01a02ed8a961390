package dev.herald.push.bench.load;

import java.util.List;
import java.util.Locale;

/** Renders a run's {@link Results} as the Markdown tables of {@code docs/benchmarks.md}. */
final class Report {
  private final Settings s;
  private final Results r;
  private final List<Protocol> protocols;
  private final StringBuilder md = new StringBuilder();

  /** The broadcast's {@code --rates}, or null when it climbed the ladder. */
  private final int[] rates;

  Report(Settings s, Results r, List<Protocol> protocols, int[] rates) {
    this.rates = rates;
    this.s = s;
    this.r = r;
    this.protocols = protocols;
  }

  String markdown() {
    md.append("# push-bench results\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "%d CPUs, %s; server on CPU %s, clients on CPU %s; server JVM `%s`; publisher %s; %d"
                + " run(s) per cell, median [range]; %d-byte messages.%n%n",
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
            s.taskset() ? s.serverCpus() : "any",
            s.taskset() ? s.clientCpus() : "any",
            String.join(" ", s.serverJvm()),
            s.httpPublisher() ? "over HTTP from the client CPUs" : "inside the server",
            s.repeat(),
            s.messageBytes()));
    idle();
    broadcast();
    ratios();
    chat();
    slow();
    storm();
    resume();
    return md.toString();
  }

  private void idle() {
    if (!any("idle")) {
      return;
    }
    md.append("## Idle connections: memory per connection (KiB)\n\n");
    md.append(
        "| protocol | connections | heap | off-heap (RSS) | total |\n|---|---:|---:|---:|---:|\n");
    for (Protocol p : protocols) {
      for (int n : r.sizes("idle")) {
        if (r.has("idle", p, n)) {
          md.append(row(p.label(), String.valueOf(n)))
              .append(kib("idle", p, n, "heapPerConn"))
              .append(" | ")
              .append(kib("idle", p, n, "rssPerConn"))
              .append(" | ")
              .append(kib("idle", p, n, "totalPerConn"))
              .append(" |\n");
        }
      }
    }
    md.append('\n');
  }

  private String kib(String scenario, Protocol p, int n, String figure) {
    return r.cell(scenario, p, n, figure, 1024, 1);
  }

  private void broadcast() {
    if (!any("broadcast")) {
      return;
    }
    if (rates != null) {
      broadcastAtRates();
      return;
    }
    md.append("## Broadcast 1→N\n\n");
    md.append(
        "Highest rate on the ladder with p99 < 100 ms and nothing lost; latency and CPU at that"
            + " rate; CPU per delivery at "
            + Results.num(LoadTool.REFERENCE_RATE, 0)
            + " deliveries/s for every implementation.\n\n");
    md.append(
        "| protocol | subscribers | max deliveries/s | p50 ms | p99 ms | p99.9 ms | max ms |"
            + " CPU µs/delivery at max | CPU µs/delivery at "
            + Results.num(LoadTool.REFERENCE_RATE, 0)
            + "/s |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int n : r.sizes("broadcast")) {
      for (Protocol p : protocols) {
        if (r.has("broadcast", p, n)) {
          md.append(row(p.label(), String.valueOf(n)))
              .append(r.cell("broadcast", p, n, "maxRate", 0))
              .append(" | ")
              .append(r.cell("broadcast", p, n, "p50", 1))
              .append(" | ")
              .append(r.cell("broadcast", p, n, "p99", 1))
              .append(" | ")
              .append(r.cell("broadcast", p, n, "p999", 1))
              .append(" | ")
              .append(r.cell("broadcast", p, n, "max", 1))
              .append(" | ")
              .append(r.cell("broadcast", p, n, "cpuUsAtMax", 2))
              .append(" | ")
              .append(r.cell("broadcast", p, n, "cpuUsRef", 2))
              .append(" |\n");
        }
      }
    }
    md.append('\n');
  }

  /** The broadcast with {@code --rates}: every rate asked for, passed or not. */
  private void broadcastAtRates() {
    md.append("## Broadcast 1→N at given rates\n\n");
    md.append(
        "Delivered per second over the step and its drain; server CPU per delivery over the"
            + " same time.\n\n");
    md.append(
        "| protocol | subscribers | offered deliveries/s | delivered/s | p99 ms | lost |"
            + " failed publishes | CPU µs/delivery |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int n : r.sizes("broadcast")) {
      for (Protocol p : protocols) {
        if (!r.has("broadcast", p, n)) {
          continue;
        }
        for (int rate : rates) {
          md.append(row(p.label(), String.valueOf(n)))
              .append(Results.num(rate, 0))
              .append(" | ")
              .append(r.cell("broadcast", p, n, "delivered_" + rate, 0))
              .append(" | ")
              .append(r.cell("broadcast", p, n, "p99_" + rate, 1))
              .append(" | ")
              .append(r.cell("broadcast", p, n, "lost_" + rate, 0))
              .append(" | ")
              .append(r.cell("broadcast", p, n, "publishFailed_" + rate, 0))
              .append(" | ")
              .append(r.cell("broadcast", p, n, "cpuUs_" + rate, 2))
              .append(" |\n");
        }
      }
    }
    md.append('\n');
  }

  private void ratios() {
    md.append("## Ratios (medians)\n\n| comparison | subscribers | ratio |\n|---|---:|---:|\n");
    for (int n : r.sizes("broadcast")) {
      ratio(
          "Herald WS CPU/delivery ÷ raw Jetty WS",
          "broadcast",
          n,
          "cpuUsRef",
          Protocol.HERALD_WS,
          Protocol.RAW_WS);
      ratio(
          "Herald SSE CPU/delivery ÷ raw Jetty SSE",
          "broadcast",
          n,
          "cpuUsRef",
          Protocol.HERALD_SSE,
          Protocol.RAW_SSE);
      ratio(
          "Herald WS max rate ÷ CometD WS",
          "broadcast",
          n,
          "maxRate",
          Protocol.HERALD_WS,
          Protocol.COMETD_WS);
    }
    for (int n : r.sizes("idle")) {
      ratio(
          "Herald WS memory/conn ÷ raw Jetty WS",
          "idle",
          n,
          "totalPerConn",
          Protocol.HERALD_WS,
          Protocol.RAW_WS);
      ratio(
          "Herald SSE memory/conn ÷ raw Jetty SSE",
          "idle",
          n,
          "totalPerConn",
          Protocol.HERALD_SSE,
          Protocol.RAW_SSE);
      ratio(
          "Herald NDJSON memory/conn ÷ raw Jetty SSE",
          "idle",
          n,
          "totalPerConn",
          Protocol.HERALD_NDJSON,
          Protocol.RAW_SSE);
      ratio(
          "Herald held poll memory/conn ÷ raw held request",
          "idle",
          n,
          "totalPerConn",
          Protocol.HERALD_POLL,
          Protocol.RAW_POLL);
    }
    md.append('\n');
  }

  private void ratio(String label, String scenario, int n, String figure, Protocol a, Protocol b) {
    double x = r.median(scenario, a, n, figure);
    double y = r.median(scenario, b, n, figure);
    if (!Double.isNaN(x) && !Double.isNaN(y) && y != 0) {
      md.append(row(label, String.valueOf(n))).append(Results.num(x / y, 2)).append(" |\n");
    }
  }

  private void chat() {
    if (!any("chat")) {
      return;
    }
    md.append("## Chat: 100 rooms, 10 messages/s per room\n\n");
    md.append(
        "| protocol | clients | deliveries/s | p50 ms | p99 ms | max ms | lost | CPU µs/delivery |\n"
            + "|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int n : r.sizes("chat")) {
      for (Protocol p : protocols) {
        if (r.has("chat", p, n)) {
          md.append(row(p.label(), String.valueOf(n)))
              .append(r.cell("chat", p, n, "rate", 0))
              .append(" | ")
              .append(r.cell("chat", p, n, "p50", 1))
              .append(" | ")
              .append(r.cell("chat", p, n, "p99", 1))
              .append(" | ")
              .append(r.cell("chat", p, n, "max", 1))
              .append(" | ")
              .append(r.cell("chat", p, n, "lost", 0))
              .append(" | ")
              .append(r.cell("chat", p, n, "cpuUs", 2))
              .append(" |\n");
        }
      }
    }
    md.append('\n');
  }

  private void slow() {
    if (!any("slow")) {
      return;
    }
    md.append("## Slow consumers: 1 % of 1,000 clients stop reading (1 KiB messages, 50/s)\n\n");
    md.append(
        "| protocol | others' p99 before, ms | others' p99 with slow readers, ms | max ms | others"
            + " lost | slow ones closed by the server | heap held after, MiB |\n"
            + "|---|---:|---:|---:|---:|---:|---:|\n");
    for (Protocol p : protocols) {
      if (r.has("slow", p, 1000)) {
        md.append("| ")
            .append(p.label())
            .append(" | ")
            .append(r.cell("slow", p, 1000, "p99Normal", 1))
            .append(" | ")
            .append(r.cell("slow", p, 1000, "p99Slowed", 1))
            .append(" | ")
            .append(r.cell("slow", p, 1000, "maxSlowed", 1))
            .append(" | ")
            .append(r.cell("slow", p, 1000, "lostOthers", 0))
            .append(" | ")
            .append(r.cell("slow", p, 1000, "slowClosed", 0))
            .append(" | ")
            .append(r.cell("slow", p, 1000, "heapHeldMiB", 1))
            .append(" |\n");
      }
    }
    md.append('\n');
  }

  private void storm() {
    if (!any("storm")) {
      return;
    }
    md.append("## Reconnect storm: every client drops at once and resumes from its cursor\n\n");
    md.append(
        "| protocol | clients | back | seconds to all back | lost | duplicates | resets | p99 ms |"
            + " max ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Protocol p : protocols) {
      for (int n : r.sizes("storm")) {
        if (r.has("storm", p, n)) {
          md.append(row(p.label(), String.valueOf(n)))
              .append(r.cell("storm", p, n, "reconnected", 0))
              .append(" | ")
              .append(r.cell("storm", p, n, "reconnectSeconds", 2))
              .append(" | ")
              .append(r.cell("storm", p, n, "lost", 0))
              .append(" | ")
              .append(r.cell("storm", p, n, "duplicates", 0))
              .append(" | ")
              .append(r.cell("storm", p, n, "resets", 0))
              .append(" | ")
              .append(r.cell("storm", p, n, "p99", 1))
              .append(" | ")
              .append(r.cell("storm", p, n, "max", 1))
              .append(" |\n");
        }
      }
    }
    md.append('\n');
  }

  private void resume() {
    if (!any("resume")) {
      return;
    }
    md.append("## Resuming clients: each misses 100 messages and comes back at once\n\n");
    md.append(
        "| protocol | clients | back | seconds to all back | received | lost | duplicates |"
            + " resets | CPU ms per resuming client |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Protocol p : protocols) {
      for (int n : r.sizes("resume")) {
        if (r.has("resume", p, n)) {
          md.append(row(p.label(), String.valueOf(n)));
          String[] keys = {
            "reconnected", "reconnectSeconds", "received", "lost", "duplicates", "resets"
          };
          int[] digits = {0, 2, 0, 0, 0, 0};
          for (int i = 0; i < keys.length; i++) {
            md.append(r.cell("resume", p, n, keys[i], digits[i])).append(" | ");
          }
          md.append(r.cell("resume", p, n, "cpuMillisPerClient", 3)).append(" |\n");
        }
      }
    }
    md.append('\n');
  }

  private boolean any(String scenario) {
    return !r.sizes(scenario).isEmpty();
  }

  private static String row(String a, String b) {
    return "| " + a + " | " + b + " | ";
  }
}
