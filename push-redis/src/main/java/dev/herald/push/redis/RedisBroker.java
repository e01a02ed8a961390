package dev.herald.push.redis;

import dev.herald.push.EphemeralMessage;
import dev.herald.push.ErrorCode;
import dev.herald.push.Member;
import dev.herald.push.Message;
import dev.herald.push.Names;
import dev.herald.push.Position;
import dev.herald.push.PushException;
import dev.herald.push.spi.Broker;
import dev.herald.push.spi.BrokerHealth;
import dev.herald.push.spi.BrokerListener;
import dev.herald.push.spi.BrokerSubscription;
import dev.herald.push.spi.Replay;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Broker} on Redis, for several Herald nodes that share their channels: every node
 * publishes into the same per-channel history and hears every other node's messages, so a client
 * may reconnect to any node and resume from its cursor. Thread-safe.
 *
 * <pre>{@code
 * RedisBroker broker = RedisBroker.builder()
 *     .redisUri("redis://redis.internal:6379")
 *     .historySize(1000)
 *     .build();                                  // connects, or fails with UNAVAILABLE
 * PushHub hub = PushHub.builder().broker(broker).build();
 * // … on shutdown: the hub first, then the broker it does not own
 * hub.close();
 * broker.close();
 * }</pre>
 *
 * <p>Per channel {@code C} Redis holds (with the default prefix {@code herald:}):
 *
 * <ul>
 *   <li>{@code herald:{C}:meta} — a hash with the channel's epoch and head offset;
 *   <li>{@code herald:{C}:log} — a stream with the history, entry ids {@code <offset>-0}, trimmed
 *       to about {@link Builder#historySize} entries and {@link Builder#historyMaxAge};
 *   <li>{@code herald:{C}:members} — a hash with the channel's members on every node;
 *   <li>{@code herald:{C}:live} — the Pub/Sub channel that carries new messages to the nodes.
 * </ul>
 *
 * One Lua script appends, numbers and publishes a message, so offsets stay dense and unique however
 * many nodes publish. The channel name is each key's hash tag, so on Redis Cluster all of a
 * channel's keys share a slot. When Redis loses a channel's keys (flushed, or restarted without
 * persistence), or may have lost its newest messages (restarted from disk, or failed over to a
 * replica), the channel gets a new epoch and clients get {@code reset}, never a silent gap.
 *
 * <p>Threads: returned stages complete on Lettuce's I/O threads, so continuations that block must
 * run on an executor of their own ({@code thenApplyAsync(…, executor)}). Live listeners are called
 * on the broker's single worker thread ({@code herald-redis-N}), one call at a time. While Redis
 * cannot be reached every call fails within the command timeout with a {@link PushException} of
 * code {@link ErrorCode#UNAVAILABLE}; nothing is queued to run later, so a failed publish was not
 * stored — except one whose connection dropped after Redis received it, which may still have been
 * stored (a timeout cannot tell). Once Redis is back the broker reconnects by itself and has the
 * hub backfill every live channel from the streams.
 */
public final class RedisBroker implements Broker {
  private static final Logger LOG = LoggerFactory.getLogger(RedisBroker.class);
  private static final AtomicInteger BROKERS = new AtomicInteger();
  private static final char[] ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private final String nodeId;
  private final Duration commandTimeout;
  private final RedisConnections redis;
  private final ScheduledExecutorService worker;
  private final StreamHistory history;
  private final Feeds feeds;
  private final ClusterPresence presence;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final RedisHealth health;
  private final boolean cluster;
  private final RedisKeys keys;

  private RedisBroker(Builder b, List<RedisURI> uris) {
    this.nodeId = randomId();
    this.commandTimeout = b.commandTimeout;
    boolean cluster = Builder.isCluster(b.redisUri);
    this.cluster = cluster;
    this.redis =
        cluster
            ? RedisConnections.openCluster(uris, b.commandTimeout)
            : RedisConnections.open(uris.get(0), b.commandTimeout);
    this.health = new RedisHealth(redis.target, redis.commands, redis.pubSub, cluster);
    RedisKeys keys = new RedisKeys(b.keyPrefix);
    this.keys = keys;
    int n = BROKERS.incrementAndGet();
    this.worker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "herald-redis-" + n);
              t.setDaemon(true);
              return t;
            });
    this.history = new StreamHistory(redis.async, keys, b.historySize, b.historyMaxAge, cluster);
    this.presence = new ClusterPresence(redis.async, keys, nodeId, b.presenceTimeout, cluster);
    redis.commands.addListener(
        new RedisConnectionStateListener() {
          @Override
          public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            history.forgetRunId();
          }

          @Override
          public void onRedisConnected(
              RedisChannelHandler<?, ?> connection, SocketAddress address) {
            history.forgetRunId();
            presence.reconnected();
          }
        });
    if (cluster) {
      ShardedFeeds sharded =
          new ShardedFeeds(
              (StatefulRedisClusterPubSubConnection<String, byte[]>) redis.pubSub,
              redis.clusterClient,
              keys,
              worker,
              history,
              moved -> {
                // A failover may have lost this node's newest joins and leaves with the rest.
                presence.reconnected();
                redis.warm().whenComplete((ok, error) -> verifyAll(moved, 5));
              });
      this.feeds = sharded;
    } else {
      this.feeds = new LiveFeeds(redis.pubSub, keys, worker, presence::reassert);
    }
    history.onNewEpoch(feeds::resync);
    try {
      presence.start().get(b.commandTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      close();
      throw new PushException(
          ErrorCode.UNAVAILABLE, "cannot register the node with Redis at " + redis.target, e);
    }
    long beat = Math.max(1, b.presenceTimeout.toMillis() / 3);
    worker.scheduleWithFixedDelay(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
    LOG.info("Node {} joined the cluster through Redis at {}", nodeId, redis.target);
  }

  /** A broker on the Redis at {@code redisUri} with the default settings. */
  public static RedisBroker create(String redisUri) {
    return builder().redisUri(redisUri).build();
  }

  /** Starts configuring a broker. */
  public static Builder builder() {
    return new Builder();
  }

  /** This node's id in presence entries: random, new for each broker. */
  public String nodeId() {
    return nodeId;
  }

  @Override
  public CompletionStage<Message> publish(
      String channel, String event, String data, String publisherId) {
    return call(
        () -> {
          Names.checkEvent(event);
          Objects.requireNonNull(data, "data");
          return history.publish(Names.checkChannel(channel), event, data, publisherId);
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Sent with {@code PUBLISH} (on a Redis Cluster {@code SPUBLISH}) on the channel's live
   * Pub/Sub channel, beside its stored messages; nothing is written. The stage completes when Redis
   * took it.
   */
  @Override
  public CompletionStage<Void> publishEphemeral(EphemeralMessage message) {
    return call(
        () -> {
          Objects.requireNonNull(message, "message");
          String live = keys.live(message.channel());
          String payload = LivePayload.encode(message);
          return (cluster
                  ? redis.async.spublish(live, payload)
                  : redis.async.publish(live, payload))
              .toCompletableFuture()
              .<Void>thenApply(receivers -> null);
        });
  }

  @Override
  public CompletionStage<Replay> replay(String channel, Position since, int limit) {
    return call(
        () -> {
          Objects.requireNonNull(since, "since");
          if (limit <= 0) {
            throw new IllegalArgumentException("limit must be > 0, was " + limit);
          }
          return history.replay(Names.checkChannel(channel), since, limit);
        });
  }

  @Override
  public CompletionStage<Position> position(String channel) {
    return call(() -> history.position(Names.checkChannel(channel)));
  }

  /**
   * {@inheritDoc}
   *
   * <p>The node subscribes to the channel's Pub/Sub channel on the first listener and unsubscribes
   * when the last one closes. The stage fails with {@code UNAVAILABLE} while the Pub/Sub connection
   * is down.
   */
  @Override
  public CompletionStage<BrokerSubscription> subscribe(String channel, BrokerListener listener) {
    Objects.requireNonNull(listener, "listener");
    return call(() -> feeds.subscribe(Names.checkChannel(channel), listener));
  }

  @Override
  public CompletionStage<Void> join(String channel, Member member) {
    Objects.requireNonNull(member, "member");
    return call(() -> presence.join(Names.checkChannel(channel), member));
  }

  @Override
  public CompletionStage<Void> leave(String channel, Member member) {
    Objects.requireNonNull(member, "member");
    return call(() -> presence.leave(Names.checkChannel(channel), member));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Members of a node that stopped without leaving count until its presence timeout passes.
   */
  @Override
  public CompletionStage<List<Member>> members(String channel) {
    return call(() -> presence.members(Names.checkChannel(channel)));
  }

  /** The channels this node holds a Redis Pub/Sub subscription for now. */
  CompletionStage<Set<String>> liveChannels() {
    return feeds.channels();
  }

  private <T> CompletionStage<T> call(Supplier<CompletableFuture<T>> action) {
    if (closed.get()) {
      return CompletableFuture.failedFuture(BrokerFailure.closed());
    }
    try {
      return action
          .get()
          .exceptionallyCompose(e -> CompletableFuture.failedFuture(BrokerFailure.unavailable(e)));
    } catch (RuntimeException e) {
      // A bad argument fails as itself; Lettuce refusing a command outright means unavailable.
      return CompletableFuture.failedFuture(
          e instanceof RedisException ? BrokerFailure.unavailable(e) : e);
    }
  }

  /**
   * Checks what this node saw of the channels in {@code slots} against their shards, after those
   * slots changed master; again a second later, up to {@code attempts} times, while some checks
   * fail (a new master is still being connected).
   */
  private void verifyAll(BitSet slots, int attempts) {
    history
        .verifyAll(slots)
        .thenAccept(
            failed -> {
              if (failed > 0 && attempts > 1 && !closed.get()) {
                try {
                  worker.schedule(() -> verifyAll(slots, attempts - 1), 1, TimeUnit.SECONDS);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                  // Closing.
                }
              }
            });
  }

  private void heartbeat() {
    try {
      CompletableFuture<Boolean> beat = presence.heartbeat();
      if (redis.clusterClient != null) {
        // A cluster connection reports no state of its own: whether the node key's shard answers
        // stands for whether the cluster does.
        beat.whenComplete((ok, error) -> health.reachable(error == null));
      }
      feeds.resync();
    } catch (RuntimeException e) {
      LOG.debug("Heartbeat failed: {}", e.toString());
    }
  }

  /**
   * Removes this node's members from presence, stops the live feeds and closes the connections.
   * Blocks for at most about twice the command timeout. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (redis.commands.isOpen()) {
      try {
        presence.withdraw().get(commandTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        LOG.debug("Node {}: could not withdraw its members: {}", nodeId, e.toString());
      }
    }
    feeds.close();
    worker.shutdown();
    health.closed();
    redis.close();
    LOG.info("Node {} left the cluster", nodeId);
  }

  /**
   * {@code UP} while both connections to Redis are up; {@code DEGRADED} while the Pub/Sub
   * connection reconnects (publishes and replays work; live messages arrive once it is back, the
   * gap replayed); {@code DOWN} while the command connection is down or after {@link #close()}. On
   * a Redis Cluster, where one shard can fail while the others serve: {@code UP} while the
   * heartbeat (every third of the presence timeout) is answered, {@code DEGRADED} while it is not,
   * {@code DOWN} only after {@link #close()}.
   */
  @Override
  public BrokerHealth health() {
    return health.now();
  }

  @Override
  public void watchHealth(Consumer<BrokerHealth> listener) {
    health.watch(listener);
  }

  private static String randomId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] id = new char[12];
    for (int i = 0; i < id.length; i++) {
      id[i] = ID_CHARS[random.nextInt(ID_CHARS.length)];
    }
    return new String(id);
  }

  @Override
  public String toString() {
    return "RedisBroker[" + nodeId + " at " + redis.target + "]";
  }

  /** Configures a {@link RedisBroker}. Each setter checks its argument at once. Not thread-safe. */
  public static final class Builder {
    private static final String CLUSTER_SCHEME = "redis-cluster://";
    private static final String TLS_CLUSTER_SCHEME = "rediss-cluster://";

    private String redisUri = "redis://127.0.0.1:6379";
    private String keyPrefix = "herald:";
    private int historySize = 1000;
    private Duration historyMaxAge = Duration.ofHours(1);
    private Duration commandTimeout = Duration.ofSeconds(2);
    private Duration presenceTimeout = Duration.ofSeconds(15);

    private Builder() {}

    /**
     * Where Redis is, as a Lettuce URI such as {@code redis://host:6379}, {@code
     * rediss://user:password@host:6380/0} or {@code redis-sentinel://host:26379#mymaster}, or a
     * Redis Cluster as {@code redis-cluster://host:port,host:port} ({@code rediss-cluster://} with
     * TLS; credentials and query parameters as for {@code redis://}; any reachable nodes, the
     * client learns the rest); default {@code redis://127.0.0.1:6379}. On a Redis Cluster (Redis 7
     * or newer) live messages use sharded Pub/Sub.
     */
    public Builder redisUri(String uri) {
      Objects.requireNonNull(uri, "redisUri");
      try {
        uris(uri);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "redisUri is not a valid Redis URI, was \"" + masked(uri) + "\": " + e.getMessage());
      }
      this.redisUri = uri;
      return this;
    }

    /**
     * What every key and Pub/Sub channel name starts with, so that several applications can share
     * one Redis; default {@code herald:}. Up to 64 printable characters without spaces or braces
     * (braces would change the keys' hash tags).
     */
    public Builder keyPrefix(String prefix) {
      Objects.requireNonNull(prefix, "keyPrefix");
      if (prefix.length() > 64) {
        throw new IllegalArgumentException(
            "keyPrefix must be at most 64 characters, was " + prefix.length());
      }
      for (int i = 0; i < prefix.length(); i++) {
        char c = prefix.charAt(i);
        if (c <= ' ' || c >= 0x7f || c == '{' || c == '}') {
          throw new IllegalArgumentException(
              "keyPrefix may hold only printable ASCII without spaces or braces, was \""
                  + prefix
                  + "\"");
        }
      }
      this.keyPrefix = prefix;
      return this;
    }

    /**
     * How many messages each channel keeps for replay, at least; default 1,000. Redis trims streams
     * in whole nodes, so a channel may keep up to about 100 more.
     */
    public Builder historySize(int messages) {
      if (messages <= 0) {
        throw new IllegalArgumentException("historySize must be > 0, was " + messages);
      }
      this.historySize = messages;
      return this;
    }

    /**
     * How long a message stays replayable; default one hour. A channel's whole stream expires this
     * long after its last message.
     */
    public Builder historyMaxAge(Duration age) {
      Objects.requireNonNull(age, "historyMaxAge");
      if (age.toMillis() <= 0) {
        throw new IllegalArgumentException("historyMaxAge must be at least 1 ms, was " + age);
      }
      this.historyMaxAge = age;
      return this;
    }

    /**
     * How long any Redis command, and the connect, may take before the call fails with {@code
     * UNAVAILABLE}; default 2 seconds.
     */
    public Builder commandTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "commandTimeout");
      if (timeout.toMillis() <= 0) {
        throw new IllegalArgumentException("commandTimeout must be at least 1 ms, was " + timeout);
      }
      this.commandTimeout = timeout;
      return this;
    }

    /**
     * How long the members of a node that stopped without leaving still count in presence; default
     * 15 seconds. The node refreshes its liveness three times within it.
     */
    public Builder presenceTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "presenceTimeout");
      if (timeout.toMillis() < 100) {
        throw new IllegalArgumentException(
            "presenceTimeout must be at least 100 ms, was " + timeout);
      }
      this.presenceTimeout = timeout;
      return this;
    }

    /**
     * Connects to Redis and starts the broker.
     *
     * @throws PushException with {@link ErrorCode#UNAVAILABLE} if Redis cannot be reached within
     *     the command timeout
     */
    public RedisBroker build() {
      List<RedisURI> uris = uris(redisUri);
      uris.forEach(uri -> uri.setTimeout(commandTimeout));
      return new RedisBroker(this, uris);
    }

    static boolean isCluster(String uri) {
      return uri.startsWith(CLUSTER_SCHEME) || uri.startsWith(TLS_CLUSTER_SCHEME);
    }

    /**
     * The Lettuce URIs of a URI: itself, or for {@code redis-cluster://[user:password@]host:port,
     * host:port[/?query]} one {@code redis://} URI per node, each with the credentials and query.
     */
    private static List<RedisURI> uris(String uri) {
      if (!isCluster(uri)) {
        return List.of(RedisURI.create(uri));
      }
      boolean tls = uri.startsWith(TLS_CLUSTER_SCHEME);
      String rest = uri.substring((tls ? TLS_CLUSTER_SCHEME : CLUSTER_SCHEME).length());
      int at = rest.lastIndexOf('@');
      String credentials = at >= 0 ? rest.substring(0, at + 1) : "";
      String hostsAndQuery = rest.substring(at + 1);
      int end = hostsAndQuery.length();
      for (int i = 0; i < hostsAndQuery.length(); i++) {
        char c = hostsAndQuery.charAt(i);
        if (c == '/' || c == '?') {
          end = i;
          break;
        }
      }
      String suffix = hostsAndQuery.substring(end);
      if (suffix.startsWith("/") && suffix.length() > 1 && suffix.charAt(1) != '?') {
        throw new IllegalArgumentException("a Redis Cluster has no database number");
      }
      List<RedisURI> uris = new ArrayList<>();
      for (String host : hostsAndQuery.substring(0, end).split(",", -1)) {
        if (host.isBlank()) {
          throw new IllegalArgumentException("empty host in the node list");
        }
        uris.add(RedisURI.create((tls ? "rediss://" : "redis://") + credentials + host + suffix));
      }
      return uris;
    }

    private static String masked(String uri) {
      int scheme = uri.indexOf("://");
      int at = uri.lastIndexOf('@');
      return scheme >= 0 && at > scheme
          ? uri.substring(0, scheme + 3) + "***" + uri.substring(at)
          : uri;
    }
  }
}
