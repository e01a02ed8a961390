package dev.herald.push.bench.jmh;

import com.sun.management.OperatingSystemMXBean;
import dev.herald.push.Channel;
import dev.herald.push.Client;
import dev.herald.push.PushHub;
import dev.herald.push.redis.RedisBroker;
import dev.herald.push.spi.WireFormat;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * The durable publish against the ephemeral one on a {@link RedisBroker}: the {@code publish.lua}
 * script (XADD, HSET, trim check, PEXPIRE and PUBLISH in one call) against a bare {@code PUBLISH}.
 *
 * <p>The trial starts its own {@code redis-server} ({@code $REDIS_SERVER}, else the one on the
 * {@code PATH}, else {@code /usr/bin/redis-server}) on a free loopback port, without persistence,
 * and one hub on a {@code RedisBroker} with {@code subscribers} {@link CountingSink}s on one
 * channel (WebSocket frames, the hub's drainers on {@link DispatchExecutor#POOL_THREADS} threads).
 * One operation publishes one 104-byte message and returns once every sink has it, so it is the
 * round trip publish → Redis → the node's Pub/Sub subscription → fan-out, one message at a time.
 *
 * <p>Score: average time per message, in µs (latency, one message in flight). The trial's teardown
 * also prints {@code [cpu]}: the CPU time of the {@code redis-server} process and of this JVM over
 * the measurement iterations, per message, read from {@code /proc} and the JVM's process CPU time.
 *
 * <p>Run: {@code java -jar push-bench/target/push-bench.jar jmh RedisPublishBenchmark}. Linux only
 * (it reads {@code /proc/<pid>/stat}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RedisPublishBenchmark {
  static final String CHANNEL = "bench/redis";
  private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

  @Param({"1", "100", "1000"})
  public int subscribers;

  private Process redis;
  private Path redisDir;
  private RedisBroker broker;
  private DispatchExecutor dispatch;
  private PushHub hub;
  private Channel channel;
  private final DeliveryCounter counter = new DeliveryCounter();
  private final List<CountingSink> sinks = new ArrayList<>();
  private long published;
  private long expected;

  private boolean measuring;
  private long iterationStartOps;
  private long iterationStartRedisTicks;
  private long iterationStartJvmNanos;
  private long measuredOps;
  private long measuredRedisTicks;
  private long measuredJvmNanos;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    int port = freePort();
    redisDir = Files.createTempDirectory("herald-bench-redis");
    redis =
        new ProcessBuilder(
                redisBinary(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                redisDir.toString())
            .redirectErrorStream(true)
            .redirectOutput(redisDir.resolve("redis.log").toFile())
            .start();
    Await.until(() -> answersPing(port), "redis-server on port " + port);
    broker = RedisBroker.builder().redisUri("redis://127.0.0.1:" + port).build();
    dispatch = DispatchExecutor.create("pool");
    hub = dispatch.hubBuilder().broker(broker).build();
    channel = hub.channel(CHANNEL);
    for (int i = 0; i < subscribers; i++) {
      CountingSink sink = new CountingSink(counter);
      sinks.add(sink);
      hub.transportContext()
          .connect(
              new Client("redis-" + i, null, null),
              WireFormat.WEBSOCKET,
              sink,
              List.of(CHANNEL),
              null);
    }
    Await.until(() -> channel.subscriberCount() == subscribers, subscribers + " live subscribers");
    // The route is live once a message comes back through Redis; then one ephemeral reaches all.
    durable();
    ephemeral();
  }

  /** {@code publish.lua}: stored in the channel's stream, then published. */
  @Benchmark
  public void durable() {
    expected += subscribers;
    published++;
    CompletableFuture<?> sent =
        channel.publishJson("tick", FanOutBenchmark.PAYLOAD).toCompletableFuture();
    counter.awaitAtLeast(expected);
    sent.join();
  }

  /** {@code PUBLISH} only. */
  @Benchmark
  public void ephemeral() {
    expected += subscribers;
    published++;
    CompletableFuture<?> sent =
        channel.publishEphemeralJson("tick", FanOutBenchmark.PAYLOAD).toCompletableFuture();
    counter.awaitAtLeast(expected);
    sent.join();
  }

  @Setup(Level.Iteration)
  public void startIteration(IterationParams params) throws IOException {
    measuring = params.getType() == IterationType.MEASUREMENT;
    iterationStartOps = published;
    iterationStartRedisTicks = redisTicks();
    iterationStartJvmNanos = jvmCpuNanos();
  }

  @TearDown(Level.Iteration)
  public void endIteration() throws IOException {
    if (measuring) {
      measuredOps += published - iterationStartOps;
      measuredRedisTicks += redisTicks() - iterationStartRedisTicks;
      measuredJvmNanos += jvmCpuNanos() - iterationStartJvmNanos;
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    try {
      for (CountingSink sink : sinks) {
        if (sink.messages() != published) {
          throw new IllegalStateException(
              "a subscriber got " + sink.messages() + " frames of " + published + " published");
        }
      }
      double redisMicros = measuredRedisTicks * 1e6 / TICKS_PER_SECOND / measuredOps;
      double jvmMicros = measuredJvmNanos / 1e3 / measuredOps;
      System.out.printf(
          "%n[check] %,d messages x %,d subscribers delivered%n"
              + "[cpu] %,d measured messages: redis-server %.1f µs/message, this JVM %.1f µs/message"
              + " (%.3f µs/delivery)%n",
          published, subscribers, measuredOps, redisMicros, jvmMicros, jvmMicros / subscribers);
    } finally {
      hub.close();
      broker.close();
      dispatch.close();
      redis.destroy();
      redis.waitFor(10, TimeUnit.SECONDS);
      try (var files = Files.list(redisDir)) {
        for (Path p : files.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(redisDir);
    }
  }

  private long redisTicks() throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(redis.pid()), "stat"));
    // Fields after the command name in parentheses: state is field 3, utime 14, stime 15.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static long jvmCpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static String redisBinary() {
    String configured = System.getenv("REDIS_SERVER");
    if (configured != null && !configured.isEmpty()) {
      return configured;
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        File candidate = new File(dir, "redis-server");
        if (candidate.canExecute()) {
          return candidate.getAbsolutePath();
        }
      }
    }
    return "/usr/bin/redis-server";
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static boolean answersPing(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(1000);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[7];
      int n = in.readNBytes(buf, 0, 7);
      return n == 7 && new String(buf, StandardCharsets.US_ASCII).equals("+PONG\r\n");
    } catch (IOException e) {
      return false;
    }
  }
}
