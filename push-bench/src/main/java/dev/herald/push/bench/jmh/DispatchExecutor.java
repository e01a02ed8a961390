package dev.herald.push.bench.jmh;

import dev.herald.push.PushHub;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor a benchmark hands to {@code PushHub.Builder.executor}, chosen by name so that it can
 * be a JMH parameter. Thread-safe.
 *
 * <ul>
 *   <li>{@code direct} runs each task at once on the calling thread: a publish delivers to every
 *       subscriber's sink before it returns, so a benchmark measures CPU cost alone, with no
 *       hand-off and no wake-up latency.
 *   <li>{@code pool} is a fixed pool of {@value #POOL_THREADS} daemon threads, the hub's own
 *       default on a two-core machine: outboxes drain there, as in a deployment.
 * </ul>
 */
final class DispatchExecutor implements Executor, AutoCloseable {
  static final int POOL_THREADS = 2;
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final ExecutorService pool;

  private DispatchExecutor(ExecutorService pool) {
    this.pool = pool;
  }

  /** The executor named {@code direct} or {@code pool}. */
  static DispatchExecutor create(String kind) {
    switch (kind) {
      case "direct":
        return new DispatchExecutor(null);
      case "pool":
        int n = POOLS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        return new DispatchExecutor(
            Executors.newFixedThreadPool(
                POOL_THREADS,
                r -> {
                  Thread t = new Thread(r, "bench-" + n + "-dispatch-" + threads.incrementAndGet());
                  t.setDaemon(true);
                  return t;
                }));
      default:
        throw new IllegalArgumentException("executor must be direct or pool, was " + kind);
    }
  }

  /**
   * A hub builder for a closed-loop benchmark on this executor: heartbeats off (one hour), and no
   * spacing of a busy channel's walks ({@code maxBatchDelay} zero), since with one message in
   * flight there is nothing to gather and a wait would only add idle time.
   */
  PushHub.Builder hubBuilder() {
    return PushHub.builder()
        .executor(this)
        .heartbeatInterval(Duration.ofHours(1))
        .maxBatchDelay(Duration.ZERO);
  }

  @Override
  public void execute(Runnable task) {
    if (pool == null) {
      task.run();
    } else {
      pool.execute(task);
    }
  }

  /** Stops the pool's threads, if any; call after the hub is closed. */
  @Override
  public void close() {
    if (pool == null) {
      return;
    }
    pool.shutdown();
    try {
      if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
