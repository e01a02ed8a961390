package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.herald.push.spi.BrokerHealth;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.WireFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code PushHub.drain} and {@code PushHub.health}. */
class DrainAndHealthTest {
  private final FlakyBroker broker = new FlakyBroker(InMemoryBroker.create());
  private final PushHub hub =
      PushHub.builder().broker(broker).heartbeatInterval(Duration.ofHours(1)).build();

  @AfterEach
  void close() {
    hub.close();
    broker.close();
  }

  private RecordingSink connect() {
    RecordingSink sink = new RecordingSink();
    hub.transportContext()
        .connect(
            hub.transportContext().newClient(null, null),
            WireFormat.WEBSOCKET,
            sink,
            List.of("d"),
            null);
    return sink;
  }

  @Test
  void drain_closesEveryConnectionSpreadOverTheWindow_withARestartHint() {
    int n = 40;
    List<RecordingSink> sinks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      sinks.add(connect());
    }
    await().until(() -> hub.channel("d").subscriberCount() == n);
    List<Long> closedAt = new CopyOnWriteArrayList<>();
    long start = System.nanoTime();
    CompletionStage<Integer> drained = hub.drain(Duration.ofMillis(800));
    for (RecordingSink sink : sinks) {
      new Thread(
              () -> {
                await().atMost(Duration.ofSeconds(10)).until(() -> sink.closedWith() != null);
                closedAt.add((System.nanoTime() - start) / 1_000_000);
              })
          .start();
    }

    assertThat(drained.toCompletableFuture().join()).isEqualTo(n);
    await().until(() -> closedAt.size() == n);
    for (RecordingSink sink : sinks) {
      CloseReason reason = sink.closedWith();
      assertThat(reason.code()).isEqualTo("server_restart");
      assertThat(reason.retryMillis()).isBetween(100L, 1000L);
    }
    // Spread, not all at once: the first and the last close are most of the window apart.
    List<Long> sorted = closedAt.stream().sorted().toList();
    assertThat(sorted.get(n - 1) - sorted.get(0)).isGreaterThanOrEqualTo(400);
    HubStats.Drain drain = hub.stats().drain();
    assertThat(drain.draining()).isTrue();
    assertThat(drain.connections()).isEqualTo(n);
    assertThat(drain.closed()).isEqualTo(n);
    assertThat(hub.stats().closes("server_restart")).isEqualTo(n);
    assertThat(hub.connectionCount()).isZero();
  }

  @Test
  void drainingHub_refusesNewConnections_isDown_andStillTakesPublishes() {
    hub.drain(Duration.ZERO).toCompletableFuture().join();
    assertThat(hub.isDraining()).isTrue();
    assertThat(hub.transportContext().isDraining()).isTrue();
    assertThat(hub.transportContext().retryAfter()).isPositive();
    assertThatThrownBy(this::connect)
        .isInstanceOfSatisfying(
            PushException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
    HubHealth health = hub.health();
    assertThat(health.status()).isEqualTo(HealthStatus.DOWN);
    assertThat(health.draining()).isTrue();
    assertThat(health.ready()).isFalse();
    assertThat(hub.channel("d").publish("tick", 1).toCompletableFuture().join().offset())
        .isEqualTo(1);
    // A second drain returns the first one's outcome.
    assertThat(hub.drain(Duration.ofSeconds(5)).toCompletableFuture().join()).isZero();
  }

  @Test
  void drain_rejectsANegativeWindow() {
    assertThatThrownBy(() -> hub.drain(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void health_followsTheBroker_andCountsItsChanges() {
    assertThat(hub.health().status()).isEqualTo(HealthStatus.UP);
    assertThat(hub.health().ready()).isTrue();

    broker.health(new BrokerHealth(HealthStatus.DEGRADED, "live feed reconnecting"));
    assertThat(hub.health().status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(hub.health().ready()).isTrue();
    broker.health(new BrokerHealth(HealthStatus.DOWN, "connection refused"));
    assertThat(hub.health().status()).isEqualTo(HealthStatus.DOWN);
    assertThat(hub.health().broker().detail()).isEqualTo("connection refused");
    broker.health(BrokerHealth.LOCAL);
    assertThat(hub.health().status()).isEqualTo(HealthStatus.UP);
    assertThat(hub.stats().broker().healthChanges()).isEqualTo(3);

    hub.close();
    assertThat(hub.health().status()).isEqualTo(HealthStatus.DOWN);
    assertThat(hub.health().closed()).isTrue();
  }

  @Test
  void closingDuringADrain_completesIt() {
    for (int i = 0; i < 5; i++) {
      connect();
    }
    await().until(() -> hub.connectionCount() == 5);
    CompletionStage<Integer> drained = hub.drain(Duration.ofHours(1));
    hub.close();
    drained.toCompletableFuture().join();
    assertThat(hub.connectionCount()).isZero();
  }
}
