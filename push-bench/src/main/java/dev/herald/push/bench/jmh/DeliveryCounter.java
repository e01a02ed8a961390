package dev.herald.push.bench.jmh;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts message frames that reached any of a benchmark's {@link CountingSink}s and lets one thread
 * wait until a total is reached. Thread-safe; one waiter at a time.
 */
final class DeliveryCounter {
  /** Long enough for a loaded machine; a benchmark that loses frames fails instead of hanging. */
  private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final AtomicLong delivered = new AtomicLong();
  private volatile long target = Long.MAX_VALUE;
  private volatile Thread waiter;

  /** Message frames counted so far. */
  long delivered() {
    return delivered.get();
  }

  /** Called by the sinks, from any thread. */
  void arrived(int frames) {
    long now = delivered.addAndGet(frames);
    Thread w = waiter;
    if (w != null && now >= target) {
      LockSupport.unpark(w);
    }
  }

  /**
   * Returns once {@code total} frames have arrived.
   *
   * @throws IllegalStateException if they have not after 30 seconds
   */
  void awaitAtLeast(long total) {
    if (delivered.get() >= total) {
      // With the direct executor delivery is already complete: no park, no volatile writes.
      return;
    }
    // The target is written before the waiter, so a sink that sees the waiter sees its target.
    target = total;
    waiter = Thread.currentThread();
    try {
      long deadline = System.nanoTime() + TIMEOUT_NANOS;
      while (delivered.get() < total) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException(
              "only " + delivered.get() + " of " + total + " frames arrived within 30 s");
        }
        LockSupport.parkNanos(this, left);
      }
    } finally {
      waiter = null;
      target = Long.MAX_VALUE;
    }
  }
}
