package dev.herald.push;

import dev.herald.push.spi.Broker;
import dev.herald.push.spi.BrokerListener;
import dev.herald.push.spi.BrokerSubscription;
import dev.herald.push.spi.Replay;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The embedded broker for a single process: each channel's history lives in this JVM, bounded by
 * count, bytes and age. Thread-safe. Every call completes before it returns; live listeners are
 * called on the publishing thread, in offset order.
 *
 * <p>A channel with no listeners and no retained messages is forgotten after a while (swept about
 * every 30 s, from a hub's timer and on subscribes), so that memory follows the channels in use; if
 * it is named again it starts a new epoch, and a client still holding its old position gets {@code
 * reset}.
 */
public final class InMemoryBroker implements Broker {
  private static final char[] EPOCH_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
  private static final long SWEEP_NANOS = 30_000_000_000L;

  private final int historySize;
  private final long historyMaxBytes;
  private final Duration historyMaxAge;
  private final Clock clock;
  private final Map<String, ChannelLog> channels = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Member>> members = new ConcurrentHashMap<>();
  private final AtomicLong nextSweep = new AtomicLong(System.nanoTime() + SWEEP_NANOS);
  private final AtomicBoolean closed = new AtomicBoolean();

  private InMemoryBroker(Builder b) {
    this.historySize = b.historySize;
    this.historyMaxBytes = b.historyMaxBytes;
    this.historyMaxAge = b.historyMaxAge;
    this.clock = b.clock;
  }

  /** A broker with the default limits: 1,000 messages, 1 MiB and one hour per channel. */
  public static InMemoryBroker create() {
    return builder().build();
  }

  /** Starts configuring a broker. */
  public static Builder builder() {
    return new Builder();
  }

  private final class ChannelLog {
    final ReentrantLock lock = new ReentrantLock();
    final HistoryBuffer history;
    final List<BrokerListener> listeners = new CopyOnWriteArrayList<>();

    ChannelLog() {
      history =
          new HistoryBuffer(newEpoch(), historySize, historyMaxBytes, historyMaxAge.toMillis());
    }
  }

  private ChannelLog log(String channel) {
    checkOpen();
    return channels.computeIfAbsent(Names.checkChannel(channel), c -> new ChannelLog());
  }

  @Override
  public CompletionStage<Message> publish(
      String channel, String event, String data, String publisherId) {
    try {
      ChannelLog log = log(channel);
      log.lock.lock();
      try {
        // Milliseconds, as the wire format shows them.
        Message m =
            log.history.append(
                channel, event, data, publisherId, clock.instant().truncatedTo(ChronoUnit.MILLIS));
        for (BrokerListener listener : log.listeners) {
          listener.onMessage(m);
        }
        return CompletableFuture.completedFuture(m);
      } finally {
        log.lock.unlock();
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletionStage<Void> publishEphemeral(EphemeralMessage message) {
    try {
      ChannelLog log = existing(message.channel());
      if (log != null) {
        // Under the channel's lock, as publish: a listener sees one call at a time.
        log.lock.lock();
        try {
          for (BrokerListener listener : log.listeners) {
            listener.onEphemeral(message);
          }
        } finally {
          log.lock.unlock();
        }
      }
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The channel's log if it has one now; ephemeral messages make none. */
  private ChannelLog existing(String channel) {
    checkOpen();
    return channels.get(Names.checkChannel(channel));
  }

  private void tell(PresenceEvent event) {
    ChannelLog log = channels.get(event.channel());
    if (log == null) {
      return;
    }
    log.lock.lock();
    try {
      for (BrokerListener listener : log.listeners) {
        listener.onPresence(event);
      }
    } finally {
      log.lock.unlock();
    }
  }

  @Override
  public CompletionStage<Replay> replay(String channel, Position since, int limit) {
    try {
      ChannelLog log = log(channel);
      log.lock.lock();
      try {
        return CompletableFuture.completedFuture(log.history.replay(since, limit, clock.instant()));
      } finally {
        log.lock.unlock();
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletionStage<Position> position(String channel) {
    try {
      ChannelLog log = log(channel);
      log.lock.lock();
      try {
        return CompletableFuture.completedFuture(log.history.head());
      } finally {
        log.lock.unlock();
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletionStage<BrokerSubscription> subscribe(String channel, BrokerListener listener) {
    Objects.requireNonNull(listener, "listener");
    try {
      maybeSweep();
      ChannelLog log = log(channel);
      log.lock.lock();
      try {
        log.listeners.add(listener);
      } finally {
        log.lock.unlock();
      }
      return CompletableFuture.completedFuture(() -> log.listeners.remove(listener));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletionStage<Void> join(String channel, Member member) {
    members.computeIfAbsent(channel, c -> new ConcurrentHashMap<>()).put(member.clientId(), member);
    tell(new PresenceEvent(channel, PresenceEvent.Kind.JOIN, member));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> leave(String channel, Member member) {
    members.computeIfPresent(
        channel,
        (c, map) -> {
          map.remove(member.clientId());
          return map.isEmpty() ? null : map;
        });
    tell(new PresenceEvent(channel, PresenceEvent.Kind.LEAVE, member));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<List<Member>> members(String channel) {
    Map<String, Member> map = members.get(channel);
    if (map == null) {
      return CompletableFuture.completedFuture(List.of());
    }
    List<Member> list = new ArrayList<>(map.values());
    list.sort(Comparator.comparing(Member::since).thenComparing(Member::clientId));
    return CompletableFuture.completedFuture(list);
  }

  /** Channels this broker holds state for now; forgotten channels are not counted. */
  public int channelCount() {
    return channels.size();
  }

  /** Forgets channels with no listeners and no retained messages. Runs by itself now and then. */
  public void sweep() {
    for (Map.Entry<String, ChannelLog> e : new ArrayList<>(channels.entrySet())) {
      ChannelLog log = e.getValue();
      log.lock.lock();
      try {
        log.history.trim(clock.instant());
        if (log.listeners.isEmpty() && log.history.size() == 0) {
          channels.remove(e.getKey(), log);
        }
      } finally {
        log.lock.unlock();
      }
    }
  }

  /**
   * Sweeps if 30 s have passed since the last sweep. Called on each subscribe, and every second by
   * the timer of a hub that uses this broker, not on publish: a branch taken once every 30 s on the
   * publish path would make the JIT throw the compiled publish path away the first time it is
   * taken, and compiling it again costs a busy server about half a second.
   */
  void maybeSweep() {
    long next = nextSweep.get();
    long now = System.nanoTime();
    if (now - next >= 0 && nextSweep.compareAndSet(next, now + SWEEP_NANOS)) {
      sweep();
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new PushException(ErrorCode.UNAVAILABLE, "the broker is closed");
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      channels.clear();
      members.clear();
    }
  }

  private static String newEpoch() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] epoch = new char[10];
    for (int i = 0; i < epoch.length; i++) {
      epoch[i] = EPOCH_CHARS[random.nextInt(EPOCH_CHARS.length)];
    }
    return new String(epoch);
  }

  /** Configures an {@link InMemoryBroker}. Not thread-safe. */
  public static final class Builder {
    private int historySize = 1000;
    private long historyMaxBytes = 1 << 20;
    private Duration historyMaxAge = Duration.ofHours(1);
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** How many messages each channel keeps for replay; default 1,000. */
    public Builder historySize(int messages) {
      if (messages <= 0) {
        throw new IllegalArgumentException("historySize must be > 0, was " + messages);
      }
      this.historySize = messages;
      return this;
    }

    /**
     * Roughly how many bytes of payload each channel keeps; default 1 MiB. The newest message is
     * always kept.
     */
    public Builder historyMaxBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("historyMaxBytes must be > 0, was " + bytes);
      }
      this.historyMaxBytes = bytes;
      return this;
    }

    /** How long a message stays in history; default one hour. */
    public Builder historyMaxAge(Duration age) {
      Objects.requireNonNull(age, "historyMaxAge");
      if (age.isNegative() || age.isZero()) {
        throw new IllegalArgumentException("historyMaxAge must be > 0, was " + age);
      }
      this.historyMaxAge = age;
      return this;
    }

    /** The clock that stamps messages and ages history; for tests. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Builds the broker. */
    public InMemoryBroker build() {
      return new InMemoryBroker(this);
    }
  }
}
