package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Connection;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.FrameSink;
import dev.herald.push.spi.WireFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A route gives its live subscribers what they are to get in walks, one visit per subscriber: the
 * first {@link HandOff#INLINE} on the starting thread, the others in parts on drainers, and the
 * entries a walk may fall behind by are bounded.
 */
class RouteWalkTest {
  private PushHub hub;

  @AfterEach
  void close() {
    if (hub != null) {
      hub.close();
    }
  }

  private Connection connect(FrameSink sink, String channel) {
    return hub.transportContext()
        .connect(
            hub.transportContext().newClient(null, null),
            WireFormat.NDJSON,
            sink,
            List.of(channel),
            null);
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  @Test
  void concurrentPublishers_toMoreSubscribersThanOnePart_eachGetsEveryMessageOnceInOrder()
      throws Exception {
    // Room for every entry of the test in a walk: none is held back or dropped for space here.
    hub =
        PushHub.builder()
            .maxQueuedFrames(10_000)
            .maxQueuedBytes(64L << 20)
            .heartbeatInterval(Duration.ofHours(1))
            .build();
    // 32 visited inline, then two parts of 256 and one of 12 on drainers.
    int subscribers = HandOff.INLINE + 2 * Outboxes.BATCH + 12;
    int publishers = 4;
    int perPublisher = 300;
    List<RecordingSink> sinks = new ArrayList<>();
    for (int i = 0; i < subscribers; i++) {
      RecordingSink sink = new RecordingSink();
      sinks.add(sink);
      connect(sink, "walk");
    }
    await().until(() -> hub.channel("walk").subscriberCount() == subscribers);

    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < publishers; p++) {
      int publisher = p;
      Thread t =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = 0; i < perPublisher; i++) {
                  hub.channel("walk").publish("tick", i).toCompletableFuture().join();
                  if (i % 10 == 0) {
                    hub.channel("walk")
                        .publishEphemeral("cursor", publisher * 1000 + i)
                        .toCompletableFuture()
                        .join();
                  }
                }
              });
      t.start();
      threads.add(t);
    }
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }

    int total = publishers * perPublisher;
    int ephemerals = publishers * (perPublisher / 10);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                sinks.stream()
                    .allMatch(s -> s.frames(Frame.Type.MESSAGE).size() >= total + ephemerals));
    for (RecordingSink sink : sinks) {
      List<JsonNode> messages = sink.json(Frame.Type.MESSAGE);
      List<Long> offsets =
          messages.stream()
              .filter(n -> !n.path("ephemeral").asBoolean())
              .map(n -> n.get("offset").asLong())
              .toList();
      assertThat(offsets).isEqualTo(range(1, total));
      // Each publisher's ephemeral messages, once each, in the order it sent them.
      List<Integer> seen =
          messages.stream()
              .filter(n -> n.path("ephemeral").asBoolean())
              .map(n -> n.get("data").asInt())
              .toList();
      assertThat(seen).hasSize(ephemerals).doesNotHaveDuplicates();
      for (int p = 0; p < publishers; p++) {
        int publisher = p;
        List<Integer> own = seen.stream().filter(d -> d / 1000 == publisher).toList();
        assertThat(own).isSorted().hasSize(perPublisher / 10);
      }
      assertThat(sink.closedWith()).isNull();
    }
  }

  /** Runs tasks only when told to, so a test can hold a walk's parts back. */
  private static final class ManualExecutor implements Executor {
    final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    /** Runs tasks, and those they queue, until none is left. */
    void runAll() {
      Runnable r;
      while ((r = tasks.poll()) != null) {
        r.run();
      }
    }
  }

  @Test
  void walkFallenBehind_holdsThenFetchesFromHistory_nothingLostAndNoClientClosed() {
    ManualExecutor executor = new ManualExecutor();
    int messages = 9000;
    hub =
        PushHub.builder()
            .broker(InMemoryBroker.builder().historySize(20_000).build())
            .executor(executor)
            // A walk then takes at most 32 entries.
            .maxQueuedFrames(64)
            .heartbeatInterval(Duration.ofHours(1))
            .build();
    int subscribers = HandOff.INLINE + 8;
    List<RecordingSink> sinks = new ArrayList<>();
    for (int i = 0; i < subscribers; i++) {
      RecordingSink sink = new RecordingSink();
      sinks.add(sink);
      connect(sink, "behind");
      executor.runAll();
    }
    assertThat(hub.channel("behind").subscriberCount()).isEqualTo(subscribers);

    // Nothing runs on the executor meanwhile: the first walk's part on a drainer never ends, so
    // the route collects 32 entries, then holds 8,192 messages, then drops the rest for history.
    for (int i = 0; i < messages; i++) {
      hub.channel("behind").publish("tick", i).toCompletableFuture().join();
    }
    List<RecordingSink> inline = sinks.subList(0, HandOff.INLINE);
    List<RecordingSink> onDrainers = sinks.subList(HandOff.INLINE, subscribers);
    // The walk that the first message started is still running, so no other has started.
    for (RecordingSink sink : inline) {
      assertThat(sink.offsets("behind")).containsExactly(1L);
    }
    for (RecordingSink sink : onDrainers) {
      assertThat(sink.offsets("behind")).isEmpty();
    }

    // The walks after the first may wait for their spacing (the first took as long as this test
    // held its part back): the timer hands each to the executor once it is due.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              executor.runAll();
              return sinks.stream().allMatch(s -> s.offsets("behind").size() >= messages);
            });
    for (RecordingSink sink : sinks) {
      assertThat(sink.offsets("behind")).isEqualTo(range(1, messages));
      assertThat(sink.frames(Frame.Type.RESET)).isEmpty();
      assertThat(sink.closedWith()).isNull();
      // Each write took at most what one walk gives: half the outbox's bound.
      assertThat(sink.batchSizes()).allMatch(n -> n <= 32);
    }
  }

  /**
   * A transport whose every write of messages takes {@code millis} (it sleeps), so that a walk over
   * its subscribers takes long; records the offsets each write carried.
   */
  private static final class SlowSink implements FrameSink {
    final RecordingSink recording = new RecordingSink();
    final List<List<Long>> writes = new CopyOnWriteArrayList<>();
    final List<Long> writeNanos = new CopyOnWriteArrayList<>();
    private final long millis;

    SlowSink(long millis) {
      this.millis = millis;
    }

    @Override
    public void write(List<Frame> frames, WriteCallback callback) {
      List<Long> offsets =
          frames.stream()
              .filter(f -> f.type() == Frame.Type.MESSAGE)
              .map(f -> RecordingSink.parse(f).get("offset").asLong())
              .toList();
      if (!offsets.isEmpty()) {
        writes.add(offsets);
        writeNanos.add(System.nanoTime());
        try {
          Thread.sleep(millis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      recording.write(frames, callback);
    }

    @Override
    public void close(CloseReason reason) {
      recording.close(reason);
    }
  }

  /** Subscribers visited on the publishing thread (fewer than {@link HandOff#INLINE}). */
  private List<SlowSink> slowSubscribers(String channel, long millis) {
    List<SlowSink> sinks = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      SlowSink sink = new SlowSink(millis);
      sinks.add(sink);
      connect(sink, channel);
    }
    await().until(() -> hub.channel(channel).subscriberCount() == sinks.size());
    return sinks;
  }

  private void publish(String channel, int from, int to) {
    for (int i = from; i <= to; i++) {
      hub.channel(channel).publish("tick", i).toCompletableFuture().join();
    }
  }

  @SafeVarargs
  private static List<List<Long>> writes(List<Long>... writes) {
    return List.of(writes);
  }

  @Test
  void slowWalk_messagesThatComeBeforeTheNextIsDue_goOutTogetherInOneWrite() {
    hub =
        PushHub.builder()
            .maxBatchDelay(Duration.ofSeconds(1))
            .heartbeatInterval(Duration.ofHours(1))
            .build();
    // Each walk takes 10 writes of 20 ms, about 200 ms: the next one is due about 800 ms after
    // the last one started, four times as long.
    List<SlowSink> sinks = slowSubscribers("slow", 20);

    publish("slow", 1, 1);
    publish("slow", 2, 5);

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> sinks.stream().allMatch(s -> s.recording.offsets("slow").size() == 5));
    for (SlowSink sink : sinks) {
      assertThat(sink.writes).isEqualTo(writes(List.of(1L), range(2, 5)));
      // Not sooner than four walks' length after the first write, less the rest of the walk.
      long apart = sink.writeNanos.get(1) - sink.writeNanos.get(0);
      assertThat(apart).isGreaterThanOrEqualTo(Duration.ofMillis(600).toNanos());
      assertThat(sink.recording.closedWith()).isNull();
    }
  }

  @Test
  void slowWalk_enoughEntriesWaiting_startsTheNextWalkBeforeItIsDue() {
    hub =
        PushHub.builder()
            .maxBatchDelay(Duration.ofSeconds(1))
            // A walk may take 32 entries; the next one starts early once 8 wait.
            .maxQueuedFrames(64)
            .heartbeatInterval(Duration.ofHours(1))
            .build();
    List<SlowSink> sinks = slowSubscribers("early", 20);

    publish("early", 1, 1);
    // The ninth message makes eight waiting: their walk starts at once, on this thread.
    publish("early", 2, 9);
    publish("early", 10, 12);

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> sinks.stream().allMatch(s -> s.recording.offsets("early").size() == 12));
    for (SlowSink sink : sinks) {
      assertThat(sink.writes).isEqualTo(writes(List.of(1L), range(2, 9), range(10, 12)));
    }
  }

  @Test
  void slowWalk_enoughBytesWaiting_startsTheNextWalkBeforeItIsDue() {
    hub =
        PushHub.builder()
            .maxBatchDelay(Duration.ofSeconds(1))
            // The next walk starts early once 2 KiB of entries wait: three of these messages.
            .maxQueuedBytes(16 * 1024)
            .heartbeatInterval(Duration.ofHours(1))
            .build();
    List<SlowSink> sinks = slowSubscribers("large", 20);
    String text = "x".repeat(500);

    hub.channel("large").publish("text", text).toCompletableFuture().join();
    for (int i = 2; i <= 6; i++) {
      hub.channel("large").publish("text", text).toCompletableFuture().join();
    }

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> sinks.stream().allMatch(s -> s.recording.offsets("large").size() == 6));
    for (SlowSink sink : sinks) {
      assertThat(sink.writes).isEqualTo(writes(List.of(1L), range(2, 4), range(5, 6)));
    }
  }

  @Test
  void maxBatchDelayZero_eachMessageWalkedAsSoonAsTheLastWalkEnded() {
    hub =
        PushHub.builder()
            .maxBatchDelay(Duration.ZERO)
            .heartbeatInterval(Duration.ofHours(1))
            .build();
    List<SlowSink> sinks = slowSubscribers("eager", 5);

    publish("eager", 1, 4);

    await().until(() -> sinks.stream().allMatch(s -> s.recording.offsets("eager").size() == 4));
    for (SlowSink sink : sinks) {
      assertThat(sink.writes).isEqualTo(writes(List.of(1L), List.of(2L), List.of(3L), List.of(4L)));
    }
  }
}
