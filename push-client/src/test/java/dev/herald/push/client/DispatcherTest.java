package dev.herald.push.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DispatcherTest {
  private final Dispatcher dispatcher = new Dispatcher(4);

  @AfterEach
  void stop() {
    dispatcher.shutdown();
  }

  @Test
  void execute_runsTasksOneAtATimeInOrder_onOneThread() {
    List<Integer> order = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 100; i++) {
      int n = i;
      dispatcher.execute(
          () -> {
            order.add(n);
            threads.add(Thread.currentThread().getName());
          });
    }

    await().until(() -> order.size() == 100);
    assertThat(order).isSorted();
    assertThat(threads).containsOnly(threads.get(0));
    assertThat(threads.get(0)).startsWith("herald-client-callbacks-");
  }

  @Test
  void execute_aThrowingTask_doesNotStopTheOthers() {
    AtomicBoolean ran = new AtomicBoolean();
    dispatcher.execute(
        () -> {
          throw new IllegalStateException("boom");
        });
    dispatcher.execute(() -> ran.set(true));

    await().untilTrue(ran);
  }

  @Test
  void whenReady_holdsTheTransportBack_untilTheBacklogHalves() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    for (int i = 0; i < 4; i++) {
      dispatcher.execute(
          () -> {
            try {
              release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
    }
    AtomicBoolean resumed = new AtomicBoolean();

    dispatcher.whenReady(() -> resumed.set(true));

    assertThat(resumed).isFalse();
    release.countDown();
    await().untilTrue(resumed);
    await().until(() -> dispatcher.queued() == 0);
  }

  @Test
  void whenReady_belowTheLimit_resumesAtOnce() {
    AtomicBoolean resumed = new AtomicBoolean();

    dispatcher.whenReady(() -> resumed.set(true));

    assertThat(resumed).isTrue();
  }

  @Test
  void executeOrRun_afterShutdown_runsOnTheCaller() {
    dispatcher.shutdown();
    AtomicBoolean ran = new AtomicBoolean();

    dispatcher.executeOrRun(() -> ran.set(true));

    assertThat(ran).isTrue();
  }
}
