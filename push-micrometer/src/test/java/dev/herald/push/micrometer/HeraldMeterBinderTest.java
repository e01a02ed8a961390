package dev.herald.push.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.herald.push.Client;
import dev.herald.push.Cursor;
import dev.herald.push.InMemoryBroker;
import dev.herald.push.Position;
import dev.herald.push.PushException;
import dev.herald.push.PushHub;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Connection;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.WireFormat;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The meters read what the hub counted, and what the connections really received. */
class HeraldMeterBinderTest {
  private final PushHub hub =
      PushHub.builder()
          .broker(InMemoryBroker.builder().historySize(5).build())
          .heartbeatInterval(Duration.ofHours(1))
          .build();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void close() {
    hub.close();
    registry.close();
  }

  /** Binds with a snapshot age of zero, so that every read sees the hub as it is now. */
  private void bind() {
    new HeraldMeterBinder(hub, Tags.empty(), Duration.ZERO).bindTo(registry);
  }

  private Connection connect(CollectingSink sink, WireFormat format, Cursor since, String channel) {
    return hub.transportContext()
        .connect(
            hub.transportContext().newClient(null, null), format, sink, List.of(channel), since);
  }

  private void publish(String channel, int n) {
    for (int i = 0; i < n; i++) {
      hub.channel(channel).publish("tick", i).toCompletableFuture().join();
    }
  }

  private RequiredSearch meter(String name, String... tags) {
    return registry.get(name).tags(tags);
  }

  private double counter(String name, String... tags) {
    return meter(name, tags).functionCounter().count();
  }

  private double gauge(String name, String... tags) {
    return meter(name, tags).gauge().value();
  }

  @Test
  void meters_equalWhatTheConnectionsReceived() {
    bind();
    int messages = 12;
    List<CollectingSink> sse = new ArrayList<>();
    List<CollectingSink> ws = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      CollectingSink sink = new CollectingSink();
      (i < 3 ? sse : ws).add(sink);
      connect(sink, i < 3 ? WireFormat.SSE : WireFormat.WEBSOCKET, null, "news");
    }
    await().until(() -> hub.channel("news").subscriberCount() == 5);
    publish("news", messages);
    for (CollectingSink sink : concat(sse, ws)) {
      await().until(() -> sink.count(Frame.Type.MESSAGE) == messages);
    }
    // The hub counts a write once the sink has acknowledged it, just after the frames arrived.
    long expectedFrames = concat(sse, ws).stream().mapToLong(s -> s.frames().size()).sum();
    await()
        .until(
            () ->
                counter("herald.deliveries", "transport", "sse")
                        + counter("herald.deliveries", "transport", "websocket")
                    >= expectedFrames);

    assertThat(counter("herald.deliveries", "transport", "sse")).isEqualTo(frames(sse));
    assertThat(counter("herald.deliveries", "transport", "websocket")).isEqualTo(frames(ws));
    // Beyond the messages, one ready frame each (the channel came with the connection).
    assertThat(frames(sse)).isEqualTo(3 * (messages + 1));
    assertThat(frames(ws)).isEqualTo(2 * (messages + 1));
    assertThat(counter("herald.delivered.bytes", "transport", "sse")).isEqualTo(bytes(sse));
    assertThat(counter("herald.delivered.bytes", "transport", "websocket")).isEqualTo(bytes(ws));
    assertThat(counter("herald.deliveries", "transport", "ndjson")).isZero();
    assertThat(meter("herald.delivered.bytes").functionCounter().getId().getBaseUnit())
        .isEqualTo("bytes");

    assertThat(gauge("herald.connections", "transport", "sse")).isEqualTo(3);
    assertThat(gauge("herald.connections", "transport", "websocket")).isEqualTo(2);
    assertThat(gauge("herald.connections", "transport", "poll")).isZero();
    assertThat(counter("herald.connections.opened", "transport", "sse")).isEqualTo(3);
    assertThat(counter("herald.subscribes")).isEqualTo(5);
    assertThat(counter("herald.publishes", "outcome", "stored")).isEqualTo(messages);
    assertThat(counter("herald.publishes", "outcome", "failed")).isZero();
    FunctionTimer latency = meter("herald.publish.latency").functionTimer();
    assertThat(latency.count()).isEqualTo(messages);
    // Micrometer converts the total through seconds as a double: equal to within rounding.
    assertThat(latency.totalTime(TimeUnit.NANOSECONDS))
        .isCloseTo(hub.stats().publishes().totalNanos(), within(1.0));
    assertThat(gauge("herald.channels.active")).isEqualTo(1);
    assertThat(gauge("herald.health")).isEqualTo(1.0);
    assertThat(gauge("herald.broker.health")).isEqualTo(1.0);
    assertThat(meter("herald.broker.lag").functionTimer().count()).isEqualTo(messages);
  }

  @Test
  void connectionsRefused_areCountedByTheLimitThatRefusedThem() {
    try (PushHub limited =
        PushHub.builder()
            .heartbeatInterval(Duration.ofHours(1))
            .maxConnections(1)
            .openRate(1, 1)
            .build()) {
      new HeraldMeterBinder(limited, Tags.empty(), Duration.ZERO).bindTo(registry);
      Client client = limited.transportContext().newClient(null, "10.0.0.1");
      limited.transportContext().admit(client, WireFormat.SSE, null);
      limited
          .transportContext()
          .connect(client, WireFormat.SSE, new CollectingSink(), List.of("a"), null);
      Client other = limited.transportContext().newClient(null, "10.0.0.2");
      assertThatThrownBy(
              () ->
                  limited
                      .transportContext()
                      .connect(other, WireFormat.SSE, new CollectingSink(), List.of("a"), null))
          .isInstanceOf(PushException.class);
      limited.disconnectAll();
      await().until(() -> limited.connectionCount() == 0);
      assertThatThrownBy(() -> limited.transportContext().admit(client, WireFormat.SSE, null))
          .isInstanceOf(PushException.class);

      assertThat(counter("herald.connections.refused", "reason", "node_full")).isEqualTo(1);
      assertThat(counter("herald.connections.refused", "reason", "open_rate")).isEqualTo(1);
      assertThat(counter("herald.connections.refused", "reason", "address_full")).isZero();
    }
  }

  @Test
  void closes_areCountedByTransportAndByReason_includingReasonsFirstSeenLater() {
    bind();
    // The hub's own reasons have a series from the start, so rates work from the first close.
    assertThat(counter("herald.disconnects", "reason", "slow_consumer")).isZero();
    assertThat(registry.find("herald.disconnects").tag("reason", "going_away").meters()).isEmpty();

    Connection a = connect(new CollectingSink(), WireFormat.NDJSON, null, "c");
    Connection b = connect(new CollectingSink(), WireFormat.NDJSON, null, "c");
    connect(new CollectingSink(), WireFormat.SSE, null, "c");
    a.close(CloseReason.CLIENT_GONE);
    b.close(new CloseReason("going_away", "a code of a transport's own"));
    await().until(() -> hub.stats().closes("going_away") == 1);

    await().until(() -> hub.stats().closes("client_gone") == 1);

    // The first read after the new code appeared registers its series.
    assertThat(gauge("herald.connections", "transport", "ndjson")).isZero();
    assertThat(counter("herald.disconnects", "reason", "going_away")).isEqualTo(1);
    assertThat(counter("herald.disconnects", "reason", "client_gone")).isEqualTo(1);
    assertThat(counter("herald.connections.closed", "transport", "ndjson")).isEqualTo(2);
    assertThat(counter("herald.connections.closed", "transport", "sse")).isZero();
    assertThat(gauge("herald.connections", "transport", "sse")).isEqualTo(1);
  }

  @Test
  void resumes_andReplays_areCountedByOutcome() {
    bind();
    publish("r", 3);
    Position kept = hub.channel("r").position().toCompletableFuture().join();
    publish("r", 2);
    CollectingSink recovering = new CollectingSink();
    connect(recovering, WireFormat.NDJSON, Cursor.empty().with("r", kept), "r");
    await().until(() -> recovering.count(Frame.Type.MESSAGE) == 2);
    publish("r", 10); // the history holds 5: the kept position is gone
    CollectingSink resetting = new CollectingSink();
    connect(resetting, WireFormat.NDJSON, Cursor.empty().with("r", kept), "r");
    await().until(() -> resetting.count(Frame.Type.RESET) == 1);

    await().until(() -> counter("herald.resumes", "outcome", "reset") == 1);
    assertThat(counter("herald.resumes", "outcome", "recovered")).isEqualTo(1);
    assertThat(counter("herald.replayed.messages"))
        .isEqualTo(hub.stats().replays().messages())
        .isGreaterThanOrEqualTo(2);
    assertThat(counter("herald.replays")).isEqualTo(hub.stats().replays().fetches()).isPositive();
  }

  @Test
  void drain_showsInHealthAndDrainGauges() {
    bind();
    for (int i = 0; i < 3; i++) {
      connect(new CollectingSink(), WireFormat.SSE, null, "d");
    }
    assertThat(gauge("herald.drain.active")).isZero();

    hub.drain(Duration.ZERO).toCompletableFuture().join();

    assertThat(gauge("herald.health")).isZero();
    assertThat(gauge("herald.drain.active")).isEqualTo(1);
    assertThat(gauge("herald.drain.connections")).isEqualTo(3);
    assertThat(gauge("herald.drain.closed")).isEqualTo(3);
    await()
        .untilAsserted(
            () -> {
              assertThat(counter("herald.disconnects", "reason", "server_restart")).isEqualTo(3);
              assertThat(gauge("herald.connections", "transport", "sse")).isZero();
            });
  }

  @Test
  void tags_areOnEveryMeter_andNoMeterIsTaggedWithAChannel() {
    new HeraldMeterBinder(hub, Tags.of("node", "n1")).bindTo(registry);
    connect(new CollectingSink(), WireFormat.SSE, null, "some/channel");
    publish("some/channel", 1);

    List<Meter> meters = registry.getMeters();
    assertThat(meters).hasSizeGreaterThan(30);
    assertThat(meters).allSatisfy(m -> assertThat(m.getId().getTag("node")).isEqualTo("n1"));
    assertThat(meters)
        .allSatisfy(m -> assertThat(m.getId().getName()).startsWith("herald."))
        .allSatisfy(m -> assertThat(m.getId().getTag("channel")).isNull());
    // Only bounded tag keys.
    assertThat(
            meters.stream()
                .flatMap(m -> m.getId().getTags().stream())
                .map(t -> t.getKey())
                .collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("node", "transport", "reason", "outcome");
  }

  @Test
  void oneSnapshot_servesEveryMeterOfAScrape() {
    StatsCache cache = new StatsCache(hub, Duration.ofHours(1).toNanos());
    var first = cache.get();
    publish("s", 1);
    assertThat(cache.get()).isSameAs(first);
    assertThat(new StatsCache(hub, 0).get().publishes().stored()).isEqualTo(1);
  }

  private static List<CollectingSink> concat(List<CollectingSink> a, List<CollectingSink> b) {
    List<CollectingSink> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static long frames(List<CollectingSink> sinks) {
    return sinks.stream().mapToLong(s -> s.frames().size()).sum();
  }

  private static long bytes(List<CollectingSink> sinks) {
    return sinks.stream().mapToLong(CollectingSink::bytes).sum();
  }
}
