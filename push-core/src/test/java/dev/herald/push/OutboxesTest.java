package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OutboxesTest {
  /** An executor that runs its tasks only when told, and counts them. */
  private static final class Manual implements Executor {
    final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    int ran;

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    void runOne() {
      ran++;
      tasks.remove().run();
    }

    void runAll() {
      while (!tasks.isEmpty()) {
        runOne();
      }
    }
  }

  /** Work that counts as {@link Outboxes#BATCH} connections and records that it ran. */
  private static Outboxes.Work part(List<Integer> log, int id) {
    return new Outboxes.Work() {
      @Override
      int run() {
        log.add(id);
        return Outboxes.BATCH;
      }
    };
  }

  /** Queues {@code count} parts of a walk, numbered from 0, and starts a drainer. */
  private static void drain(Outboxes outboxes, List<Integer> log, int count) {
    for (int i = 0; i < count; i++) {
      outboxes.add(part(log, i));
    }
    outboxes.startDrainer();
  }

  @Test
  void aDrainerKeepsItsThread_whileNothingElseWaits() {
    Manual executor = new Manual();
    List<Integer> log = new ArrayList<>();
    drain(new Outboxes(executor, 1, () -> false), log, 4);
    executor.runAll();
    assertThat(log).containsExactly(0, 1, 2, 3);
    assertThat(executor.ran).isEqualTo(1);
  }

  @Test
  void aDrainerHandsItsThreadBack_afterEachBatch_whenOthersWait() {
    Manual executor = new Manual();
    List<Integer> log = new ArrayList<>();
    drain(new Outboxes(executor, 1, () -> true), log, 4);
    executor.runOne();
    // One batch, then a successor queued behind whatever else waits.
    assertThat(log).containsExactly(0);
    assertThat(executor.tasks).hasSize(1);
    executor.runAll();
    assertThat(log).containsExactly(0, 1, 2, 3);
    assertThat(executor.ran).isEqualTo(4);
  }

  @Test
  void aDrainerYields_onceATaskStartsWaiting() {
    Manual executor = new Manual();
    AtomicBoolean waiting = new AtomicBoolean();
    Outboxes outboxes = new Outboxes(executor, 1, waiting::get);
    List<Integer> log = new ArrayList<>();
    outboxes.add(part(log, 0));
    outboxes.add(
        new Outboxes.Work() {
          @Override
          int run() {
            log.add(1);
            waiting.set(true);
            return Outboxes.BATCH;
          }
        });
    outboxes.add(part(log, 2));
    outboxes.startDrainer();
    executor.runOne();
    assertThat(log).containsExactly(0, 1);
    waiting.set(false);
    executor.runAll();
    assertThat(log).containsExactly(0, 1, 2);
  }

  @Test
  void theHubsOwnPool_drainsABroadcastInOneTask_whenItsOtherThreadsIdle() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      AtomicInteger tasks = new AtomicInteger();
      Executor counting =
          task -> {
            tasks.incrementAndGet();
            pool.execute(task);
          };
      ThreadPoolExecutor tpe = (ThreadPoolExecutor) pool;
      Outboxes outboxes = new Outboxes(counting, 1, () -> !tpe.getQueue().isEmpty());
      List<Integer> log = Collections.synchronizedList(new ArrayList<>());
      drain(outboxes, log, 8);
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      assertThat(log).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
      assertThat(tasks.get()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }
}
