package dev.herald.push.redis;

import dev.herald.push.ErrorCode;
import dev.herald.push.Message;
import dev.herald.push.PushException;
import dev.herald.push.spi.BrokerListener;
import dev.herald.push.spi.BrokerSubscription;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
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
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's live feeds on a Redis Cluster: one sharded Pub/Sub subscription ({@code SSUBSCRIBE})
 * per channel with local listeners, on the master that owns the channel's slot, dropped when the
 * last listener closes. A message travels only from its shard to the nodes that subscribed to its
 * channel. Thread-safe.
 *
 * <p>Design notes. As in {@link LiveFeeds}, all state lives on the broker's worker thread;
 * Lettuce's callbacks and the callers only post tasks to it. The feeds do not leave resubscribing
 * to Lettuce, which has had bugs doing it for sharded channels after reconnects and slot moves:
 * each feed records the node it is subscribed on ({@code node}), and the feed is "lost" ({@code
 * node == null}) when that node's connection drops, when the node unsubscribes it (its slot moved
 * away), or when the cluster's topology says another node now owns its slot. A lost feed is placed
 * again on whichever master owns the slot, retrying every {@value #RETRY_MILLIS} ms and asking
 * Lettuce to refresh the topology meanwhile; once the new subscription is confirmed the feed checks
 * what this node saw of the channel ({@link HistoryWitness}: a failover may have sent the history
 * backwards) and then has every listener resync, so the hub replays from the stream whatever the
 * feed missed. Live Pub/Sub is treated as lossy throughout; the stream is the truth. Messages that
 * arrive from a node the feed is not placed on are dropped (the replay covers them).
 */
final class ShardedFeeds implements Feeds {
  private static final Logger LOG = LoggerFactory.getLogger(ShardedFeeds.class);
  private static final long RETRY_MILLIS = 200;
  private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final int FIRST_ATTEMPTS = 10;
  private static final long TOPOLOGY_MILLIS = 250;
  private static final int VERIFY_ATTEMPTS = 5;

  private final StatefulRedisClusterPubSubConnection<String, byte[]> connection;
  private final RedisClusterClient client;
  private final RedisKeys keys;
  private final ScheduledExecutorService worker;
  private final StreamHistory history;
  private final Consumer<BitSet> onTopologyChange;

  // Confined to the worker thread.
  private final Map<String, Feed> feeds = new HashMap<>();
  private final Map<String, StatefulRedisPubSubConnection<String, byte[]>> nodes = new HashMap<>();
  private final Set<String> strays = new HashSet<>();
  private long lastRefresh = System.nanoTime() - REFRESH_NANOS;
  private String topology = "";
  private String[] owners;
  private boolean closed;

  ShardedFeeds(
      StatefulRedisClusterPubSubConnection<String, byte[]> connection,
      RedisClusterClient client,
      RedisKeys keys,
      ScheduledExecutorService worker,
      StreamHistory history,
      Consumer<BitSet> onTopologyChange) {
    this.onTopologyChange = onTopologyChange;
    this.connection = connection;
    this.client = client;
    this.keys = keys;
    this.worker = worker;
    this.history = history;
    connection.setNodeMessagePropagation(true);
    connection.addListener(
        new RedisClusterPubSubAdapter<String, byte[]>() {
          @Override
          public void smessage(RedisClusterNode node, String channel, byte[] message) {
            String nodeId = node == null ? null : node.getNodeId();
            execute(() -> onLive(nodeId, channel, message));
          }

          @Override
          public void sunsubscribed(RedisClusterNode node, String channel, long count) {
            if (node != null) {
              String nodeId = node.getNodeId();
              execute(() -> onUnsubscribed(nodeId, channel));
            }
          }
        });
    client.addListener(
        new RedisConnectionStateListener() {
          @Override
          public void onRedisDisconnected(RedisChannelHandler<?, ?> c) {
            execute(() -> onDisconnected(c));
          }
        });
    try {
      worker.scheduleWithFixedDelay(
          this::watchTopology, TOPOLOGY_MILLIS, TOPOLOGY_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // The broker is closing.
    }
  }

  /**
   * Compares the topology Lettuce knows (refreshed on redirections, lost connections and every few
   * seconds) with the last one seen; on a change, a failover or a resharding, moves the feeds and
   * checks what this node saw of its channels against the shards.
   */
  private void watchTopology() {
    if (closed) {
      return;
    }
    List<String> shape = new ArrayList<>();
    for (RedisClusterNode node : connection.getPartitions()) {
      shape.add(
          node.getNodeId()
              + (node.is(RedisClusterNode.NodeFlag.UPSTREAM) ? " m " : " r ")
              + node.getSlots().size());
    }
    Collections.sort(shape);
    String current = String.join(";", shape);
    if (!current.equals(topology)) {
      topology = current;
      String[] now = new String[SlotHash.SLOT_COUNT];
      for (RedisClusterNode node : connection.getPartitions()) {
        if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
          for (int slot : node.getSlots()) {
            now[slot] = node.getNodeId();
          }
        }
      }
      BitSet moved = new BitSet(SlotHash.SLOT_COUNT);
      if (owners != null) {
        for (int slot = 0; slot < now.length; slot++) {
          if (now[slot] == null) {
            // No master for now (mid-failover): compare with the last owner when one appears.
            now[slot] = owners[slot];
          } else if (owners[slot] != null && !owners[slot].equals(now[slot])) {
            moved.set(slot);
          }
        }
      }
      owners = now;
      if (!moved.isEmpty()) {
        LOG.info(
            "{} slots of the Redis Cluster changed owner; checking the live feeds and histories",
            moved.cardinality());
        resync();
        onTopologyChange.accept(moved);
      }
    }
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
    String redisChannel = keys.live(channel);
    Feed feed = feeds.get(redisChannel);
    if (feed == null) {
      feed = new Feed(channel, redisChannel);
      feeds.put(redisChannel, feed);
      place(feed);
    } else if (feed.node == null && feed.ready.isDone()) {
      result.completeExceptionally(
          new PushException(
              ErrorCode.UNAVAILABLE,
              "the message broker is unavailable: the channel's Redis shard is changing over"));
      return;
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
    feed.generation++;
    if (!feed.ready.isDone()) {
      feed.ready.completeExceptionally(BrokerFailure.closed());
    }
    if (!closed && feed.node != null) {
      unsubscribe(feed.node, feed.redisChannel);
    }
  }

  /** Subscribes the feed on the master that owns its slot, as far as the topology knows. */
  private void place(Feed feed) {
    if (closed || feeds.get(feed.redisChannel) != feed) {
      return;
    }
    long generation = ++feed.generation;
    RedisClusterNode master = connection.getPartitions().getMasterBySlot(feed.slot);
    if (master == null) {
      placed(feed, generation, null, new IllegalStateException("no master owns the slot"));
      return;
    }
    String nodeId = master.getNodeId();
    connection
        .getConnectionAsync(nodeId)
        .thenCompose(
            c ->
                c.async()
                    .ssubscribe(feed.redisChannel)
                    .toCompletableFuture()
                    .thenApply(ignored -> c))
        .whenComplete(
            (c, error) ->
                execute(() -> placed(feed, generation, nodeId, error == null ? c : null, error)));
  }

  private void placed(Feed feed, long generation, String nodeId, Throwable error) {
    placed(feed, generation, nodeId, null, error);
  }

  private void placed(
      Feed feed,
      long generation,
      String nodeId,
      StatefulRedisPubSubConnection<String, byte[]> node,
      Throwable error) {
    if (closed || feed.generation != generation || feeds.get(feed.redisChannel) != feed) {
      if (error == null && !closed && !feeds.containsKey(feed.redisChannel)) {
        unsubscribe(nodeId, feed.redisChannel);
      }
      return;
    }
    if (error != null) {
      feed.attempts++;
      LOG.debug(
          "Channel {}: subscribing on the shard failed (attempt {}): {}",
          feed.channel,
          feed.attempts,
          error.toString());
      refreshTopology();
      if (!feed.ready.isDone() && feed.attempts >= FIRST_ATTEMPTS) {
        feed.ready.completeExceptionally(error);
        return;
      }
      schedule(() -> place(feed), RETRY_MILLIS);
      return;
    }
    nodes.put(nodeId, node);
    feed.node = nodeId;
    feed.attempts = 0;
    if (!feed.ready.isDone()) {
      feed.ready.complete(null);
      return;
    }
    HistoryWitness.Seen seen = feed.seenAtLoss;
    feed.seenAtLoss = null;
    LOG.info("Channel {}: live feed moved to shard node {}; backfilling", feed.channel, nodeId);
    if (seen == null) {
      notifyResync(feed);
      return;
    }
    verifyThenResync(feed, seen, VERIFY_ATTEMPTS);
  }

  /**
   * Checks what this node saw of the channel against its shard, then has the listeners replay; a
   * check that fails (the new master still being connected) is tried again, up to {@code attempts}
   * times, and the listeners replay after each try.
   */
  private void verifyThenResync(Feed feed, HistoryWitness.Seen seen, int attempts) {
    history
        .verify(feed.channel, seen)
        .whenComplete(
            (bumped, error) ->
                execute(
                    () -> {
                      notifyResync(feed);
                      if (error != null && attempts > 1 && feeds.get(feed.redisChannel) == feed) {
                        schedule(
                            () -> verifyThenResync(feed, seen, attempts - 1), RETRY_MILLIS * 5);
                      }
                    }));
  }

  /** The feed's subscription is gone or in the wrong place: place it again and resync after. */
  private void lost(Feed feed, String why) {
    if (feed.node == null || closed) {
      return;
    }
    LOG.info("Channel {}: live feed on shard node {} lost ({})", feed.channel, feed.node, why);
    feed.seenAtLoss = history.witness().get(feed.channel);
    feed.node = null;
    place(feed);
  }

  private void onLive(String nodeId, String redisChannel, byte[] payload) {
    Feed feed = feeds.get(redisChannel);
    if (feed == null || feed.node == null || !feed.node.equals(nodeId)) {
      if (nodeId != null && (feed == null || feed.node != null)) {
        // A subscription this node no longer wants, or one Lettuce restored on a node that no
        // longer owns the slot: drop it. What it carried reaches the feed by replay.
        String stray = nodeId + " " + redisChannel;
        if (!closed && strays.add(stray)) {
          unsubscribe(nodeId, redisChannel)
              .whenComplete((ok, e) -> execute(() -> strays.remove(stray)));
        }
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
    if (decoded instanceof Message message && history.witness().note(message, false)) {
      history.verifyLater(feed.channel);
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

  /** Redis unsubscribed a feed by itself: its slot moved to another shard. */
  private void onUnsubscribed(String nodeId, String redisChannel) {
    Feed feed = feeds.get(redisChannel);
    if (feed != null && nodeId.equals(feed.node)) {
      lost(feed, "the shard unsubscribed it");
    }
  }

  private void onDisconnected(RedisChannelHandler<?, ?> handler) {
    String down = null;
    for (Map.Entry<String, StatefulRedisPubSubConnection<String, byte[]>> e : nodes.entrySet()) {
      if (e.getValue() == handler) {
        down = e.getKey();
      }
    }
    if (down == null) {
      return;
    }
    nodes.remove(down);
    for (Feed feed : new ArrayList<>(feeds.values())) {
      if (down.equals(feed.node)) {
        lost(feed, "connection lost");
      }
    }
  }

  /** Moves every feed whose slot another master owns now; on topology changes and heartbeats. */
  @Override
  public void resync() {
    execute(
        () -> {
          for (Feed feed : new ArrayList<>(feeds.values())) {
            if (feed.node == null) {
              continue;
            }
            RedisClusterNode master = connection.getPartitions().getMasterBySlot(feed.slot);
            if (master != null && !master.getNodeId().equals(feed.node)) {
              String old = feed.node;
              lost(feed, "slot " + feed.slot + " moved to node " + master.getNodeId());
              unsubscribe(old, feed.redisChannel);
            }
          }
        });
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

  private CompletableFuture<Void> unsubscribe(String nodeId, String redisChannel) {
    return connection
        .getConnectionAsync(nodeId)
        .thenCompose(c -> c.async().sunsubscribe(redisChannel).toCompletableFuture())
        .exceptionally(
            e -> {
              LOG.debug("Unsubscribing on node {} failed: {}", nodeId, e.toString());
              return null;
            });
  }

  private void refreshTopology() {
    long now = System.nanoTime();
    if (now - lastRefresh < REFRESH_NANOS) {
      return;
    }
    lastRefresh = now;
    client
        .refreshPartitionsAsync()
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                LOG.debug("Refreshing the cluster topology failed: {}", error.toString());
              }
              resync();
            });
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

  @Override
  public CompletableFuture<Set<String>> channels() {
    CompletableFuture<Set<String>> result = new CompletableFuture<>();
    if (!execute(
        () -> {
          Set<String> names = new HashSet<>();
          feeds.values().stream().filter(f -> f.node != null).forEach(f -> names.add(f.channel));
          result.complete(names);
        })) {
      result.complete(Set.of());
    }
    return result;
  }

  @Override
  public void close() {
    execute(
        () -> {
          closed = true;
          for (Feed feed : feeds.values()) {
            feed.taps.forEach(tap -> tap.closed.set(true));
            if (!feed.ready.isDone()) {
              feed.ready.completeExceptionally(BrokerFailure.closed());
            }
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

  /** One channel's sharded subscription and its local listeners. Confined to the worker. */
  private static final class Feed {
    final String channel;
    final String redisChannel;
    final int slot;
    final List<Tap> taps = new ArrayList<>();
    final CompletableFuture<Void> ready = new CompletableFuture<>();

    /** The node the subscription is confirmed on; {@code null} while it is being placed. */
    String node;

    /** Counts placements, so that the answer to an earlier one is ignored. */
    long generation;

    int attempts;

    /** What this node had seen of the channel when the feed was lost. */
    HistoryWitness.Seen seenAtLoss;

    Feed(String channel, String redisChannel) {
      this.channel = channel;
      this.redisChannel = redisChannel;
      this.slot = SlotHash.getSlot(redisChannel);
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
