package dev.herald.push.bench.jmh;

import dev.herald.push.Channel;
import dev.herald.push.Client;
import dev.herald.push.InMemoryBroker;
import dev.herald.push.PushHub;
import dev.herald.push.spi.TransportContext;
import dev.herald.push.spi.WireFormat;
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

/**
 * What skipping the history saves: one channel fanned out to in-memory subscribers, a durable
 * publish ({@link Channel#publishJson}) against an ephemeral one ({@link
 * Channel#publishEphemeralJson}) at the same fan-out.
 *
 * <p>Both benchmark methods publish one 104-byte JSON message (the payload of {@link
 * FanOutBenchmark}) on a hub with the default {@link InMemoryBroker} and return only once every
 * subscriber's {@link CountingSink} has received its message frame, so the score covers the whole
 * server path: for {@code durable} the history append and offset, the shared frame body and per
 * subscriber the cursor update and its encoding; for {@code ephemeral} the frame built once per
 * wire format and shared by every subscriber; and for both the route, the outboxes, the hand-off to
 * the drainers and the writes. Subscribers connect through {@link TransportContext#connect} without
 * a cursor, so they are live (not replaying) when the first message comes.
 *
 * <p>Parameters: {@code subscribers} (1, 100, 1,000), {@code format} ({@code WEBSOCKET} or {@code
 * SSE}) and {@code executor} ({@code direct}: every task on the publishing thread, the score is CPU
 * alone; {@code pool}: the hub's two drainer threads, with hand-offs and wake-ups), as in {@link
 * DispatchExecutor}. Heartbeats are off, and so is the spacing of a busy channel's walks ({@code
 * maxBatchDelay} zero): an operation has one message in flight, so a wait would only add idle time.
 *
 * <p>Score: average time per message delivered to all subscribers, in ns; the cost of one delivery
 * is the score divided by {@code subscribers}. The trial's teardown checks that every sink received
 * exactly one frame per operation.
 *
 * <p>Run: {@code java -jar push-bench/target/push-bench.jar jmh EphemeralFanOutBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class EphemeralFanOutBenchmark {
  static final String CHANNEL = "bench/ephemeral";

  @Param({"1", "100", "1000"})
  public int subscribers;

  @Param({"WEBSOCKET", "SSE"})
  public WireFormat format;

  @Param({"direct", "pool"})
  public String executor;

  private DispatchExecutor dispatch;
  private PushHub hub;
  private Channel channel;
  private final DeliveryCounter counter = new DeliveryCounter();
  private final List<CountingSink> sinks = new ArrayList<>();
  private long published;
  private long expected;

  @Setup(Level.Trial)
  public void setUp() {
    dispatch = DispatchExecutor.create(executor);
    hub = dispatch.hubBuilder().build();
    channel = hub.channel(CHANNEL);
    for (int i = 0; i < subscribers; i++) {
      CountingSink sink = new CountingSink(counter);
      sinks.add(sink);
      hub.transportContext()
          .connect(new Client("ephemeral-" + i, null, null), format, sink, List.of(CHANNEL), null);
    }
    Await.until(() -> channel.subscriberCount() == subscribers, subscribers + " live subscribers");

    // One of each before measuring: both kinds reach every sink, in the expected shape.
    durable();
    check(sinks.get(0).lastMessage().text(), true);
    ephemeral();
    check(sinks.get(0).lastMessage().text(), false);
  }

  private void check(String text, boolean durable) {
    boolean hasId = text.startsWith("id: ");
    boolean hasOffset = text.contains("\"offset\"");
    boolean ok =
        text.contains(FanOutBenchmark.PAYLOAD)
            && (format == WireFormat.SSE
                ? hasId == durable
                : text.startsWith("{\"type\":\"message\""))
            && hasOffset == durable
            && text.contains("\"ephemeral\":true") != durable;
    if (!ok) {
      throw new IllegalStateException(
          "unexpected " + (durable ? "durable " : "ephemeral ") + format + " frame: " + text);
    }
  }

  /** A message stored in the channel's history, with an offset, then delivered. */
  @Benchmark
  public void durable() {
    expected += subscribers;
    published++;
    CompletableFuture<?> sent =
        channel.publishJson("tick", FanOutBenchmark.PAYLOAD).toCompletableFuture();
    if (sent.isCompletedExceptionally()) {
      sent.join();
    }
    counter.awaitAtLeast(expected);
  }

  /** A message delivered to the live subscribers only, never stored. */
  @Benchmark
  public void ephemeral() {
    expected += subscribers;
    published++;
    CompletableFuture<?> sent =
        channel.publishEphemeralJson("tick", FanOutBenchmark.PAYLOAD).toCompletableFuture();
    if (sent.isCompletedExceptionally()) {
      sent.join();
    }
    counter.awaitAtLeast(expected);
  }

  /** Message frames counted by every sink together so far. */
  long delivered() {
    return counter.delivered();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      if (counter.delivered() != expected) {
        throw new IllegalStateException(
            counter.delivered() + " frames delivered, expected " + expected);
      }
      for (CountingSink sink : sinks) {
        if (sink.messages() != published) {
          throw new IllegalStateException(
              "a subscriber got " + sink.messages() + " frames of " + published + " published");
        }
      }
      System.out.printf(
          "%n[check] %,d messages x %,d subscribers = %,d frames delivered%n",
          published, subscribers, expected);
    } finally {
      hub.close();
      dispatch.close();
    }
  }
}
