package dev.herald.push.redis;

import dev.herald.push.spi.BrokerListener;
import dev.herald.push.spi.BrokerSubscription;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A node's live feeds of its channels from Redis: {@link LiveFeeds} over classic Pub/Sub on one
 * Redis, {@link ShardedFeeds} over sharded Pub/Sub on a Redis Cluster. Implementations are
 * thread-safe and call listeners on the broker's worker thread.
 */
interface Feeds {
  /** See {@code Broker.subscribe}. */
  CompletableFuture<BrokerSubscription> subscribe(String channel, BrokerListener listener);

  /** Channels with a Redis subscription now; for tests. */
  CompletableFuture<Set<String>> channels();

  /** Called by the heartbeat: repairs whatever subscriptions need it. */
  void resync();

  /** Has the channel's listeners replay from the stream: it started a new epoch. */
  void resync(String channel);

  /** Stops every feed; the caller closes the connections. */
  void close();
}
