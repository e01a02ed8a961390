package dev.herald.push.websocket;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of one registered endpoint. A timer checks each open socket every ping interval and
 * decides, without blocking, whether to ping it or close it; a small pool does what can block in
 * the Jakarta API (a ping waits until it is written; Tomcat writes a close frame with a blocking
 * send that waits behind a stalled message), so that neither the timer nor the hub's threads ever
 * wait on a peer. Thread-safe.
 *
 * <p>All threads are daemons that end by themselves after 30 s without work, and at once when the
 * webapp stops (the handshake servlet's {@code destroy}).
 */
final class KeepAlive implements Executor {
  private static final AtomicInteger ENDPOINTS = new AtomicInteger();
  private static final int WORKERS = 8;

  private final ScheduledThreadPoolExecutor timer;
  private final ThreadPoolExecutor workers;
  private final long intervalMillis;
  private final long origin = System.nanoTime();

  /** The step of the grid the sockets' checks are aligned on. */
  static final long GRID_NANOS = TimeUnit.SECONDS.toNanos(1);

  KeepAlive(long intervalMillis) {
    this.intervalMillis = intervalMillis;
    String name = "herald-ws-" + ENDPOINTS.incrementAndGet();
    this.timer = new ScheduledThreadPoolExecutor(1, daemon(name + "-timer"));
    timer.setRemoveOnCancelPolicy(true);
    timer.setKeepAliveTime(30, TimeUnit.SECONDS);
    timer.allowCoreThreadTimeOut(true);
    this.workers =
        new ThreadPoolExecutor(
            WORKERS,
            WORKERS,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            daemon(name + "-worker"));
    workers.allowCoreThreadTimeOut(true);
  }

  /**
   * Runs {@code check} on the timer every interval until the returned future is cancelled.
   *
   * <p>The checks of all sockets fall on one grid ({@link #GRID_NANOS}, or the interval if
   * shorter), counted from this endpoint's start: the timer then wakes once per grid step for all
   * sockets due in it, rather than once per socket at scattered times. With 1,000 sockets and a 20
   * s interval, that is one wake-up a second for 50 checks instead of 50.
   */
  ScheduledFuture<?> watch(Runnable check) {
    long interval = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
    long grid = Math.min(GRID_NANOS, interval);
    long sinceOrigin = System.nanoTime() - origin;
    long first = interval + (grid - Math.floorMod(sinceOrigin, grid)) % grid;
    return timer.scheduleAtFixedRate(check, first, interval, TimeUnit.NANOSECONDS);
  }

  /** Runs {@code task} once on the timer after {@code millis}, unless the future is cancelled. */
  ScheduledFuture<?> schedule(Runnable task, long millis) {
    return timer.schedule(task, millis, TimeUnit.MILLISECONDS);
  }

  /** Runs a task that may block, such as a ping or a session close, on the pool. */
  @Override
  public void execute(Runnable task) {
    workers.execute(task);
  }

  /** Stops the checks and the threads; sockets still open are the container's to close. */
  void shutdown() {
    timer.shutdownNow();
    workers.shutdownNow();
  }

  /** How many checks and close deadlines are scheduled: one per open or closing socket. */
  int watchedSockets() {
    return timer.getQueue().size();
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
