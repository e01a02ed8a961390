package dev.herald.push.redis;

import dev.herald.push.ErrorCode;
import dev.herald.push.PushException;
import dev.herald.push.spi.BrokerListener;
import dev.herald.push.spi.BrokerSubscription;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's live feeds: one Redis Pub/Sub subscription per channel that has local listeners,
 * dropped when the last of them closes. Thread-safe.
 *
 * <p>Design notes. All state lives on one thread, the broker's worker: Lettuce's callbacks (a
 * message, a lost or restored connection) and the callers' subscribe and close only post tasks to
 * it. So listeners are called one at a time, for every channel, in the order Redis sent the
 * messages, and SUBSCRIBE and UNSUBSCRIBE reach the connection in the order they were decided — an
 * UNSUBSCRIBE can never overtake the SUBSCRIBE of a later listener. Pub/Sub loses whatever is
 * published while the connection is down, so after a reconnect the worker subscribes to every
 * channel again, waits for Redis to confirm, and only then tells every listener to resync: the hub
 * replays from the streams whatever its feed missed. New subscribes fail while the connection is
 * down, since no message could reach them; the hub retries.
 */
final class LiveFeeds implements Feeds {
  private static final Logger LOG = LoggerFactory.getLogger(LiveFeeds.class);
  private static final long RETRY_MILLIS = 200;

  private final StatefulRedisPubSubConnection<String, byte[]> connection;
  private final RedisKeys keys;
  private final ScheduledExecutorService worker;
  private final Runnable afterResync;

  // Confined to the worker thread.
  private final Map<String, Feed> feeds = new HashMap<>();
  private final Set<String> strays = new HashSet<>();
  private long disconnects;
  private boolean resyncNeeded;
  private boolean resyncRunning;
  private boolean closed;

  /**
   * @param afterResync runs on the worker after each restored connection, once the listeners were
   *     told to resync
   */
  LiveFeeds(
      StatefulRedisPubSubConnection<String, byte[]> connection,
      RedisKeys keys,
      ScheduledExecutorService worker,
      Runnable afterResync) {
    this.connection = connection;
    this.keys = keys;
    this.worker = worker;
    this.afterResync = afterResync;
    connection.addListener(
        new RedisPubSubAdapter<String, byte[]>() {
          @Override
          public void message(String channel, byte[] message) {
            execute(() -> onLive(channel, message));
          }
        });
    connection.addListener(
        new RedisConnectionStateListener() {
          @Override
          public void onRedisDisconnected(RedisChannelHandler<?, ?> c) {
            execute(LiveFeeds.this::onDisconnected);
          }

          @Override
          public void onRedisConnected(RedisChannelHandler<?, ?> c, SocketAddress address) {
            execute(LiveFeeds.this::resync);
          }
        });
  }

  @Override
  public CompletableFuture<BrokerSubscription> subscribe(String channel, BrokerListener listener) {
    CompletableFuture<BrokerSubscription> result = new CompletableFuture<>();
    if (!execute(() -> attach(channel, listener, result))) {
      result.completeExceptionally(BrokerFailure.closed());
    }
    return result;
  }

  private void attach(
      String channel, BrokerListener listener, CompletableFuture<BrokerSubscription> result) {
    if (closed) {
      result.completeExceptionally(BrokerFailure.closed());
      return;
    }
    if (resyncNeeded) {
      result.completeExceptionally(
          new PushException(
              ErrorCode.UNAVAILABLE,
              "the message broker is unavailable: the Redis Pub/Sub connection is down"));
      return;
    }
    String redisChannel = keys.live(channel);
    Feed feed = feeds.get(redisChannel);
    if (feed == null) {
      feed = new Feed(channel, redisChannel);
      feeds.put(redisChannel, feed);
      feed.ready = connection.async().subscribe(redisChannel).toCompletableFuture();
    } else if (feed.ready.isCompletedExceptionally()) {
      feed.ready = connection.async().subscribe(redisChannel).toCompletableFuture();
    }
    Tap tap = new Tap(feed, listener);
    feed.taps.add(tap);
    feed.ready.whenComplete(
        (ignored, error) -> {
          if (error == null) {
            result.complete(tap);
            return;
          }
          if (!execute(() -> detach(tap))) {
            tap.closed.set(true);
          }
          result.completeExceptionally(BrokerFailure.unavailable(error));
        });
  }

  private void detach(Tap tap) {
    tap.closed.set(true);
    Feed feed = tap.feed;
    if (!feed.taps.remove(tap) || !feed.taps.isEmpty() || feeds.get(feed.redisChannel) != feed) {
      return;
    }
    feeds.remove(feed.redisChannel);
    if (!closed) {
      // If this fails (the connection is down), Lettuce may subscribe again on reconnect; the
      // first message of the stray subscription then unsubscribes it.
      connection.async().unsubscribe(feed.redisChannel);
    }
  }

  private void onLive(String redisChannel, byte[] payload) {
    Feed feed = feeds.get(redisChannel);
    if (feed == null) {
      if (!closed && strays.add(redisChannel)) {
        connection
            .async()
            .unsubscribe(redisChannel)
            .whenComplete((ignored, error) -> execute(() -> strays.remove(redisChannel)));
      }
      return;
    }
    Object decoded;
    try {
      decoded = LivePayload.decodeAny(feed.channel, payload);
    } catch (RuntimeException e) {
      LOG.warn(
          "Channel {}: malformed live message from Redis; resyncing: {}",
          feed.channel,
          e.toString());
      notifyResync(feed);
      return;
    }
    for (int i = 0; i < feed.taps.size(); i++) {
      Tap tap = feed.taps.get(i);
      if (!tap.closed.get()) {
        try {
          LivePayload.deliver(decoded, tap.listener);
        } catch (RuntimeException e) {
          LOG.warn("Channel {}: a broker listener failed", feed.channel, e);
        }
      }
    }
  }

  private void onDisconnected() {
    disconnects++;
    if (!resyncNeeded && !closed) {
      LOG.warn("Lost the Redis Pub/Sub connection; live feeds of {} channels paused", feeds.size());
    }
    resyncNeeded = true;
  }

  @Override
  public void resync(String channel) {
    execute(
        () -> {
          Feed feed = feeds.get(keys.live(channel));
          if (feed != null) {
            notifyResync(feed);
          }
        });
  }

  /** Subscribes every feed again after a lost connection, then has every listener resync. */
  @Override
  public void resync() {
    if (closed || !resyncNeeded || resyncRunning) {
      return;
    }
    long generation = disconnects;
    List<String> channels = new ArrayList<>(feeds.keySet());
    resyncRunning = true;
    CompletableFuture<?> confirmed =
        channels.isEmpty()
            ? connection.async().ping().toCompletableFuture()
            : connection.async().subscribe(channels.toArray(String[]::new)).toCompletableFuture();
    confirmed.whenComplete(
        (ignored, error) -> execute(() -> afterResubscribe(generation, channels, error)));
  }

  private void afterResubscribe(long generation, List<String> channels, Throwable error) {
    resyncRunning = false;
    if (closed) {
      return;
    }
    if (error != null) {
      LOG.debug("Resubscribing to Redis failed, retrying: {}", error.toString());
      schedule(this::resync, RETRY_MILLIS);
      return;
    }
    if (generation == disconnects) {
      resyncNeeded = false;
    } else {
      schedule(this::resync, 0);
    }
    LOG.info(
        "Redis Pub/Sub connection restored; backfilling {} channels from their streams",
        channels.size());
    for (String redisChannel : channels) {
      Feed feed = feeds.get(redisChannel);
      if (feed != null) {
        notifyResync(feed);
      }
    }
    afterResync.run();
  }

  private void notifyResync(Feed feed) {
    for (Tap tap : new ArrayList<>(feed.taps)) {
      if (!tap.closed.get()) {
        try {
          tap.listener.onResync();
        } catch (RuntimeException e) {
          LOG.warn("Channel {}: a broker listener failed", feed.channel, e);
        }
      }
    }
  }

  /** Channels this node holds a Pub/Sub subscription for; runs on the worker, for tests. */
  @Override
  public CompletableFuture<Set<String>> channels() {
    CompletableFuture<Set<String>> result = new CompletableFuture<>();
    if (!execute(
        () -> {
          Set<String> names = new HashSet<>();
          feeds.values().forEach(f -> names.add(f.channel));
          result.complete(names);
        })) {
      result.complete(Set.of());
    }
    return result;
  }

  /** Stops every feed; the caller closes the connection. */
  @Override
  public void close() {
    execute(
        () -> {
          closed = true;
          for (Feed feed : feeds.values()) {
            feed.taps.forEach(tap -> tap.closed.set(true));
          }
          feeds.clear();
        });
  }

  private boolean execute(Runnable task) {
    try {
      worker.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  private void schedule(Runnable task, long millis) {
    try {
      worker.schedule(task, millis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // The broker is closing.
    }
  }

  /** One channel's Pub/Sub subscription and its local listeners. Confined to the worker. */
  private static final class Feed {
    final String channel;
    final String redisChannel;
    final List<Tap> taps = new ArrayList<>();
    CompletableFuture<Void> ready;

    Feed(String channel, String redisChannel) {
      this.channel = channel;
      this.redisChannel = redisChannel;
    }
  }

  /** One listener's subscription. Thread-safe. */
  private final class Tap implements BrokerSubscription {
    final Feed feed;
    final BrokerListener listener;
    final AtomicBoolean closed = new AtomicBoolean();

    Tap(Feed feed, BrokerListener listener) {
      this.feed = feed;
      this.listener = listener;
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        execute(() -> detach(this));
      }
    }
  }
}
