package dev.herald.push;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Drains outboxes on the hub's executor, many per task. Thread-safe.
 *
 * <p>Design notes. A publish to N subscribers makes N outboxes ready at once. One executor task per
 * outbox would cost a task hand-off (and, when the pool is idle, a thread wake-up) per delivery,
 * which is as much as the network write itself on a busy server. Instead ready outboxes join one
 * queue, and at most {@code maxDrainers} tasks take outboxes from it until it is empty, each
 * handing its thread back after {@link #BATCH} outboxes so that other work on the executor is not
 * starved. An outbox is in the queue at most once (its {@code scheduled} flag), so a drainer never
 * runs two writes of one connection. The usual lost-wake-up race is closed by checking the queue
 * again after a drainer stops. Outboxes join the queue through {@link HandOff}, which starts a
 * drainer only once the thread holds no lock, and writes a live delivery's first outboxes itself.
 */
final class Outboxes {
  /** Outboxes a drainer drains before it yields its thread. */
  static final int BATCH = 256;

  private final Executor executor;
  private final int maxDrainers;
  private final ConcurrentLinkedQueue<Outbox> ready = new ConcurrentLinkedQueue<>();
  private final AtomicInteger drainers = new AtomicInteger();

  Outboxes(Executor executor, int maxDrainers) {
    this.executor = executor;
    this.maxDrainers = maxDrainers;
  }

  /** Queues an outbox with frames to write; {@link #startDrainer} then makes sure it drains. */
  void add(Outbox outbox) {
    ready.add(outbox);
  }

  /**
   * Starts a drainer unless enough are running. Call with no lock held: an inline executor drains
   * right here.
   *
   * @throws RejectedExecutionException if the executor refuses a new drainer (the hub is closing)
   */
  void startDrainer() {
    while (true) {
      int n = drainers.get();
      if (n >= maxDrainers) {
        return;
      }
      if (drainers.compareAndSet(n, n + 1)) {
        try {
          executor.execute(this::run);
        } catch (RejectedExecutionException e) {
          drainers.decrementAndGet();
          throw e;
        }
        return;
      }
    }
  }

  private void run() {
    try {
      Outbox o;
      int n = 0;
      while (n++ < BATCH && (o = ready.poll()) != null) {
        o.drain();
      }
    } finally {
      drainers.decrementAndGet();
    }
    if (!ready.isEmpty()) {
      try {
        startDrainer();
      } catch (RejectedExecutionException e) {
        // The hub is closing; its connections close without their outboxes.
      }
    }
  }
}
