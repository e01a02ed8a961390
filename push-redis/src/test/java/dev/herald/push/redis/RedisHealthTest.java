package dev.herald.push.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.push.HealthStatus;
import dev.herald.push.spi.BrokerHealth;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The order in which watchers hear health changes. Uses the Redis Cluster form, whose health
 * follows {@code reachable} alone, so the test drives the changes itself.
 */
class RedisHealthTest {
  @Test
  void aChangeDuringAnotherThreadsDelivery_isHeardAfterIt_soTheLastHeardIsTheHealthNow()
      throws Exception {
    RedisHealth health = new RedisHealth("redis://test", null, null, true);
    CountDownLatch delivering = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<BrokerHealth> first = new CopyOnWriteArrayList<>();
    List<BrokerHealth> second = new CopyOnWriteArrayList<>();
    // The first watcher (the hub's, say) holds up the first change; the second records.
    health.watch(
        h -> {
          first.add(h);
          if (first.size() == 1) {
            delivering.countDown();
            await(release);
          }
        });
    health.watch(second::add);

    Thread down = new Thread(() -> health.reachable(false), "shard-down");
    down.start();
    assertThat(delivering.await(10, TimeUnit.SECONDS)).isTrue();
    // The shard answers again while the first thread still tells of its loss.
    health.reachable(true);
    release.countDown();
    down.join(10_000);

    assertThat(down.isAlive()).isFalse();
    for (List<BrokerHealth> heard : List.of(first, second)) {
      assertThat(heard)
          .extracting(BrokerHealth::status)
          .containsExactly(HealthStatus.DEGRADED, HealthStatus.UP);
      assertThat(heard.get(heard.size() - 1)).isEqualTo(health.now());
    }
  }

  @Test
  void aWatcherThatThrows_doesNotStopTheOthers_norLaterChanges() {
    RedisHealth health = new RedisHealth("redis://test", null, null, true);
    List<HealthStatus> heard = new CopyOnWriteArrayList<>();
    health.watch(
        h -> {
          throw new IllegalStateException("watcher bug");
        });
    health.watch(h -> heard.add(h.status()));

    health.reachable(false);
    health.reachable(true);
    health.closed();

    assertThat(heard).containsExactly(HealthStatus.DEGRADED, HealthStatus.UP, HealthStatus.DOWN);
  }

  @Test
  void anUnchangedHealth_isNotToldAgain() {
    RedisHealth health = new RedisHealth("redis://test", null, null, true);
    List<HealthStatus> heard = new CopyOnWriteArrayList<>();
    health.watch(h -> heard.add(h.status()));

    health.reachable(true);
    health.reachable(false);
    health.reachable(false);

    assertThat(heard).containsExactly(HealthStatus.DEGRADED);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
