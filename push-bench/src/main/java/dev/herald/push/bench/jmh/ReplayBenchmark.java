package dev.herald.push.bench.jmh;

import dev.herald.push.Channel;
import dev.herald.push.Client;
import dev.herald.push.Cursor;
import dev.herald.push.InMemoryBroker;
import dev.herald.push.Position;
import dev.herald.push.PushHub;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Connection;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.Replay;
import dev.herald.push.spi.TransportContext;
import dev.herald.push.spi.WireFormat;
import java.time.Duration;
import java.util.List;
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

/**
 * The time one client takes to resume from history: µs per resume.
 *
 * <p>Setup publishes 10,000 messages of about 100 bytes on one channel of an {@link InMemoryBroker}
 * that keeps them all. One operation connects a new client through the public {@link
 * TransportContext#connect} with a {@link Cursor} 1,000 messages behind the head, waits until its
 * {@link CountingSink} has received all 1,000 replayed message frames, checks there are exactly
 * 1,000, and closes the connection. The time therefore covers connect, the broker's replay in
 * batches of 500, encoding each replayed message for this client, the cursor of every frame, the
 * outbox with its half-full pauses, and close. One idle subscriber stays on the channel throughout,
 * so the channel's live route exists, as it does on a channel in use, and is not rebuilt by each
 * resume. Each iteration's teardown checks that the last resumed client's last frame carries the
 * head position and that no resumed connection is left open.
 *
 * <p>Parameters: {@code format} ({@code WEBSOCKET} or {@code SSE}); {@code executor}, the hub's
 * executor: {@code direct} (every task on the calling thread, so the replay finishes inside {@code
 * connect}) or {@code pool} (two threads, as the hub makes by default on two cores).
 *
 * <p>Run: {@code java -cp push-bench/target/push-bench.jar org.openjdk.jmh.Main ReplayBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ReplayBenchmark {
  static final String CHANNEL = "bench/replay";
  static final List<String> CHANNELS = List.of(CHANNEL);
  static final int HISTORY = 10_000;
  static final int BACKLOG = 1_000;

  @Param({"WEBSOCKET", "SSE"})
  public WireFormat format;

  @Param({"direct", "pool"})
  public String executor;

  private DispatchExecutor dispatch;
  private InMemoryBroker broker;
  private PushHub hub;
  private Position head;
  private Cursor resumeFrom;
  private CountingSink anchorSink;
  private final DeliveryCounter counter = new DeliveryCounter();
  private long expected;
  private long resumes;
  private CountingSink lastSink;

  @Setup(Level.Trial)
  public void setUp() {
    dispatch = DispatchExecutor.create(executor);
    broker = InMemoryBroker.builder().historySize(HISTORY).historyMaxBytes(64L << 20).build();
    hub =
        PushHub.builder()
            .broker(broker)
            .executor(dispatch)
            .heartbeatInterval(Duration.ofHours(1))
            .build();
    Channel channel = hub.channel(CHANNEL);
    for (int i = 1; i <= HISTORY; i++) {
      String payload =
          "{\"symbol\":\"EURUSD\",\"bid\":1.08423,\"ask\":1.08431,\"venue\":\"LMAX\",\"seq\":"
              + i
              + ",\"ts\":\"2026-11-28T19:00:00Z\"}";
      channel.publishJson("tick", payload).toCompletableFuture().join();
    }
    head = channel.position().toCompletableFuture().join();
    Replay all =
        channel.history(new Position(head.epoch(), 0), HISTORY).toCompletableFuture().join();
    if (head.offset() != HISTORY || all.reset() || all.messages().size() != HISTORY) {
      throw new IllegalStateException(
          "history holds " + all.messages().size() + " messages up to " + head);
    }
    resumeFrom = Cursor.empty().with(CHANNEL, new Position(head.epoch(), HISTORY - BACKLOG));

    anchorSink = new CountingSink(new DeliveryCounter());
    hub.transportContext()
        .connect(new Client("anchor", null, null), format, anchorSink, CHANNELS, null);
    Await.until(() -> channel.subscriberCount() == 1, "the idle subscriber");
  }

  @Benchmark
  public Connection resume() {
    CountingSink sink = new CountingSink(counter);
    expected += BACKLOG;
    Connection connection =
        hub.transportContext()
            .connect(
                new Client("resume-" + resumes++, null, null), format, sink, CHANNELS, resumeFrom);
    counter.awaitAtLeast(expected);
    if (sink.messages() != BACKLOG) {
      throw new IllegalStateException(
          "resumed client got " + sink.messages() + " frames, expected " + BACKLOG);
    }
    connection.close(CloseReason.CLIENT_GONE);
    lastSink = sink;
    return connection;
  }

  @TearDown(Level.Iteration)
  public void checkIteration() {
    Frame last = lastSink.lastMessage();
    Position reached = Cursor.decode(last.cursor()).position(CHANNEL);
    if (!head.equals(reached)) {
      throw new IllegalStateException("the last replayed frame is at " + reached + ", not " + head);
    }
    if (counter.delivered() != expected || anchorSink.messages() != 0) {
      throw new IllegalStateException(
          counter.delivered() + " frames delivered, expected " + expected);
    }
    if (hub.connectionCount() != 1) {
      throw new IllegalStateException(hub.connectionCount() + " connections open, expected 1");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    System.out.printf(
        "%n[check] %,d resumes x %,d replayed frames = %,d frames delivered%n",
        resumes, BACKLOG, counter.delivered());
    hub.close();
    broker.close();
    dispatch.close();
  }
}
