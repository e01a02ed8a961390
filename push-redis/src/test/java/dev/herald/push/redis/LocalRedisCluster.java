package dev.herald.push.redis;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis Cluster for tests: three masters and three replicas, each a {@code redis-server}
 * child process on the loopback address, on free ports whose cluster bus ports (port + 10,000) are
 * free too. The cluster is built with plain cluster commands ({@code CLUSTER ADDSLOTSRANGE}, {@code
 * MEET}, {@code REPLICATE}), as {@code redis-cli --cluster create} does. A short node timeout (1 s)
 * keeps failovers quick; {@code cluster-require-full-coverage no} lets the other shards serve while
 * one fails over. Without a {@code redis-server} binary (see {@link LocalRedis#findBinary}) the
 * calling test is skipped, or fails when {@code CI=true}. Not thread-safe; confine to the test
 * thread.
 */
final class LocalRedisCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalRedisCluster.class);
  static final int NODE_TIMEOUT_MILLIS = 1000;

  /** One {@code redis-server} of the cluster. Not thread-safe. */
  final class Instance {
    final int port;
    final Path dir;
    Process process;
    String id;

    Instance(int port, Path dir) {
      this.port = port;
      this.dir = dir;
    }

    Object call(String... args) {
      return Resp.call("127.0.0.1", port, args);
    }

    String command(String... args) {
      return Resp.command("127.0.0.1", port, args);
    }

    boolean alive() {
      return process != null && process.isAlive();
    }

    /** The master this replica follows, or {@code null} for a master. */
    String masterId() {
      for (String line : nodesLines(this)) {
        String[] f = line.split(" ");
        if (f[2].contains("myself")) {
          return f[2].contains("slave") ? f[3] : null;
        }
      }
      return null;
    }

    /** Kills the process at once: no shutdown, no save. */
    void kill() {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** Stops ({@code SIGSTOP}) or continues ({@code SIGCONT}) the process. */
    void signal(String signal) {
      try {
        Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** Starts it again on its port with its cluster config: it rejoins the cluster. */
    void restart() {
      launch(this);
    }

    @Override
    public String toString() {
      return "redis-server:" + port;
    }
  }

  private final String binary;
  private final Path root;
  private final List<Instance> instances = new ArrayList<>();

  private LocalRedisCluster(String binary, Path root) {
    this.binary = binary;
    this.root = root;
  }

  /** Starts and forms the cluster, or skips (fails under CI) without a {@code redis-server}. */
  static LocalRedisCluster start() {
    String binary = LocalRedis.findBinary(System.getenv());
    if (binary == null) {
      String why =
          "no redis-server for the Redis Cluster tests (install Debian's redis-server package or"
              + " set REDIS_SERVER)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail(why + "; CI=true requires them to run");
      }
      Assumptions.abort(why + "; skipping");
    }
    try {
      Path root = Files.createDirectories(Path.of("target", "redis-cluster"));
      LocalRedisCluster cluster = new LocalRedisCluster(binary, root);
      try {
        cluster.form();
      } catch (RuntimeException | Error e) {
        cluster.close();
        throw e;
      }
      return cluster;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void form() throws IOException {
    List<Integer> ports = ports(6);
    for (int port : ports) {
      Path dir = root.resolve(Integer.toString(port));
      if (Files.exists(dir)) {
        try (Stream<Path> files = Files.walk(dir)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
      Instance instance = new Instance(port, Files.createDirectories(dir));
      instances.add(instance);
      launch(instance);
      instance.id = (String) instance.call("CLUSTER", "MYID");
    }
    int[][] ranges = {{0, 5460}, {5461, 10922}, {10923, 16383}};
    for (int i = 0; i < 3; i++) {
      instances
          .get(i)
          .command(
              "CLUSTER",
              "ADDSLOTSRANGE",
              Integer.toString(ranges[i][0]),
              Integer.toString(ranges[i][1]));
    }
    for (Instance instance : instances.subList(1, 6)) {
      instance.command("CLUSTER", "MEET", "127.0.0.1", Integer.toString(instances.get(0).port));
    }
    await("all nodes know each other")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> instances.stream().allMatch(i -> nodesLines(i).size() == 6));
    for (int i = 3; i < 6; i++) {
      Instance replica = instances.get(i);
      String master = instances.get(i - 3).id;
      await("replica " + replica + " attached")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> replica.command("CLUSTER", "REPLICATE", master).startsWith("+OK"));
    }
    awaitHealthy();
    LOG.info("Redis Cluster up: {}", uri());
  }

  /**
   * Waits until every live node says {@code cluster_state:ok}, every master of a slot is alive and
   * has a replica in sync.
   */
  void awaitHealthy() {
    await("the Redis Cluster is healthy")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(
            () -> {
              for (Instance i : instances) {
                if (i.alive()
                    && !((String) i.call("CLUSTER", "INFO")).contains("cluster_state:ok")) {
                  return false;
                }
              }
              List<Instance> masters = masters();
              if (masters.size() != 3) {
                return false;
              }
              for (Instance m : masters) {
                String info = (String) m.call("INFO", "replication");
                if (!info.contains("connected_slaves:1") || !info.contains("state=online")) {
                  return false;
                }
              }
              return true;
            });
  }

  /** The live masters that hold slots. */
  List<Instance> masters() {
    List<Instance> masters = new ArrayList<>();
    for (Instance i : instances) {
      if (i.alive() && i.masterId() == null && ownsSlots(i)) {
        masters.add(i);
      }
    }
    return masters;
  }

  private boolean ownsSlots(Instance i) {
    for (String line : nodesLines(i)) {
      String[] f = line.split(" ");
      if (f[2].contains("myself")) {
        return f.length > 8;
      }
    }
    return false;
  }

  /** The slot of a key, as Redis computes it. */
  int slot(String key) {
    return ((Long) live().call("CLUSTER", "KEYSLOT", key)).intValue();
  }

  /** The live master that owns a slot, as the live nodes agree. */
  Instance masterOf(int slot) {
    for (Instance m : masters()) {
      for (String line : nodesLines(m)) {
        String[] f = line.split(" ");
        if (!f[2].contains("myself")) {
          continue;
        }
        for (int k = 8; k < f.length; k++) {
          if (f[k].startsWith("[")) {
            continue;
          }
          String[] range = f[k].split("-");
          int from = Integer.parseInt(range[0]);
          int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
          if (slot >= from && slot <= to) {
            return m;
          }
        }
      }
    }
    throw new IllegalStateException("no live master owns slot " + slot);
  }

  /** The live replica of a master. */
  Instance replicaOf(Instance master) {
    for (Instance i : instances) {
      if (i.alive() && master.id.equals(i.masterId())) {
        return i;
      }
    }
    throw new IllegalStateException("no live replica of " + master);
  }

  /** Another live master than {@code master}. */
  Instance otherMaster(Instance master) {
    return masters().stream()
        .filter(m -> m != master)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no other master"));
  }

  /** Waits until the replica is a master (a failover promoted it). */
  void awaitPromoted(Instance replica) {
    await(replica + " promoted")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> replica.masterId() == null);
  }

  /**
   * Moves a slot, with its keys, from one master to another, step by step as {@code redis-cli
   * --cluster reshard} does: {@code IMPORTING}/{@code MIGRATING}, {@code MIGRATE} of every key in
   * batches, then {@code SETSLOT NODE} on both and the other masters.
   */
  void moveSlot(int slot, Instance from, Instance to) {
    String s = Integer.toString(slot);
    expectOk(to.command("CLUSTER", "SETSLOT", s, "IMPORTING", from.id));
    expectOk(from.command("CLUSTER", "SETSLOT", s, "MIGRATING", to.id));
    while (true) {
      @SuppressWarnings("unchecked")
      List<Object> keys = (List<Object>) from.call("CLUSTER", "GETKEYSINSLOT", s, "10");
      if (keys.isEmpty()) {
        break;
      }
      List<String> args =
          new ArrayList<>(
              List.of("MIGRATE", "127.0.0.1", Integer.toString(to.port), "", "0", "5000", "KEYS"));
      keys.forEach(k -> args.add((String) k));
      String reply = from.command(args.toArray(String[]::new));
      if (!reply.startsWith("+OK") && !reply.startsWith("+NOKEY")) {
        throw new IllegalStateException("MIGRATE failed: " + reply);
      }
    }
    expectOk(to.command("CLUSTER", "SETSLOT", s, "NODE", to.id));
    expectOk(from.command("CLUSTER", "SETSLOT", s, "NODE", to.id));
    for (Instance m : masters()) {
      if (m != from && m != to) {
        m.command("CLUSTER", "SETSLOT", s, "NODE", to.id);
      }
    }
  }

  private static void expectOk(String reply) {
    if (!reply.startsWith("+OK")) {
      throw new IllegalStateException("Redis answered " + reply);
    }
  }

  /** {@code redis-cluster://} with the three original masters' addresses. */
  String uri() {
    StringBuilder sb = new StringBuilder("redis-cluster://");
    for (int i = 0; i < 3; i++) {
      sb.append(i == 0 ? "" : ",").append("127.0.0.1:").append(instances.get(i).port);
    }
    return sb.toString();
  }

  List<Instance> instances() {
    return instances;
  }

  private Instance live() {
    return instances.stream()
        .filter(Instance::alive)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no live node"));
  }

  private static List<String> nodesLines(Instance i) {
    String nodes = (String) i.call("CLUSTER", "NODES");
    return nodes.lines().filter(l -> !l.isBlank()).toList();
  }

  private void launch(Instance instance) {
    ProcessBuilder pb =
        new ProcessBuilder(
            binary,
            "--port",
            Integer.toString(instance.port),
            "--bind",
            "127.0.0.1",
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            "nodes.conf",
            "--cluster-node-timeout",
            Integer.toString(NODE_TIMEOUT_MILLIS),
            "--cluster-replica-validity-factor",
            "0",
            "--cluster-require-full-coverage",
            "no",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            instance.dir.toAbsolutePath().toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(instance.dir.resolve("redis.log").toFile()));
    try {
      instance.process = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + binary, e);
    }
    Process started = instance.process;
    Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
    await("redis-server on port " + instance.port)
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(
            () -> {
              if (!started.isAlive()) {
                throw new AssertionError(
                    "redis-server exited; see " + instance.dir.resolve("redis.log"));
              }
              return "+PONG".equals(Resp.command("127.0.0.1", instance.port, "PING"));
            });
  }

  /** Free ports below 22,000 whose cluster bus port (+10,000) is free too. */
  private static List<Integer> ports(int count) {
    List<Integer> ports = new ArrayList<>();
    for (int attempt = 0; attempt < 2000 && ports.size() < count; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(12_000, 22_000);
      if (!ports.contains(port) && free(port) && free(port + 10_000)) {
        ports.add(port);
      }
    }
    if (ports.size() < count) {
      throw new IllegalStateException("not enough free port pairs for a Redis Cluster");
    }
    return ports;
  }

  private static boolean free(int port) {
    try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
      socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    for (Instance i : instances) {
      if (i.process != null && i.process.isAlive()) {
        i.signal("CONT");
        i.process.destroyForcibly();
      }
    }
    for (Instance i : instances) {
      if (i.process != null) {
        try {
          i.process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
