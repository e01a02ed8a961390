package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.push.spi.BrokerSubscription;
import dev.herald.push.spi.Replay;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class InMemoryBrokerTest {
  /** A clock the test moves by hand. */
  private static final class ManualClock extends Clock {
    volatile Instant now = Instant.parse("2026-11-28T12:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  @Test
  void publish_assignsDenseOffsetsAndFeedsListenersInOrder() {
    InMemoryBroker broker = InMemoryBroker.create();
    List<Long> seen = new CopyOnWriteArrayList<>();
    BrokerSubscription sub =
        join(
            broker.subscribe(
                "a",
                new dev.herald.push.spi.BrokerListener() {
                  @Override
                  public void onMessage(Message message) {
                    seen.add(message.offset());
                  }

                  @Override
                  public void onResync() {}
                }));
    for (int i = 0; i < 5; i++) {
      Message m = join(broker.publish("a", "e", "1", i == 0 ? "client-1" : null));
      assertThat(m.offset()).isEqualTo(i + 1);
    }
    assertThat(seen).containsExactly(1L, 2L, 3L, 4L, 5L);
    sub.close();
    join(broker.publish("a", "e", "1", null));
    assertThat(seen).hasSize(5);
    Replay all = join(broker.replay("a", new Position(join(broker.position("a")).epoch(), 0), 10));
    assertThat(all.messages().get(0).publisherId()).isEqualTo("client-1");
  }

  @Test
  void position_isStableForAChannelAndDiffersBetweenChannels() {
    InMemoryBroker broker = InMemoryBroker.create();
    Position a = join(broker.position("a"));
    assertThat(a.offset()).isZero();
    assertThat(join(broker.position("a"))).isEqualTo(a);
    assertThat(join(broker.position("b")).epoch()).isNotEqualTo(a.epoch());
    join(broker.publish("a", "e", "1", null));
    assertThat(join(broker.position("a"))).isEqualTo(a.withOffset(1));
  }

  @Test
  void sweep_forgetsIdleEmptyChannels_whichThenStartANewEpoch() {
    ManualClock clock = new ManualClock();
    InMemoryBroker broker =
        InMemoryBroker.builder().clock(clock).historyMaxAge(Duration.ofMinutes(1)).build();
    join(broker.publish("old", "e", "1", null));
    Position before = join(broker.position("old"));
    BrokerSubscription kept = join(broker.subscribe("kept", new NoopListener()));
    clock.now = clock.now.plusSeconds(120);
    broker.sweep();
    assertThat(broker.channelCount()).isEqualTo(1); // only the one with a listener
    Position after = join(broker.position("old"));
    assertThat(after.epoch()).isNotEqualTo(before.epoch());
    assertThat(join(broker.replay("old", before, 10)).reset()).isTrue();
    kept.close();
  }

  @Test
  void closed_failsEveryCall() {
    InMemoryBroker broker = InMemoryBroker.create();
    broker.close();
    assertThatThrownBy(() -> join(broker.publish("a", "e", "1", null)))
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(PushException.class);
    assertThatThrownBy(() -> join(broker.position("a"))).hasCauseInstanceOf(PushException.class);
  }

  private static final class NoopListener implements dev.herald.push.spi.BrokerListener {
    @Override
    public void onMessage(Message message) {}

    @Override
    public void onResync() {}
  }
}
