package dev.herald.push;

import dev.herald.push.spi.BrokerHealth;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.HubObserver;
import dev.herald.push.spi.WireFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * The hub's own counters, behind {@code PushHub.stats()}, and the door to the application's
 * observer: every event is counted here and then passed on. Thread-safe.
 *
 * <p>Design notes. Counting is a {@link LongAdder} increment, which takes no lock and, unlike one
 * shared atomic, does not make the cores that deliver in parallel fight over one cache line. On the
 * delivery path it runs once per write of a connection's batch, not per message, and allocates
 * nothing. Close and refusal reasons are few and known, so their adders are found in a map that
 * only grows.
 */
final class HubCounters implements HubObserver {
  private static final WireFormat[] FORMATS = WireFormat.values();

  private final HubObserver observer;
  private final LongAdder[] opened = adders();
  private final LongAdder[] closed = adders();
  private final LongAdder[] frames = adders();
  private final LongAdder[] bytes = adders();
  private final ConcurrentHashMap<String, LongAdder> closes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongAdder> refusals = new ConcurrentHashMap<>();
  private final LongAdder subscribes = new LongAdder();
  private final LongAdder stored = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder publishNanos = new LongAdder();
  private final LongAccumulator publishNanosMax = new LongAccumulator(Math::max, 0);
  private final LongAdder replays = new LongAdder();
  private final LongAdder replayed = new LongAdder();
  private final LongAdder recovered = new LongAdder();
  private final LongAdder reset = new LongAdder();
  private final LongAdder rateLimited = new LongAdder();
  private final LongAdder brokerChanges = new LongAdder();
  private final LongAdder liveMessages = new LongAdder();
  private final LongAdder lagTotal = new LongAdder();
  private volatile long lagLast;
  private volatile boolean draining;
  private volatile long drainConnections;
  private final AtomicLong drainClosed = new AtomicLong();

  HubCounters(HubObserver observer) {
    this.observer = observer;
  }

  private static LongAdder[] adders() {
    LongAdder[] a = new LongAdder[FORMATS.length];
    for (int i = 0; i < a.length; i++) {
      a[i] = new LongAdder();
    }
    return a;
  }

  @Override
  public void connectionOpened(WireFormat format) {
    opened[format.ordinal()].increment();
    observer.connectionOpened(format);
  }

  @Override
  public void connectionClosed(WireFormat format, CloseReason reason) {
    closed[format.ordinal()].increment();
    closes.computeIfAbsent(reason.code(), code -> new LongAdder()).increment();
    observer.connectionClosed(format, reason);
  }

  @Override
  public void connectionRefused(WireFormat format, String reason) {
    refusals.computeIfAbsent(reason, r -> new LongAdder()).increment();
    observer.connectionRefused(format, reason);
  }

  @Override
  public void subscribed(String channel) {
    subscribes.increment();
    observer.subscribed(channel);
  }

  @Override
  public void published(String channel, boolean ok, long nanos) {
    (ok ? stored : failed).increment();
    publishNanos.add(nanos);
    publishNanosMax.accumulate(nanos);
    observer.published(channel, ok, nanos);
  }

  @Override
  public void delivered(WireFormat format, int frameCount, long byteCount) {
    frames[format.ordinal()].add(frameCount);
    bytes[format.ordinal()].add(byteCount);
    observer.delivered(format, frameCount, byteCount);
  }

  @Override
  public void replayed(String channel, int messages) {
    replays.increment();
    replayed.add(messages);
    observer.replayed(channel, messages);
  }

  @Override
  public void resumed(String channel, boolean wasRecovered) {
    (wasRecovered ? recovered : reset).increment();
    observer.resumed(channel, wasRecovered);
  }

  @Override
  public void rateLimited(WireFormat format) {
    rateLimited.increment();
    observer.rateLimited(format);
  }

  @Override
  public void brokerHealthChanged(BrokerHealth previous, BrokerHealth current) {
    brokerChanges.increment();
    observer.brokerHealthChanged(previous, current);
  }

  @Override
  public void brokerLag(String channel, long millis) {
    liveMessages.increment();
    lagTotal.add(millis);
    lagLast = millis;
    observer.brokerLag(channel, millis);
  }

  @Override
  public void drainStarted(int connections, Duration window) {
    drainConnections = connections;
    draining = true;
    observer.drainStarted(connections, window);
  }

  /** One connection the drain closed. */
  void drainedOne() {
    drainClosed.incrementAndGet();
  }

  @Override
  public void drainFinished(int closedCount, Duration took) {
    observer.drainFinished(closedCount, took);
  }

  HubStats snapshot(BrokerHealth health) {
    Map<String, HubStats.Transport> transports = new HashMap<>();
    for (WireFormat f : FORMATS) {
      int i = f.ordinal();
      transports.put(
          f.name().toLowerCase(Locale.ROOT),
          new HubStats.Transport(
              opened[i].sum(), closed[i].sum(), frames[i].sum(), bytes[i].sum()));
    }
    Map<String, Long> closeCounts = new HashMap<>();
    closes.forEach((code, adder) -> closeCounts.put(code, adder.sum()));
    Map<String, Long> refusalCounts = new HashMap<>();
    refusals.forEach((reason, adder) -> refusalCounts.put(reason, adder.sum()));
    return new HubStats(
        Instant.now(),
        transports,
        closeCounts,
        subscribes.sum(),
        new HubStats.Publishes(
            stored.sum(), failed.sum(), publishNanos.sum(), publishNanosMax.get()),
        new HubStats.Replays(replays.sum(), replayed.sum()),
        new HubStats.Resumes(recovered.sum(), reset.sum()),
        rateLimited.sum(),
        new HubStats.Broker(
            health, brokerChanges.sum(), liveMessages.sum(), lagTotal.sum(), lagLast),
        new HubStats.Drain(draining, drainConnections, drainClosed.get()),
        refusalCounts);
  }
}
