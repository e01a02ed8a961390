package dev.herald.push;

import dev.herald.push.spi.Broker;
import dev.herald.push.spi.BrokerHealth;
import dev.herald.push.spi.BrokerListener;
import dev.herald.push.spi.BrokerSubscription;
import dev.herald.push.spi.Replay;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A broker for tests: the in-memory broker behind a live feed that drops, repeats or reorders
 * messages on request, with replays that complete later on another thread, as a networked broker's
 * would, and a health the test sets; its history can be lost, as a restarted Redis or node loses
 * it, while the live feeds stay. Thread-safe.
 */
final class FlakyBroker implements Broker {
  /** What the live feed does with one message. */
  enum Fate {
    PASS,
    DROP,
    DUPLICATE,
    SWAP_WITH_NEXT
  }

  private volatile InMemoryBroker delegate;
  private final List<Feed> feeds = new CopyOnWriteArrayList<>();
  private final Executor later = CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS);
  volatile Function<Message, Fate> fate = m -> Fate.PASS;
  volatile boolean positionsFail;
  final List<BrokerListener> listeners = new CopyOnWriteArrayList<>();
  private volatile BrokerHealth health = BrokerHealth.LOCAL;
  private final List<Consumer<BrokerHealth>> healthWatchers = new CopyOnWriteArrayList<>();

  FlakyBroker(InMemoryBroker delegate) {
    this.delegate = delegate;
  }

  /** One live feed, subscribed to whichever in-memory broker holds the history now. */
  private static final class Feed {
    final String channel;
    final BrokerListener listener;
    volatile BrokerSubscription current;

    Feed(String channel, BrokerListener listener) {
      this.channel = channel;
      this.listener = listener;
    }
  }

  /**
   * Loses every channel's history: {@code next} holds it from now on, each channel in a new epoch,
   * and the live feeds carry its messages. Call it while nothing is published.
   */
  void loseHistory(InMemoryBroker next) {
    InMemoryBroker old = delegate;
    delegate = next;
    for (Feed feed : feeds) {
      BrokerSubscription previous = feed.current;
      feed.current = next.subscribe(feed.channel, feed.listener).toCompletableFuture().join();
      previous.close();
    }
    old.close();
  }

  @Override
  public CompletionStage<Message> publish(
      String channel, String event, String data, String publisherId) {
    return delegate.publish(channel, event, data, publisherId);
  }

  @Override
  public CompletionStage<Replay> replay(String channel, Position since, int limit) {
    return delegate.replay(channel, since, limit).thenApplyAsync(r -> r, later);
  }

  @Override
  public CompletionStage<Position> position(String channel) {
    if (positionsFail) {
      return CompletableFuture.supplyAsync(
          () -> {
            throw new IllegalStateException("broker down");
          },
          later);
    }
    return delegate.position(channel).thenApplyAsync(p -> p, later);
  }

  @Override
  public CompletionStage<BrokerSubscription> subscribe(String channel, BrokerListener listener) {
    BrokerListener flaky =
        new BrokerListener() {
          private Message swapped;

          @Override
          public void onMessage(Message message) {
            switch (fate.apply(message)) {
              case PASS -> deliver(message);
              case DROP -> {}
              case DUPLICATE -> {
                deliver(message);
                deliver(message);
              }
              case SWAP_WITH_NEXT -> swapped = message;
            }
          }

          private void deliver(Message message) {
            listener.onMessage(message);
            if (swapped != null && swapped != message) {
              Message s = swapped;
              swapped = null;
              listener.onMessage(s);
            }
          }

          @Override
          public void onResync() {
            listener.onResync();
          }
        };
    listeners.add(listener);
    Feed feed = new Feed(channel, flaky);
    feed.current = delegate.subscribe(channel, flaky).toCompletableFuture().join();
    feeds.add(feed);
    return CompletableFuture.<BrokerSubscription>completedFuture(
            () -> {
              feeds.remove(feed);
              listeners.remove(listener);
              feed.current.close();
            })
        .thenApplyAsync(sub -> sub, later);
  }

  @Override
  public CompletionStage<Void> join(String channel, Member member) {
    return delegate.join(channel, member);
  }

  @Override
  public CompletionStage<Void> leave(String channel, Member member) {
    return delegate.leave(channel, member);
  }

  @Override
  public CompletionStage<List<Member>> members(String channel) {
    return delegate.members(channel);
  }

  /** Changes the health it reports, and tells its watchers. */
  void health(BrokerHealth next) {
    health = next;
    healthWatchers.forEach(w -> w.accept(next));
  }

  @Override
  public BrokerHealth health() {
    return health;
  }

  @Override
  public void watchHealth(Consumer<BrokerHealth> listener) {
    healthWatchers.add(listener);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
