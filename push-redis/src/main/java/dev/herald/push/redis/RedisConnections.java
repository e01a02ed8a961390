package dev.herald.push.redis;

import dev.herald.push.ErrorCode;
import dev.herald.push.PushException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A broker's two Lettuce connections to Redis, one for commands and one for Pub/Sub, on client
 * resources of their own, configured so that no call can hang or run twice: to one Redis (or a
 * Sentinel-managed one) through a {@link RedisClient}, or to a Redis Cluster through a {@link
 * RedisClusterClient}, whose connections route each command to the shard that owns its keys.
 * Thread-safe.
 */
final class RedisConnections {
  final String target;
  final StatefulConnection<String, String> commands;
  final RedisClusterAsyncCommands<String, String> async;
  final StatefulRedisPubSubConnection<String, byte[]> pubSub;

  /** The cluster client, or {@code null} for one Redis. */
  final RedisClusterClient clusterClient;

  final ClientResources resources;
  private final AbstractRedisClient client;

  private RedisConnections(
      String target,
      ClientResources resources,
      AbstractRedisClient client,
      RedisClusterClient clusterClient,
      StatefulConnection<String, String> commands,
      RedisClusterAsyncCommands<String, String> async,
      StatefulRedisPubSubConnection<String, byte[]> pubSub) {
    this.target = target;
    this.resources = resources;
    this.client = client;
    this.clusterClient = clusterClient;
    this.commands = commands;
    this.async = async;
    this.pubSub = pubSub;
  }

  /**
   * Connects both connections to one Redis.
   *
   * @throws PushException with {@code UNAVAILABLE} if Redis cannot be reached within the timeout
   */
  static RedisConnections open(RedisURI uri, Duration commandTimeout) {
    String target = describe(uri);
    ClientResources resources = resources();
    RedisClient client = RedisClient.create(resources, uri);
    client.setOptions(options(ClientOptions.builder(), commandTimeout).build());
    StatefulRedisConnection<String, String> commands = null;
    try {
      commands = client.connect(StringCodec.UTF8);
      StatefulRedisPubSubConnection<String, byte[]> pubSub =
          client.connectPubSub(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
      return new RedisConnections(
          target, resources, client, null, commands, commands.async(), pubSub);
    } catch (RuntimeException e) {
      if (commands != null) {
        commands.close();
      }
      shutdown(client, resources);
      throw new PushException(
          ErrorCode.UNAVAILABLE, "cannot connect to Redis at " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * Connects both connections to a Redis Cluster, given some of its nodes to learn the topology
   * from.
   *
   * @throws PushException with {@code UNAVAILABLE} if no node can be reached within the timeout
   */
  static RedisConnections openCluster(List<RedisURI> seeds, Duration commandTimeout) {
    StringBuilder names = new StringBuilder("Redis Cluster ");
    for (int i = 0; i < seeds.size(); i++) {
      names.append(i == 0 ? "" : ",").append(describe(seeds.get(i)));
    }
    String target = names.toString();
    ClientResources resources = resources();
    RedisClusterClient client = RedisClusterClient.create(resources, seeds);
    ClusterClientOptions.Builder options =
        (ClusterClientOptions.Builder) options(ClusterClientOptions.builder(), commandTimeout);
    client.setOptions(
        options
            // A failover or a resharding is seen at once (redirections, lost connections) and
            // every 5 s in any case.
            .topologyRefreshOptions(
                ClusterTopologyRefreshOptions.builder()
                    .enablePeriodicRefresh(Duration.ofSeconds(5))
                    .enableAllAdaptiveRefreshTriggers()
                    .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                    .refreshTriggersReconnectAttempts(2)
                    .build())
            .build());
    StatefulRedisClusterConnection<String, String> commands = null;
    try {
      commands = client.connect(StringCodec.UTF8);
      StatefulRedisClusterPubSubConnection<String, byte[]> pubSub =
          client.connectPubSub(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
      RedisConnections connections =
          new RedisConnections(
              target, resources, client, client, commands, commands.async(), pubSub);
      connections.warm().get(commandTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
      return connections;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      shutdown(client, resources);
      throw new PushException(ErrorCode.UNAVAILABLE, "interrupted connecting to " + target, e);
    } catch (ExecutionException | TimeoutException e) {
      shutdown(client, resources);
      throw new PushException(ErrorCode.UNAVAILABLE, "cannot connect to " + target, e);
    } catch (RuntimeException e) {
      if (commands != null) {
        commands.close();
      }
      shutdown(client, resources);
      throw new PushException(
          ErrorCode.UNAVAILABLE, "cannot connect to " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * Connects to every master the topology names, so that commands do not meet a connection still
   * being set up (Lettuce rejects those rather than queue them). Completes when all are connected
   * or failed; at once for one Redis.
   */
  CompletableFuture<Void> warm() {
    if (clusterClient == null) {
      return CompletableFuture.completedFuture(null);
    }
    StatefulRedisClusterConnection<String, String> cluster =
        (StatefulRedisClusterConnection<String, String>) commands;
    List<CompletableFuture<?>> connecting = new ArrayList<>();
    for (RedisClusterNode node : cluster.getPartitions()) {
      if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty()) {
        // By id and by address: command routing asks for both.
        connecting.add(cluster.getConnectionAsync(node.getNodeId()).exceptionally(error -> null));
        connecting.add(
            cluster
                .getConnectionAsync(node.getUri().getHost(), node.getUri().getPort())
                .exceptionally(error -> null));
      }
    }
    return CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new));
  }

  private static ClientResources resources() {
    return DefaultClientResources.builder()
        .ioThreadPoolSize(2)
        .computationThreadPoolSize(2)
        // Jittered, so that many nodes do not reconnect in step; capped low, so that live
        // delivery resumes soon after Redis is back.
        .reconnectDelay(
            Delay.fullJitter(
                Duration.ofMillis(50), Duration.ofSeconds(2), 50, TimeUnit.MILLISECONDS))
        .build();
  }

  private static ClientOptions.Builder options(ClientOptions.Builder b, Duration commandTimeout) {
    return b.autoReconnect(true)
        // Fail at once while disconnected instead of queueing: a publish must not hang.
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        // At most once: a command cut off by a dropped connection is never sent again, so a
        // publish the caller saw fail is not stored behind its back later.
        .replayFilter(command -> true)
        .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
        .socketOptions(
            SocketOptions.builder()
                .connectTimeout(commandTimeout)
                // Finds a Pub/Sub link that died without a reset within about a minute.
                .keepAlive(
                    SocketOptions.KeepAliveOptions.builder()
                        .enable()
                        .idle(Duration.ofSeconds(30))
                        .interval(Duration.ofSeconds(10))
                        .count(3)
                        .build())
                .build());
  }

  /** Closes both connections and releases the client's threads. */
  void close() {
    pubSub.close();
    commands.close();
    shutdown(client, resources);
  }

  private static void shutdown(AbstractRedisClient client, ClientResources resources) {
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  /** Where the URI points, for messages: never the password. */
  private static String describe(RedisURI uri) {
    if (uri.getHost() != null) {
      return uri.getHost() + ":" + uri.getPort();
    }
    if (!uri.getSentinels().isEmpty()) {
      return "sentinel master " + uri.getSentinelMasterId();
    }
    return uri.getSocket() != null ? uri.getSocket() : "an unnamed address";
  }
}
