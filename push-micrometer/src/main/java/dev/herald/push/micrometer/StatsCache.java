package dev.herald.push.micrometer;

import dev.herald.push.HubStats;
import dev.herald.push.PushHub;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One {@link PushHub#stats()} snapshot shared by every meter read within {@code maxAgeNanos}.
 * Thread-safe.
 *
 * <p>Why: a scrape reads some forty meters one after another. Taking a snapshot costs a few dozen
 * {@code LongAdder} sums and some small maps, cheap but not free, and meters read from one snapshot
 * agree with each other (opened, closed and open connections, say), where forty snapshots would
 * not. Two threads that find the snapshot old at the same time both take one; the later one wins,
 * which is harmless.
 */
final class StatsCache {
  private final PushHub hub;
  private final long maxAgeNanos;
  private final List<Consumer<HubStats>> refreshListeners = new CopyOnWriteArrayList<>();
  private volatile Entry last;

  private record Entry(HubStats stats, long takenNanos) {}

  StatsCache(PushHub hub, long maxAgeNanos) {
    this.hub = hub;
    this.maxAgeNanos = maxAgeNanos;
  }

  /** The hub's stats, at most {@code maxAgeNanos} old. */
  HubStats get() {
    Entry e = last;
    long now = System.nanoTime();
    if (e == null || now - e.takenNanos >= maxAgeNanos) {
      e = new Entry(hub.stats(), now);
      last = e;
      for (Consumer<HubStats> listener : refreshListeners) {
        listener.accept(e.stats);
      }
    }
    return e.stats;
  }

  /** Hears every new snapshot, on the thread that took it. */
  void onRefresh(Consumer<HubStats> listener) {
    refreshListeners.add(listener);
  }
}
