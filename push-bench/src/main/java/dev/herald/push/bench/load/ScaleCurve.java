package dev.herald.push.bench.load;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The scaling curve: the broadcast and chat shapes against 1, 2, 3… Herald nodes that share one
 * Redis (or one Redis Cluster) through {@code RedisBroker}. The clients are spread evenly over the
 * nodes; the publisher runs inside the first node, so every message reaches the other nodes only
 * through Redis. Each node is a server JVM as in {@link LoadTool} (pinned to the server CPUs),
 * started with {@code -Dbench.redis=URI}; each node's clients are a client group on the client
 * CPUs. Writes {@code scale.md} and prints each step.
 *
 * <p>What a step reports: deliveries per second received by all clients, lost messages, the latency
 * from a message's due time at the publisher to its arrival at a client (p50, p99, max: publish,
 * Redis, the other node and its transport), and the CPU of all nodes per delivery. Redis's own CPU
 * is not counted.
 */
public final class ScaleCurve {
  static final String USAGE =
      """
      usage: java -jar push-bench.jar scale --redis redis://host:port | redis-cluster://h:p,h:p
                 [--nodes 1,2,3] [--scenarios broadcast,chat] [--clients 1000]
                 [--rates 10000,20000,40000]  (broadcast deliveries/s; chat is 10 msg/s per room)
                 [--protocol herald-ws] [--label one-redis] and the run options of `run`
                 (--out, --server-jvm, --client-jvm, --server-cpus, --client-cpus, --step-seconds)
      """;

  /** How long a node's clients may take to report ready before the steps start anyway. */
  private static final long CONNECT_SECONDS = 60;

  private ScaleCurve() {}

  public static void main(String[] args) throws Exception {
    Args a = new Args(args);
    String redis = a.string("--redis", "");
    if (redis.isEmpty()) {
      throw new IllegalArgumentException("--redis is required\n" + USAGE);
    }
    Settings base = Settings.from(a);
    List<String> serverJvm = new ArrayList<>(base.serverJvm());
    serverJvm.add("-Dbench.redis=" + redis);
    Settings s =
        new Settings(
            base.jar(),
            base.java(),
            base.out(),
            serverJvm,
            base.clientJvm(),
            base.serverCpus(),
            base.clientCpus(),
            base.taskset(),
            1,
            base.stepSeconds(),
            base.messageBytes(),
            base.quick(),
            false,
            base.resumeRounds());
    Protocol protocol = Protocol.of(a.string("--protocol", "herald-ws"));
    int clients = a.integer("--clients", 1000);
    String label = a.string("--label", redis.startsWith("redis-cluster") ? "cluster" : "one-redis");
    int[] nodes = ints(a.string("--nodes", "1,2,3"));
    int[] rates = ints(a.string("--rates", "10000,20000,40000"));
    List<String> scenarios = List.of(a.string("--scenarios", "broadcast,chat").split(","));
    StringBuilder md = new StringBuilder();
    md.append("| Redis | nodes | scenario | offered/s | delivered/s | lost | p50 ms | p99 ms |")
        .append(" max ms | node CPU µs/delivery |\n|---|---|---|---|---|---|---|---|---|---|\n");
    int port = 18_190;
    for (String scenario : scenarios) {
      for (int k : nodes) {
        List<ServerProcess> servers = new ArrayList<>();
        List<ClientGroup> groups = new ArrayList<>();
        try {
          for (int i = 0; i < k; i++) {
            servers.add(ServerProcess.start(s, "herald", port++));
          }
          int channels = "chat".equals(scenario) ? 100 : 1;
          for (int i = 0; i < k; i++) {
            int n = clients / k + (i < clients % k ? 1 : 0);
            groups.add(new ClientGroup(s, protocol, servers.get(i).port(), n, channels, 0));
          }
          long ready = 0;
          for (ClientGroup g : groups) {
            try {
              ready += g.awaitConnected(CONNECT_SECONDS);
            } catch (java.io.IOException e) {
              // A client whose first subscribe failed (a Redis call timed out while every node
              // started at once) reconnects but is not counted; measure with what is there.
              System.out.println(
                  "    not every client of a node reported ready: " + e.getMessage());
            }
          }
          System.out.println(
              scenario + " " + label + " nodes=" + k + " clients=" + ready + "/" + clients);
          Scale curve = new Scale(s, servers, groups, clients, channels);
          curve.step(Math.min(10_000, 10.0 * clients), 5); // warm-up
          double[] steps =
              "chat".equals(scenario) ? new double[] {10.0 * clients} : toDoubles(rates);
          for (double rate : steps) {
            Result r = curve.step(rate, s.stepSeconds());
            System.out.println("    " + r);
            md.append(
                String.format(
                    Locale.ROOT,
                    "| %s | %d | %s | %.0f | %.0f | %d | %.1f | %.1f | %.1f | %.1f |%n",
                    label,
                    k,
                    scenario,
                    rate,
                    r.deliveredPerSecond,
                    r.lost,
                    r.p50,
                    r.p99,
                    r.max,
                    r.cpuMicrosPerDelivery));
          }
        } finally {
          for (ClientGroup g : groups) {
            g.close();
          }
          for (ServerProcess server : servers) {
            server.close();
          }
        }
      }
    }
    Files.writeString(s.out().resolve("scale-" + label + ".md"), md.toString());
    System.out.println();
    System.out.println(md);
  }

  /** One measured step's figures. */
  record Result(
      double offered,
      double deliveredPerSecond,
      long lost,
      double p50,
      double p99,
      double max,
      double cpuMicrosPerDelivery) {
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "offered %.0f/s delivered %.0f/s lost %d p50 %.1f p99 %.1f max %.1f ms,"
              + " nodes' cpu %.2f µs/delivery",
          offered,
          deliveredPerSecond,
          lost,
          p50,
          p99,
          max,
          cpuMicrosPerDelivery);
    }
  }

  /** The nodes and their clients for one configuration. */
  private record Scale(
      Settings s, List<ServerProcess> servers, List<ClientGroup> groups, int n, int channels) {
    Result step(double deliveriesPerSecond, double seconds) throws Exception {
      double rate = deliveriesPerSecond * channels / n;
      for (ClientGroup g : groups) {
        g.send("RESET");
      }
      double cpu0 = cpu();
      ServerProcess publisher = servers.get(0);
      publisher.publish(channels, rate, seconds, s.messageBytes());
      Thread.sleep((long) (seconds * 1000));
      publisher.awaitPublished();
      long expected = Math.round(rate * seconds) * n / channels;
      long deadline = System.currentTimeMillis() + 10_000;
      long received;
      long lost;
      Histogram all;
      while (true) {
        String published = publisher.published();
        received = 0;
        lost = 0;
        all = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
        for (ClientGroup g : groups) {
          ClientGroup.Report r = g.report(published);
          received += r.received();
          lost += r.lost();
          all.add(r.histogram());
        }
        if (lost == 0 && received >= expected || System.currentTimeMillis() > deadline) {
          break;
        }
        Thread.sleep(200);
      }
      double cpu = cpu() - cpu0;
      return new Result(
          deliveriesPerSecond,
          received / seconds,
          lost,
          all.getValueAtPercentile(50) / 1000.0,
          all.getValueAtPercentile(99) / 1000.0,
          all.getMaxValue() / 1000.0,
          received == 0 ? Double.NaN : cpu * 1e6 / received);
    }

    private double cpu() throws java.io.IOException {
      double total = 0;
      for (ServerProcess server : servers) {
        total += server.cpuSeconds();
      }
      return total;
    }
  }

  private static int[] ints(String list) {
    return java.util.Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  private static double[] toDoubles(int[] values) {
    return java.util.Arrays.stream(values).asDoubleStream().toArray();
  }
}
