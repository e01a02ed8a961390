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
 * again after a drainer stops.
 *
 * <p>A live delivery also drains the first {@link #INLINE} outboxes it readies on its own thread,
 * once the route's lock is released ({@link #collect}, {@link #drainCollected}). Handing a small
 * fan-out to another thread costs more than writing it: the measured cost of a chat-shaped load (10
 * subscribers per publish) fell from about 96 to 41 µs of server CPU per delivery without the
 * hand-off. The bound keeps a publish to many subscribers from holding the publisher for long;
 * sinks never block, so an inline write costs the publisher one non-blocking write.
 */
final class Outboxes {
  /** Outboxes a drainer drains before it yields its thread. */
  static final int BATCH = 256;

  /** Outboxes a live delivery drains on its own thread. */
  static final int INLINE = 32;

  private final ThreadLocal<ConnectionImpl[]> collecting = new ThreadLocal<>();
  private final Executor executor;
  private final int maxDrainers;
  private final ConcurrentLinkedQueue<ConnectionImpl> ready = new ConcurrentLinkedQueue<>();
  private final AtomicInteger drainers = new AtomicInteger();

  Outboxes(Executor executor, int maxDrainers) {
    this.executor = executor;
    this.maxDrainers = maxDrainers;
  }

  /**
   * Queues a connection whose outbox has frames to write; it drains on the executor soon.
   *
   * @throws RejectedExecutionException if the executor refuses a new drainer (the hub is closing)
   */
  void submit(ConnectionImpl connection) {
    ConnectionImpl[] mine = collecting.get();
    if (mine != null) {
      for (int i = 0; i < mine.length; i++) {
        if (mine[i] == null) {
          mine[i] = connection;
          return;
        }
      }
    }
    ready.add(connection);
    startDrainer();
  }

  /**
   * Starts collecting the outboxes this thread readies, up to {@link #INLINE}; returns {@code
   * false}, and collects nothing, if the thread is already collecting.
   */
  boolean collect() {
    if (collecting.get() != null) {
      return false;
    }
    collecting.set(new ConnectionImpl[INLINE]);
    return true;
  }

  /** Stops collecting and drains what was collected, on this thread. Call with no lock held. */
  void drainCollected() {
    ConnectionImpl[] mine = collecting.get();
    collecting.remove();
    if (mine == null) {
      return;
    }
    for (ConnectionImpl c : mine) {
      if (c == null) {
        return;
      }
      c.drain();
    }
  }

  private void startDrainer() {
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
      ConnectionImpl c;
      int n = 0;
      while (n++ < BATCH && (c = ready.poll()) != null) {
        c.drain();
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
