package dev.herald.push.bench.jmh;

import dev.herald.push.Channel;
import dev.herald.push.Client;
import dev.herald.push.InMemoryBroker;
import dev.herald.push.Message;
import dev.herald.push.PushHub;
import dev.herald.push.spi.Frame;
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
 * Publish-to-delivered throughput of one channel fanned out to in-memory subscribers.
 *
 * <p>One operation publishes one 104-byte JSON message with {@link Channel#publishJson} on a hub
 * whose broker is the default {@link InMemoryBroker}, and returns only once every subscriber's sink
 * has received the message frame (a shared {@link DeliveryCounter}; the operation throws if the
 * frames do not all arrive). Subscribers connect through the public {@link
 * TransportContext#connect}, as a transport does, with a {@link CountingSink} that completes every
 * write at once, so the score is Herald's own cost: normalising the JSON, storing it in history,
 * encoding the shared frame body once, and per subscriber the cursor update and its encoding, the
 * frame, the outbox and the drain. The trial's teardown checks that every sink received exactly one
 * frame per operation.
 *
 * <p>Parameters: {@code subscribers} (1, 100, 10,000); {@code format} ({@code WEBSOCKET} or {@code
 * SSE}); {@code executor}, the hub's executor: {@code direct} runs every task on the publishing
 * thread, so the whole fan-out happens inside {@code publishJson} and the score is pure CPU cost
 * per delivery; {@code pool} is a fixed pool of two threads, as the hub makes by default on two
 * cores, and adds the hand-off to the pool and the publisher's wake-up. Heartbeats are off (one
 * hour), and so is the spacing of a busy channel's walks ({@code maxBatchDelay} zero): an operation
 * has one message in flight, so there is nothing to gather and a wait would only add idle time.
 *
 * <p>Score in ops/s, one op being one message delivered to all subscribers: the cost of one
 * delivery is {@code 1e9 / (score × subscribers)} ns, and the marginal cost of a subscriber is best
 * read from the difference between 10,000 and 1 subscribers.
 *
 * <p>Run: {@code java -cp push-bench/target/push-bench.jar org.openjdk.jmh.Main FanOutBenchmark}
 * (add {@code -p executor=direct} or {@code -prof gc} as needed).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class FanOutBenchmark {
  static final String CHANNEL = "bench/fanout";
  static final String PAYLOAD =
      "{\"symbol\":\"EURUSD\",\"bid\":1.08423,\"ask\":1.08431,\"venue\":\"LMAX\","
          + "\"seq\":1234567,\"ts\":\"2026-11-28T19:00:00Z\"}";

  @Param({"1", "100", "10000"})
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
          .connect(new Client("fanout-" + i, null, null), format, sink, List.of(CHANNEL), null);
    }
    Await.until(() -> channel.subscriberCount() == subscribers, subscribers + " live subscribers");

    publishAndDeliver();
    Frame frame = sinks.get(0).lastMessage();
    String text = frame.text();
    String start = format == WireFormat.SSE ? "id: " : "{\"type\":\"message\"";
    if (!text.startsWith(start) || !text.contains(PAYLOAD)) {
      throw new IllegalStateException("unexpected " + format + " frame: " + text);
    }
  }

  @Benchmark
  public Message publishAndDeliver() {
    expected += subscribers;
    published++;
    CompletableFuture<Message> stored = channel.publishJson("tick", PAYLOAD).toCompletableFuture();
    if (stored.isCompletedExceptionally()) {
      stored.join();
    }
    counter.awaitAtLeast(expected);
    return stored.getNow(null);
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
