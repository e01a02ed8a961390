package dev.herald.push.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The load tool: runs each scenario against each implementation, every server in its own JVM pinned
 * to the server CPUs and every load client pinned to the client CPUs, and writes {@code results.md}
 * (tables of medians with their range) and {@code results.jsonl} (every run).
 *
 * <p>Scenarios:
 *
 * <ul>
 *   <li>{@code idle}: N connections that receive nothing; heap and off-heap memory per connection.
 *       The only scenario the idle-only protocols (NDJSON, held polls) run.
 *   <li>{@code broadcast}: one channel, N subscribers; the publish rate steps up until p99 reaches
 *       100 ms or a message is lost. The highest passing rate is the capacity; CPU per delivery is
 *       compared at the same rate for every implementation.
 *   <li>{@code chat}: 100 rooms, N clients spread over them, 10 messages per second per room.
 *   <li>{@code slow}: 1 % of the clients stop reading; the others' latency and the server's heap.
 *   <li>{@code storm}: every client drops at once and reconnects, resuming from its cursor.
 *   <li>{@code resume}: 5,000 clients (or {@code --sizes}) leave, miss 100 messages and come back
 *       at once; the server's CPU per resuming client. Not in the default set.
 *   <li>{@code paired}: broadcast and chat with every protocol's server up at once and their steps
 *       alternated, for ratios that the machine's drift does not blur. Not in the default set.
 * </ul>
 */
public final class LoadTool {
  public static final String USAGE =
      """
      usage: java -jar push-bench.jar run [--scenarios idle,broadcast,chat,slow,storm,resume,paired]
                 [--protocols herald-ws,herald-sse,herald-ndjson,herald-poll,raw-ws,raw-sse,
                              raw-poll,cometd-ws] [--repeat 3]
                 [--quick true] [--out bench-results] [--server-cpus 0] [--client-cpus 1]
                 [--server-jvm "flags"] [--client-jvm "flags"] [--step-seconds 5]
                 [--sizes 1000,5000]   (connection counts, instead of each scenario's own)
                 [--idle-warmup 5000]  (connections opened and closed twice before idle counts)
                 [--idle-settle 30]    (seconds to wait for the server to see the warm-up leave)
                 [--warmup-seconds 5]  (each of the two or three warm-up steps before a load)
                 [--settle-gc true]    (after the warm-ups, a full GC in each server, so that its
                                        connections' state is in the old generation, as in a
                                        server that has been up for a while)
                 [--rates 20000,45000] (broadcast: run these deliveries/s, each one, instead of
                                        climbing the ladder until p99 passes 100 ms)
                 [--resume-rounds 3]   (resume: rounds on one server; the last is reported)
                 (paired: every protocol's server at once, steps alternated, --repeat rounds,
                  broadcast at --rates (default 10000,20000,30000) then chat; ratios to the
                  protocol listed last)
                 [--together false]    (paired: true loads every server at once, each at the
                                        rate, rather than one after the other)
                 [--publisher inside]  (inside: a thread in the server publishes; http: a process
                                        on the client CPUs publishes with POST /push/publish, or
                                        /raw/publish, pipelined on one connection; herald and raw
                                        only, not cometd)
                 --server-jvm replaces the default server flags (%s)
             java -jar push-bench.jar jmh [JMH options]
      """
          .formatted(Settings.DEFAULT_SERVER_JVM);

  /** Broadcast steps, in deliveries per second; every implementation climbs the same ladder. */
  static final int[] LADDER = {
    25_000, 50_000, 75_000, 100_000, 125_000, 150_000, 175_000, 200_000, 250_000, 300_000, 350_000,
    400_000, 500_000
  };

  /** The load at which CPU per delivery is compared across implementations. */
  static final int REFERENCE_RATE = 50_000;

  static final double LATENCY_BOUND_MS = 100;

  /** How many times the idle scenario's warm-up group connects and leaves. */
  static final int IDLE_WARMUP_ROUNDS = 2;

  private final Settings s;
  private final Results results;
  private int[] sizes;

  /** {@code --rates}: the broadcast's own list of deliveries per second, or null for the ladder. */
  private int[] rates;

  private int idleWarmup = 5000;

  /**
   * How long, in seconds, the idle warm-up waits for the server to count the warm-up group gone. A
   * server that never writes to an idle client (the raw targets) only notices at its idle timeout.
   */
  private int idleSettle = 30;

  /** {@code --warmup-seconds}: how long each warm-up step publishes before a measured load. */
  private double warmupSeconds = 5;

  /**
   * {@code --together}: {@code paired} loads all its servers at once instead of one after the
   * other.
   */
  private boolean together;

  /**
   * {@code --settle-gc}: a full GC in each server after its warm-ups. Without it, a server that
   * allocates little (the raw floor) may see no collection during a whole run, so the state of its
   * connections stays in the young generation, where G1's write barrier skips its card marks; in a
   * server that has run for a while that state is old, and every reference a write stores into it
   * dirties a card for G1's refinement threads to scan.
   */
  private boolean settleGc = true;

  private int nextPort = 18_090;

  private LoadTool(Settings s) throws IOException {
    this.s = s;
    this.results = new Results(s.out());
  }

  public static void main(String[] args) throws Exception {
    Args a = new Args(args);
    Settings s = Settings.from(a);
    LoadTool tool = new LoadTool(s);
    String sizes = a.string("--sizes", "");
    if (!sizes.isEmpty()) {
      tool.sizes = java.util.Arrays.stream(sizes.split(",")).mapToInt(Integer::parseInt).toArray();
    }
    String rates = a.string("--rates", "");
    if (!rates.isEmpty()) {
      tool.rates = java.util.Arrays.stream(rates.split(",")).mapToInt(Integer::parseInt).toArray();
    }
    tool.idleWarmup = a.integer("--idle-warmup", tool.idleWarmup);
    tool.idleSettle = a.integer("--idle-settle", tool.idleSettle);
    tool.together = a.bool("--together", false);
    tool.settleGc = a.bool("--settle-gc", true);
    String warmup = a.string("--warmup-seconds", "5");
    try {
      tool.warmupSeconds = Double.parseDouble(warmup);
    } catch (NumberFormatException e) {
      tool.warmupSeconds = Double.NaN;
    }
    if (!(tool.warmupSeconds > 0)) {
      throw new IllegalArgumentException(
          "--warmup-seconds must be a number of seconds above 0, got: " + warmup);
    }
    List<String> scenarios =
        List.of(a.string("--scenarios", "idle,broadcast,chat,slow,storm").split(","));
    List<Protocol> protocols = new ArrayList<>();
    for (String p :
        a.string(
                "--protocols",
                "herald-ws,herald-sse,herald-ndjson,herald-poll,raw-ws,raw-sse,raw-poll,cometd-ws")
            .split(",")) {
      Protocol protocol = Protocol.of(p);
      if (s.httpPublisher() && protocol == Protocol.COMETD_WS) {
        throw new IllegalArgumentException("cometd-ws runs with --publisher inside only");
      }
      protocols.add(protocol);
    }
    System.out.println(
        "push-bench: server on CPUs "
            + (s.taskset() ? s.serverCpus() : "(not pinned)")
            + ", clients on "
            + (s.taskset() ? s.clientCpus() : "(not pinned)")
            + ", "
            + s.repeat()
            + " run(s) each, publisher "
            + (s.httpPublisher() ? "http" : "inside")
            + tool.settleNote()
            + ", results in "
            + s.out().toAbsolutePath());
    if (scenarios.stream().anyMatch(x -> x.trim().equals("paired"))) {
      tool.paired(protocols);
    }
    for (int r = 1; r <= s.repeat(); r++) {
      for (String scenario : scenarios) {
        if (scenario.trim().equals("paired")) {
          continue;
        }
        for (Protocol p : protocols) {
          tool.scenario(scenario.trim(), p, r);
        }
      }
    }
    String md = new Report(s, tool.results, protocols, tool.rates).markdown();
    Files.writeString(s.out().resolve("results.md"), md);
    System.out.println();
    System.out.println(md);
  }

  /** The sizes to run: {@code --sizes} if given, else the quick or the full set. */
  private int[] sizes(int[] quick, int[] full) {
    return sizes != null ? sizes : s.quick() ? quick : full;
  }

  private void scenario(String name, Protocol p, int run) throws Exception {
    if (p.idleOnly() && !"idle".equals(name)) {
      return;
    }
    switch (name) {
      case "idle" -> {
        for (int n : sizes(new int[] {1000}, new int[] {1000, 5000, 15_000})) {
          idle(p, n, run);
        }
      }
      case "broadcast" -> {
        for (int n : sizes(new int[] {1000}, new int[] {1000, 5000, 10_000})) {
          broadcast(p, n, run);
        }
      }
      case "chat" -> {
        for (int n : sizes(new int[] {1000}, new int[] {1000, 5000})) {
          chat(p, n, run);
        }
      }
      case "slow" -> {
        // The raw SSE writer blocks its publisher on a reader that stops: it cannot run this.
        if (p != Protocol.RAW_SSE) {
          slow(p, 1000, run);
        }
      }
      case "storm" -> {
        if (p.resumable()) {
          for (int n : sizes(new int[] {1000}, new int[] {5000})) {
            storm(p, n, run);
          }
        }
      }
      case "resume" -> {
        if (p.resumable()) {
          for (int n : sizes(new int[] {1000}, new int[] {5000})) {
            resume(p, n, run);
          }
        }
      }
      default ->
          throw new IllegalArgumentException(
              "unknown scenario "
                  + name
                  + ": idle, broadcast, chat, slow, storm, resume or paired");
    }
  }

  private void log(String scenario, Protocol p, int n, int run) {
    System.out.println(scenario + " " + p.label() + " N=" + n + " run " + run);
  }

  // ---- idle hold

  private void idle(Protocol p, int n, int run) throws Exception {
    log("idle", p, n, run);
    try (ServerProcess server = ServerProcess.start(s, p.impl(), nextPort++)) {
      // A first group connects and leaves, twice, so that class loading and the code the JIT
      // compiles for the connection path are not counted as memory of the connections measured:
      // the optimizing compiler takes a method after about 5,000 to 15,000 calls, and its code
      // cache and its scratch memory grow the RSS by several MiB when it does.
      for (int round = 0; round < IDLE_WARMUP_ROUNDS; round++) {
        try (ClientGroup warm = new ClientGroup(s, p, server.port(), idleWarmup, 1, 0)) {
          warm.awaitConnected(300);
        }
        // The server is another process, seen only through its stats endpoint: poll it, then give
        // its closing work (timers, buffers returned to pools) a moment before the first reading.
        long deadline = System.currentTimeMillis() + idleSettle * 1000L;
        while (server.stats(false).get("connections").asLong() > 0
            && System.currentTimeMillis() < deadline) {
          Thread.sleep(100);
        }
        Thread.sleep(2000);
      }
      JsonNode before = server.stats(true);
      long rssBefore = server.rssBytes();
      long ready;
      try (ClientGroup clients = new ClientGroup(s, p, server.port(), n, 1, 0)) {
        ready = connect(server, clients, n);
        Thread.sleep(2000);
        JsonNode after = server.stats(true);
        long rssAfter = server.rssBytes();
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("connected", (double) ready);
        f.put("heapPerConn", (after.get("heap").asDouble() - before.get("heap").asDouble()) / n);
        f.put(
            "directPerConn",
            (after.get("direct").asDouble() - before.get("direct").asDouble()) / n);
        f.put("rssPerConn", (rssAfter - rssBefore) / (double) n);
        // Each thread started or ended in between moves the RSS by its stack.
        f.put("threadsAdded", after.get("threads").asDouble() - before.get("threads").asDouble());
        // The heap is touched in full at start (AlwaysPreTouch), so RSS growth is off-heap memory;
        // both readings follow a full GC and a trim of the C heap (see BenchServer's stats).
        f.put("totalPerConn", f.get("heapPerConn") + f.get("rssPerConn"));
        results.add("idle", p, n, f);
      }
    }
  }

  // ---- broadcast 1→N

  private void broadcast(Protocol p, int n, int run) throws Exception {
    log("broadcast", p, n, run);
    try (ServerProcess server = ServerProcess.start(s, p.impl(), nextPort++);
        ClientGroup clients = new ClientGroup(s, p, server.port(), n, 1, 0)) {
      connect(server, clients, n);
      warmUp(server, clients, n, 1);
      double best = 0;
      Map<String, Double> f = new LinkedHashMap<>();
      if (rates != null) {
        // Every rate asked for runs, whatever the one before it showed.
        for (int rate : rates) {
          Step r = step(server, clients, n, 1, rate, s.stepSeconds());
          System.out.println("    " + rate + "/s: " + r);
          f.put("cpuUs_" + rate, r.cpuMicrosPerDelivery());
          f.put("p99_" + rate, r.report().p(99));
          f.put("delivered_" + rate, r.deliveredOverTime());
          f.put("lost_" + rate, (double) r.report().lost());
          f.put("publishFailed_" + rate, (double) r.publishFailed());
          if (r.passed()) {
            best = Math.max(best, rate);
          }
        }
        f.put("maxRate", best);
        results.add("broadcast", p, n, f);
        return;
      }
      for (int rate : LADDER) {
        Step r = step(server, clients, n, 1, rate, s.stepSeconds());
        System.out.println("    " + rate + "/s: " + r);
        if (rate == REFERENCE_RATE) {
          f.put("cpuUsRef", r.cpuMicrosPerDelivery());
          f.put("p99Ref", r.report().p(99));
        }
        if (!r.passed()) {
          f.put("failedAt", (double) rate);
          break;
        }
        best = rate;
        f.put("maxRate", best);
        f.put("measuredRate", r.deliveriesPerSecond());
        f.put("p50", r.report().p(50));
        f.put("p99", r.report().p(99));
        f.put("p999", r.report().p(99.9));
        f.put("max", r.report().maxMillis());
        f.put("cpuUsAtMax", r.cpuMicrosPerDelivery());
      }
      f.putIfAbsent("maxRate", 0.0);
      results.add("broadcast", p, n, f);
    }
  }

  /**
   * Waits until every client is subscribed and the server counts every connection: a raw endpoint
   * registers its socket just after the upgrade answer the client takes as ready.
   */
  private static long connect(ServerProcess server, ClientGroup clients, int n) throws Exception {
    long ready = clients.awaitConnected(300);
    long deadline = System.currentTimeMillis() + 10_000;
    while (server.stats(false).get("connections").asLong() < ready
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    if (ready < n) {
      System.out.println("    only " + ready + " of " + n + " connected; see the client logs");
    }
    return ready;
  }

  /**
   * Publishes for a while before anything is measured, so that the JIT has compiled the delivery
   * path on both sides; on one pinned core, compiling competes with serving for seconds. Then,
   * unless {@code --settle-gc false}, has the server collect its heap in full, which moves what the
   * connections hold into the old generation (see {@link #settleGc}).
   */
  private void warmUp(ServerProcess server, ClientGroup clients, int n, int channels)
      throws Exception {
    for (int i = 0; i < (s.quick() ? 2 : 3); i++) {
      Step w = step(server, clients, n, channels, LADDER[0], warmupSeconds);
      System.out.println("    warm-up: " + w);
    }
    if (settleGc) {
      server.stats(true);
    }
  }

  /** How the warm-ups ended, for the banner and {@code paired.md}. */
  private String settleNote() {
    return settleGc ? ", a full GC after the warm-ups" : ", no GC after the warm-ups";
  }

  /** One measured step at a fixed rate: publish, wait for delivery, report. */
  private Step step(
      ServerProcess server,
      ClientGroup clients,
      int n,
      int channels,
      double deliveriesPerSecond,
      double seconds)
      throws Exception {
    return step(server, clients, n, channels, deliveriesPerSecond, seconds, s.messageBytes());
  }

  private Step step(
      ServerProcess server,
      ClientGroup clients,
      int n,
      int channels,
      double deliveriesPerSecond,
      double seconds,
      int bytes)
      throws Exception {
    Running running = begin(server, clients, n, channels, deliveriesPerSecond, seconds, bytes);
    // The publisher runs on its own for the step's length; delivery is then awaited.
    Thread.sleep((long) (seconds * 1000));
    return running.end();
  }

  /**
   * One step on each server at the same time ({@code paired} with {@code --together}): every server
   * publishes at the rate at once, so that whatever the machine does meanwhile falls on all of them
   * alike. Each server's CPU is read when every server's step is delivered.
   */
  private List<Step> together(
      List<ServerProcess> servers,
      List<ClientGroup> groups,
      int n,
      int channels,
      double deliveriesPerSecond,
      double seconds)
      throws Exception {
    List<Running> running = new ArrayList<>();
    for (int i = 0; i < servers.size(); i++) {
      running.add(
          begin(
              servers.get(i),
              groups.get(i),
              n,
              channels,
              deliveriesPerSecond,
              seconds,
              s.messageBytes()));
    }
    // The publishers run on their own for the step's length; delivery is then awaited.
    Thread.sleep((long) (seconds * 1000));
    for (Running r : running) {
      r.awaitDelivered();
    }
    List<Step> steps = new ArrayList<>();
    for (Running r : running) {
      steps.add(r.end());
    }
    return steps;
  }

  private Running begin(
      ServerProcess server,
      ClientGroup clients,
      int n,
      int channels,
      double deliveriesPerSecond,
      double seconds,
      int bytes)
      throws Exception {
    double rate = deliveriesPerSecond * channels / n;
    clients.send("RESET");
    Running running =
        new Running(
            server,
            clients,
            Math.round(rate * seconds) * n / channels,
            seconds,
            server.cpuSeconds(),
            server.compilerCpuSeconds(),
            System.nanoTime());
    server.publish(channels, rate, seconds, bytes);
    return running;
  }

  /** A step whose publishing has started: the readings it began with. */
  private final class Running {
    final ServerProcess server;
    final ClientGroup clients;
    final long expected;
    final double seconds;
    final double cpu0;
    final double jit0;
    final long t0;
    ClientGroup.Report report;

    Running(
        ServerProcess server,
        ClientGroup clients,
        long expected,
        double seconds,
        double cpu0,
        double jit0,
        long t0) {
      this.server = server;
      this.clients = clients;
      this.expected = expected;
      this.seconds = seconds;
      this.cpu0 = cpu0;
      this.jit0 = jit0;
      this.t0 = t0;
    }

    /** Waits until the publisher is done and every subscriber has it all, or the grace passed. */
    void awaitDelivered() throws Exception {
      if (report == null) {
        server.awaitPublished();
        report = LoadTool.this.awaitDelivered(server, clients, expected, 5_000);
      }
    }

    /** Waits for delivery, then reads the server's CPU since the step began. */
    Step end() throws Exception {
      awaitDelivered();
      double elapsed = (System.nanoTime() - t0) / 1e9;
      double cpu = server.cpuSeconds() - cpu0;
      double jit = server.compilerCpuSeconds() - jit0;
      return new Step(report, cpu, jit, elapsed, seconds, server.publishFailures());
    }
  }

  /** Reports once every subscriber has everything or the grace period has passed. */
  private ClientGroup.Report awaitDelivered(
      ServerProcess server, ClientGroup clients, long expected, long graceMillis) throws Exception {
    long deadline = System.currentTimeMillis() + graceMillis;
    while (true) {
      ClientGroup.Report r = clients.report(server.published());
      if (r.lost() == 0 && r.received() >= expected || System.currentTimeMillis() > deadline) {
        return r;
      }
      Thread.sleep(200);
    }
  }

  /**
   * One measured step. {@code compilerSeconds} is the part of {@code cpuSeconds} that the JIT
   * compiler threads took ({@link ServerProcess#compilerCpuSeconds}), {@code NaN} where not read.
   */
  record Step(
      ClientGroup.Report report,
      double cpuSeconds,
      double compilerSeconds,
      double elapsed,
      double seconds,
      long publishFailed) {
    boolean passed() {
      return report.lost() == 0
          && publishFailed == 0
          && report.closedByServer() == 0
          && report.received() > 0
          && report.p(99) < LATENCY_BOUND_MS;
    }

    double cpuMicrosPerDelivery() {
      return report.received() == 0 ? Double.NaN : cpuSeconds * 1e6 / report.received();
    }

    /** The JIT compiler threads' part of {@link #cpuMicrosPerDelivery}. */
    double compilerMicrosPerDelivery() {
      return report.received() == 0 ? Double.NaN : compilerSeconds * 1e6 / report.received();
    }

    double deliveriesPerSecond() {
      return report.received() / seconds;
    }

    /**
     * Deliveries per second over the time they took: every message was due within the publishing
     * time and arrived at most the worst latency after it, so this is a lower bound that tells a
     * server that kept up (about the offered rate) from one that fell behind and drained late.
     */
    double deliveredOverTime() {
      return report.received() / (seconds + report.maxMillis() / 1000);
    }

    @Override
    public String toString() {
      return String.format(
          java.util.Locale.ROOT,
          "received %d (%.0f/s over the step and its drain) lost %d dup %d closed %d"
              + " publish failed %d p50 %.1f p99 %.1f max %.1f ms, cpu %.2f µs/delivery"
              + " (JIT %.2f)",
          report.received(),
          deliveredOverTime(),
          report.lost(),
          report.duplicates(),
          report.closedByServer(),
          publishFailed,
          report.p(50),
          report.p(99),
          report.maxMillis(),
          cpuMicrosPerDelivery(),
          compilerMicrosPerDelivery());
    }
  }

  // ---- side by side

  /** The broadcast rates {@code paired} runs without {@code --rates}. */
  private static final int[] PAIRED_RATES = {10_000, 20_000, 30_000};

  /**
   * Broadcast (1,000 subscribers, or the first of {@code --sizes}, at each of {@code --rates}) and
   * then chat (100 rooms of 10) for every protocol, with all of their servers up at once on the
   * same CPUs, each with its own clients, and the steps alternated: round by round, rate by rate,
   * one step of each protocol, the first protocol of a round rotating. This machine's cost per
   * delivery drifts by up to 30 % within an hour, and differs from one server start to the next;
   * steps seconds apart on servers started together drift together, so the ratio between a round's
   * steps is steadier than the ratio between runs made minutes apart. One server is loaded at a
   * time; the others idle (their pings and timers run, and are counted to them, not to it).
   *
   * <p>With {@code --together true} every server is loaded at once, each at the step's rate: the
   * machine's moments fall on all of them alike, at the price of sharing the server CPUs (and the
   * clients') between them, so that only rates whose sum the CPUs carry compare anything.
   */
  private void paired(List<Protocol> protocols) throws Exception {
    if (protocols.size() < 2 || protocols.stream().anyMatch(Protocol::idleOnly)) {
      throw new IllegalArgumentException(
          "paired needs two or more protocols that receive messages, got " + protocols);
    }
    int n = sizes != null ? sizes[0] : 1000;
    int[] stepRates = rates != null ? rates : PAIRED_RATES;
    StringBuilder md = new StringBuilder();
    md.append("## Side by side: ").append(n).append(" clients, ").append(s.repeat());
    md.append(" round(s), ").append(together ? "servers loaded together" : "steps alternated");
    md.append(", publisher ").append(s.httpPublisher() ? "http" : "inside");
    md.append(settleNote());
    md.append(", ratios to ").append(protocols.get(protocols.size() - 1).label()).append("\n\n");
    List<String> rows = new ArrayList<>();
    for (int rate : stepRates) {
      rows.add("broadcast " + rate + "/s");
    }
    rows.add("chat " + (10 * n) + "/s");
    // cpu[row][protocol][round], and the JIT compiler threads' part of it
    double[][][] cpu = new double[rows.size()][protocols.size()][s.repeat()];
    double[][][] jit = new double[rows.size()][protocols.size()][s.repeat()];
    sideBySide(protocols, n, 1, stepRates, cpu, jit, 0);
    sideBySide(protocols, n, 100, new int[] {10 * n}, cpu, jit, stepRates.length);
    double[][][] rest = new double[rows.size()][protocols.size()][s.repeat()];
    for (int row = 0; row < rows.size(); row++) {
      for (int i = 0; i < protocols.size(); i++) {
        for (int round = 0; round < s.repeat(); round++) {
          rest[row][i][round] = cpu[row][i][round] - jit[row][i][round];
        }
      }
    }
    List<double[]> ratios = table(md, protocols, rows, cpu);
    md.append(
            "\nThe same steps without the JIT compiler threads' CPU time (a server's compiler works")
        .append(" in its first minutes, and on code that gets hot late):\n\n");
    List<double[]> restRatios = table(md, protocols, rows, rest);
    int last = protocols.size() - 1;
    for (int row = 0; row < rows.size(); row++) {
      for (int i = 0; i < last; i++) {
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("medianRatio", Results.median(numbers(ratios.get(row * last + i))));
        f.put("medianRatioWithoutJit", Results.median(numbers(restRatios.get(row * last + i))));
        results.add("paired " + rows.get(row), protocols.get(i), n, f);
      }
    }
    Files.writeString(s.out().resolve("paired.md"), md);
    System.out.println();
    System.out.println(md);
  }

  /**
   * Appends one table of {@link #paired}: each protocol's µs per delivery, then each protocol's
   * ratio to the last, round by round. Returns the ratios, row by row, protocol by protocol.
   */
  private List<double[]> table(
      StringBuilder md, List<Protocol> protocols, List<String> rows, double[][][] values) {
    md.append("| step |");
    for (Protocol p : protocols) {
      md.append(' ').append(p.label()).append(" µs/delivery |");
    }
    for (int i = 0; i < protocols.size() - 1; i++) {
      md.append(' ').append(protocols.get(i).label()).append(" / last, by round |");
    }
    md.append("\n|---|");
    md.append("---:|".repeat(2 * protocols.size() - 1)).append('\n');
    int last = protocols.size() - 1;
    List<double[]> ratios = new ArrayList<>();
    for (int row = 0; row < rows.size(); row++) {
      md.append("| ").append(rows.get(row)).append(" |");
      for (int i = 0; i < protocols.size(); i++) {
        md.append(' ').append(Results.spread(numbers(values[row][i]), 1, 2)).append(" |");
      }
      for (int i = 0; i < last; i++) {
        double[] ratio = new double[s.repeat()];
        for (int round = 0; round < s.repeat(); round++) {
          ratio[round] = values[row][i][round] / values[row][last][round];
        }
        md.append(' ').append(Results.spread(numbers(ratio), 1, 2)).append(" |");
        ratios.add(ratio);
      }
      md.append('\n');
    }
    return ratios;
  }

  /**
   * One phase of {@link #paired}: a server and clients on {@code channels} channels per protocol,
   * each warmed up, then the alternated steps; fills {@code cpu[firstRow + rate's index]} and
   * {@code jit[…]}, the JIT compiler threads' part of it.
   */
  private void sideBySide(
      List<Protocol> protocols,
      int n,
      int channels,
      int[] stepRates,
      double[][][] cpu,
      double[][][] jit,
      int firstRow)
      throws Exception {
    List<ServerProcess> servers = new ArrayList<>();
    List<ClientGroup> groups = new ArrayList<>();
    try {
      for (Protocol p : protocols) {
        ServerProcess server = ServerProcess.start(s, p.impl(), nextPort++);
        servers.add(server);
        ClientGroup clients = new ClientGroup(s, p, server.port(), n, channels, 0);
        groups.add(clients);
        connect(server, clients, n);
      }
      for (int i = 0; i < protocols.size(); i++) {
        System.out.println(
            "  " + protocols.get(i).label() + (channels == 1 ? " broadcast" : " chat"));
        warmUp(servers.get(i), groups.get(i), n, channels);
      }
      double seconds = channels == 1 ? s.stepSeconds() : s.stepSeconds() * 2;
      for (int round = 0; round < s.repeat(); round++) {
        for (int r = 0; r < stepRates.length; r++) {
          if (together) {
            List<Step> steps = together(servers, groups, n, channels, stepRates[r], seconds);
            for (int i = 0; i < protocols.size(); i++) {
              String label = protocols.get(i).label() + " " + stepRates[r] + "/s, together";
              record(round, label, steps.get(i), cpu[firstRow + r][i], jit[firstRow + r][i]);
            }
            continue;
          }
          for (int k = 0; k < protocols.size(); k++) {
            int i = (round + k) % protocols.size();
            Step step = step(servers.get(i), groups.get(i), n, channels, stepRates[r], seconds);
            String label = protocols.get(i).label() + " " + stepRates[r] + "/s";
            record(round, label, step, cpu[firstRow + r][i], jit[firstRow + r][i]);
          }
        }
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

  /**
   * Prints a side-by-side step and keeps its CPU per delivery, and the compiler's part of it, for
   * the round; a step that did not pass counts as no figure.
   */
  private static void record(int round, String label, Step step, double[] cpu, double[] jit) {
    System.out.printf("    round %d %s: %s%n", round + 1, label, step);
    cpu[round] = step.passed() ? step.cpuMicrosPerDelivery() : Double.NaN;
    jit[round] = step.passed() ? step.compilerMicrosPerDelivery() : Double.NaN;
  }

  /** The values that are numbers, sorted ascending. */
  private static List<Double> numbers(double[] values) {
    return java.util.Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().boxed().toList();
  }

  // ---- chat

  private void chat(Protocol p, int n, int run) throws Exception {
    log("chat", p, n, run);
    int rooms = 100;
    try (ServerProcess server = ServerProcess.start(s, p.impl(), nextPort++);
        ClientGroup clients = new ClientGroup(s, p, server.port(), n, rooms, 0)) {
      connect(server, clients, n);
      // 10 messages per second per room, each to the room's n / rooms members.
      double deliveries = 10.0 * n;
      warmUp(server, clients, n, rooms);
      Step r = step(server, clients, n, rooms, deliveries, s.stepSeconds() * 2);
      System.out.println("    " + r);
      Map<String, Double> f = new LinkedHashMap<>();
      f.put("rate", r.deliveriesPerSecond());
      f.put("p50", r.report().p(50));
      f.put("p99", r.report().p(99));
      f.put("max", r.report().maxMillis());
      f.put("lost", (double) r.report().lost());
      f.put("cpuUs", r.cpuMicrosPerDelivery());
      results.add("chat", p, n, f);
    }
  }

  // ---- slow consumers

  private void slow(Protocol p, int n, int run) throws Exception {
    log("slow", p, n, run);
    // 1 KiB messages, so that a reader that stops fills its socket buffers and then the server's
    // queue for it within the run.
    int bytes = 1024;
    try (ServerProcess server = ServerProcess.start(s, p.impl(), nextPort++);
        ClientGroup clients = new ClientGroup(s, p, server.port(), n, 1, 0.01)) {
      connect(server, clients, n);
      double deliveries = 50.0 * n;
      warmUp(server, clients, n, 1);
      Step normal = step(server, clients, n, 1, deliveries, s.stepSeconds() * 2, bytes);
      long heapBefore = server.stats(true).get("heap").asLong();
      int connsBefore = server.stats(false).get("connections").asInt();
      clients.send("SLOW");
      clients.send("RESET");
      double cpu0 = server.cpuSeconds();
      double seconds = s.stepSeconds() * 8;
      server.publish(1, deliveries / n, seconds, bytes);
      Thread.sleep((long) (seconds * 1000));
      server.awaitPublished();
      long expected = Math.round(deliveries * seconds) * (n - n / 100) / n;
      ClientGroup.Report r = awaitDelivered(server, clients, expected, 5_000);
      double cpu = server.cpuSeconds() - cpu0;
      int connsAfter = server.stats(false).get("connections").asInt();
      // After a full GC, with the slow readers still connected and still not reading: what the
      // server holds for them.
      long heapAfter = server.stats(true).get("heap").asLong();
      Step slowed = new Step(r, cpu, Double.NaN, 0, seconds, server.publishFailures());
      System.out.println("    normal: " + normal + "\n    slowed: " + slowed);
      Map<String, Double> f = new LinkedHashMap<>();
      f.put("p99Normal", normal.report().p(99));
      f.put("p99Slowed", r.p(99));
      f.put("maxSlowed", r.maxMillis());
      f.put("lostOthers", (double) r.lost());
      f.put("slowClosed", (double) (connsBefore - connsAfter));
      f.put("heapHeldMiB", (heapAfter - heapBefore) / 1048576.0);
      results.add("slow", p, n, f);
    }
  }

  // ---- reconnect storm

  private void storm(Protocol p, int n, int run) throws Exception {
    log("storm", p, n, run);
    try (ServerProcess server = ServerProcess.start(s, p.impl(), nextPort++);
        ClientGroup clients = new ClientGroup(s, p, server.port(), n, 1, 0)) {
      connect(server, clients, n);
      double rate = 10;
      // Four steps of publishing (20 s by default); every client drops after the first.
      double seconds = 4 * s.stepSeconds();
      warmUp(server, clients, n, 1);
      clients.send("RESET");
      double cpu0 = server.cpuSeconds();
      server.publish(1, rate, seconds, s.messageBytes());
      // Every client drops one step into the publishing: a point in time, not a condition.
      Thread.sleep((long) (s.stepSeconds() * 1000));
      long dropped = System.nanoTime();
      clients.send("DROP");
      long back = clients.awaitConnected(120);
      double reconnectSeconds = (System.nanoTime() - dropped) / 1e9;
      server.awaitPublished();
      ClientGroup.Report r =
          awaitDelivered(server, clients, Math.round(rate * seconds) * n, 10_000);
      double cpu = server.cpuSeconds() - cpu0;
      System.out.printf(
          "    %d of %d back in %.2f s; lost %d dup %d resets %d p99 %.1f max %.1f ms%n",
          back, n, reconnectSeconds, r.lost(), r.duplicates(), r.resets(), r.p(99), r.maxMillis());
      Map<String, Double> f = new LinkedHashMap<>();
      f.put("reconnected", (double) back);
      f.put("reconnectSeconds", reconnectSeconds);
      f.put("lost", (double) r.lost());
      f.put("duplicates", (double) r.duplicates());
      f.put("resets", (double) r.resets());
      f.put("p99", r.p(99));
      f.put("max", r.maxMillis());
      f.put("cpuSeconds", cpu);
      results.add("storm", p, n, f);
    }
  }

  // ---- resuming clients: the server's cost of one client that comes back and catches up

  /** Messages each client misses while away, and so resumes. */
  private static final int MISSED = 100;

  /**
   * All clients leave at once; {@value #MISSED} messages are published while they are away; then
   * they all come back at once, each resuming from its cursor. The server's CPU from their return
   * until every missed message is delivered, divided by the clients, is the cost of one resuming
   * client: its connection, subscription, replay and writes. Nothing else runs meanwhile. The
   * rounds before the last warm the path up (on one pinned core the JIT still compiles the
   * handshake and replay through the second round); the last is reported.
   */
  private void resume(Protocol p, int n, int run) throws Exception {
    log("resume", p, n, run);
    try (ServerProcess server = ServerProcess.start(s, p.impl(), nextPort++);
        ClientGroup clients = new ClientGroup(s, p, server.port(), n, 1, 0)) {
      connect(server, clients, n);
      // A few messages first, so that every client holds a cursor from a message (an SSE client
      // takes its cursor from the events' ids).
      clients.send("RESET");
      server.publish(1, 20, 0.5, s.messageBytes());
      server.awaitPublished();
      awaitDelivered(server, clients, 10L * n, 10_000);
      int rounds = s.resumeRounds();
      for (int round = 1; round <= rounds; round++) {
        clients.send("AWAY");
        // Lets the server finish closing them, so that the closes are not counted.
        Thread.sleep(3000);
        server.publish(1, MISSED * 4, 0.25, s.messageBytes());
        server.awaitPublished();
        // Lets the server go quiet after the publishes, so that the window counts only the return.
        Thread.sleep(500);
        clients.send("RESET");
        double cpu0 = server.cpuSeconds();
        long started = System.nanoTime();
        clients.send("BACK");
        long back = clients.awaitConnected(120);
        double reconnectSeconds = (System.nanoTime() - started) / 1e9;
        ClientGroup.Report r = awaitDelivered(server, clients, (long) MISSED * n, 30_000);
        double cpu = server.cpuSeconds() - cpu0;
        double perClient = cpu * 1e3 / n;
        System.out.printf(
            "    round %d: %d of %d back in %.2f s, received %d; lost %d dup %d resets %d;"
                + " cpu %.3f ms per resuming client%n",
            round,
            back,
            n,
            reconnectSeconds,
            r.received(),
            r.lost(),
            r.duplicates(),
            r.resets(),
            perClient);
        if (round == rounds) {
          Map<String, Double> f = new LinkedHashMap<>();
          f.put("reconnected", (double) back);
          f.put("reconnectSeconds", reconnectSeconds);
          f.put("received", (double) r.received());
          f.put("lost", (double) r.lost());
          f.put("duplicates", (double) r.duplicates());
          f.put("resets", (double) r.resets());
          f.put("cpuMillisPerClient", perClient);
          results.add("resume", p, n, f);
        }
      }
    }
  }
}
