package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.push.spi.BrokerHealth;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Connection;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.HubObserver;
import dev.herald.push.spi.WireFormat;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hub's counters and its observer see every event, as the clients saw them. */
class HubStatsTest {
  private final Map<String, AtomicLong> heard = new ConcurrentHashMap<>();
  private final HubObserver observer =
      new HubObserver() {
        @Override
        public void connectionOpened(WireFormat format) {
          count("opened." + format);
        }

        @Override
        public void connectionClosed(WireFormat format, CloseReason reason) {
          count("closed." + reason.code());
        }

        @Override
        public void delivered(WireFormat format, int frames, long bytes) {
          heard.computeIfAbsent("frames", k -> new AtomicLong()).addAndGet(frames);
        }

        @Override
        public void published(String channel, boolean stored, long nanos) {
          count(stored ? "stored" : "failed");
        }

        @Override
        public void resumed(String channel, boolean recovered) {
          count(recovered ? "recovered" : "reset");
        }
      };

  private final PushHub hub =
      PushHub.builder()
          .broker(InMemoryBroker.builder().historySize(5).build())
          .heartbeatInterval(Duration.ofHours(1))
          .observer(observer)
          .build();

  private void count(String key) {
    heard.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
  }

  private long heard(String key) {
    AtomicLong n = heard.get(key);
    return n == null ? 0 : n.get();
  }

  @AfterEach
  void close() {
    hub.close();
  }

  private Connection connect(RecordingSink sink, WireFormat format, Cursor since, String channel) {
    return hub.transportContext()
        .connect(
            hub.transportContext().newClient(null, null), format, sink, List.of(channel), since);
  }

  private void publish(String channel, int n) {
    for (int i = 0; i < n; i++) {
      hub.channel(channel).publish("tick", i).toCompletableFuture().join();
    }
  }

  @Test
  void countersEqualWhatTheClientsReceived() {
    int subscribers = 7;
    int messages = 25;
    RecordingSink[] sinks = new RecordingSink[subscribers];
    for (int i = 0; i < subscribers; i++) {
      sinks[i] = new RecordingSink();
      connect(sinks[i], i % 2 == 0 ? WireFormat.SSE : WireFormat.WEBSOCKET, null, "room");
    }
    await().until(() -> hub.channel("room").subscriberCount() == subscribers);
    publish("room", messages);
    for (RecordingSink sink : sinks) {
      await().until(() -> sink.messageCount() == messages);
    }

    HubStats stats = hub.stats();
    long framesReceived = 0;
    long bytesReceived = 0;
    for (RecordingSink sink : sinks) {
      for (Frame f : sink.frames()) {
        framesReceived++;
        bytesReceived += f.size();
      }
    }
    await().until(() -> hub.stats().framesDelivered() == subscribers * (messages + 1L));
    stats = hub.stats();
    assertThat(stats.framesDelivered()).isEqualTo(framesReceived);
    assertThat(stats.transports().get("sse").bytes() + stats.transports().get("websocket").bytes())
        .isEqualTo(bytesReceived);
    assertThat(stats.transports().get("sse").opened()).isEqualTo(4);
    assertThat(stats.transports().get("websocket").open()).isEqualTo(3);
    assertThat(stats.openConnections()).isEqualTo(subscribers);
    assertThat(stats.subscribes()).isEqualTo(subscribers);
    assertThat(stats.publishes().stored()).isEqualTo(messages);
    assertThat(stats.publishes().failed()).isZero();
    assertThat(stats.publishes().maxNanos()).isPositive();
    assertThat(stats.broker().liveMessages()).isEqualTo(messages);
    assertThat(stats.broker().health()).isEqualTo(BrokerHealth.LOCAL);

    assertThat(heard("opened.SSE") + heard("opened.WEBSOCKET")).isEqualTo(subscribers);
    assertThat(heard("frames")).isEqualTo(framesReceived);
    assertThat(heard("stored")).isEqualTo(messages);
  }

  @Test
  void resumesAreCountedAsRecoveredOrReset() {
    publish("r", 3);
    Position kept = hub.channel("r").position().toCompletableFuture().join();
    publish("r", 2);
    RecordingSink recovering = new RecordingSink();
    connect(recovering, WireFormat.NDJSON, Cursor.empty().with("r", kept), "r");
    await().until(() -> recovering.messageCount() == 2);

    publish("r", 10); // the history holds 5: offset 3 is gone
    RecordingSink resetting = new RecordingSink();
    connect(resetting, WireFormat.NDJSON, Cursor.empty().with("r", kept), "r");
    await().until(() -> !resetting.frames(Frame.Type.RESET).isEmpty());
    await().until(() -> resetting.messageCount() == 5);

    await().until(() -> hub.stats().resumes().reset() == 1);
    HubStats stats = hub.stats();
    assertThat(stats.resumes().recovered()).isEqualTo(1);
    assertThat(stats.replays().fetches()).isGreaterThanOrEqualTo(2);
    // 2 to recover, then the 5 the history holds after the reset.
    assertThat(stats.replays().messages()).isEqualTo(7);
    assertThat(heard("recovered")).isEqualTo(1);
    assertThat(heard("reset")).isEqualTo(1);
  }

  @Test
  void slowConsumerCloseIsCountedByReason() {
    PushHub small =
        PushHub.builder().maxQueuedFrames(4).heartbeatInterval(Duration.ofHours(1)).build();
    try {
      RecordingSink sink = new RecordingSink();
      sink.stall();
      small
          .transportContext()
          .connect(
              small.transportContext().newClient(null, null),
              WireFormat.SSE,
              sink,
              List.of("s"),
              null);
      await().until(() -> small.channel("s").subscriberCount() == 1);
      for (int i = 0; i < 10; i++) {
        small.channel("s").publish("tick", i).toCompletableFuture().join();
      }
      await().until(() -> small.stats().closes("slow_consumer") == 1);
      assertThat(small.stats().transports().get("sse").open()).isZero();
      assertThat(small.connectionCount()).isZero();
    } finally {
      small.close();
    }
  }

  @Test
  void transportReportsReachTheStatsAndTheObserver() {
    AtomicInteger limited = new AtomicInteger();
    PushHub observed =
        PushHub.builder()
            .observer(
                new HubObserver() {
                  @Override
                  public void rateLimited(WireFormat format) {
                    limited.incrementAndGet();
                  }
                })
            .build();
    try {
      observed.transportContext().observer().rateLimited(WireFormat.WEBSOCKET);
      assertThat(observed.stats().rateLimited()).isEqualTo(1);
      assertThat(limited).hasValue(1);
    } finally {
      observed.close();
    }
  }

  @Test
  void observerIsRequired() {
    assertThatThrownBy(() -> PushHub.builder().observer(null))
        .isInstanceOf(NullPointerException.class);
  }
}
