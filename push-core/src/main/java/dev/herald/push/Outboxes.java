package dev.herald.push;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Writes to connections on the hub's executor, many per task: the parts of routes' walks, and
 * outboxes readied outside a walk. Thread-safe.
 *
 * <p>Design notes. A publish to N subscribers has N connections to write. One executor task per
 * connection would cost a task hand-off (and, when the pool is idle, a thread wake-up) per
 * delivery, which is as much as the network write itself on a busy server. Instead the work joins
 * one queue in pieces of up to {@link #BATCH} connections (a part of a walk, see {@link
 * ChannelRoute.Walk}, or a chunk of outboxes readied together, see {@link HandOff}), so that the
 * queue costs a node and two atomic operations per piece rather than per connection; at most {@code
 * maxDrainers} tasks take pieces from it until it is empty, each handing its thread back after
 * about {@link #BATCH} connections when other work waits for the executor ({@code othersWaiting}),
 * so that it is not starved. A drainer that yields with pieces left starts its successor, a new
 * task, which on a pool whose other threads are idle wakes one of them and parks this one: two
 * context switches per {@link #BATCH} connections that a broadcast to 1,000 subscribers paid three
 * times per message for nothing. So a drainer keeps its thread while nothing else waits for it. An
 * outbox is queued at most once (its {@code scheduled} flag) and a walk visits a connection once,
 * so a drainer never runs two writes of one connection. The usual lost-wake-up race is closed by
 * checking the queue again after a drainer stops. Work joins the queue through {@link HandOff},
 * which starts a drainer only once the thread holds no lock.
 */
final class Outboxes {
  /** Outboxes in a chunk, and about how many a drainer drains before it yields its thread. */
  static final int BATCH = 256;

  private final Executor executor;
  private final int maxDrainers;
  private final BooleanSupplier othersWaiting;
  private final ConcurrentLinkedQueue<Work> ready = new ConcurrentLinkedQueue<>();
  private final AtomicInteger drainers = new AtomicInteger();

  /** Outboxes whose drainers hand their thread back after every {@link #BATCH} connections. */
  Outboxes(Executor executor, int maxDrainers) {
    this(executor, maxDrainers, () -> true);
  }

  /**
   * @param othersWaiting whether tasks other than drainers wait for the executor, asked after every
   *     {@link #BATCH} connections a drainer wrote: if so, it hands its thread back
   */
  Outboxes(Executor executor, int maxDrainers, BooleanSupplier othersWaiting) {
    this.executor = executor;
    this.maxDrainers = maxDrainers;
    this.othersWaiting = othersWaiting;
  }

  /** Queues an outbox with frames to write; {@link #startDrainer} then makes sure it drains. */
  void add(Outbox outbox) {
    Chunk chunk = new Chunk(1);
    chunk.add(outbox);
    ready.add(chunk);
  }

  /**
   * Queues a chunk of outboxes, or a part of a route's walk, which the caller no longer touches.
   */
  void add(Work work) {
    ready.add(work);
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
      Work w;
      int n = 0;
      while ((w = ready.poll()) != null) {
        n += w.run();
        if (n >= BATCH) {
          if (othersWaiting.getAsBoolean()) {
            break;
          }
          n = 0;
        }
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

  /** What a drainer runs: writes to some connections. */
  abstract static class Work {
    /** Runs it; returns about how many connections it wrote to. */
    abstract int run();
  }

  /** Outboxes readied together. Filled by one thread, then handed over through the queue. */
  static final class Chunk extends Work {
    final Outbox[] outboxes;
    int count;

    @Override
    int run() {
      for (int i = 0; i < count; i++) {
        outboxes[i].drain();
      }
      return count;
    }

    Chunk(int capacity) {
      outboxes = new Outbox[capacity];
    }

    /** Adds the outbox; returns whether the chunk is now full. */
    boolean add(Outbox outbox) {
      outboxes[count++] = outbox;
      return count == outboxes.length;
    }
  }
}
