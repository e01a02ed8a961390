package dev.herald.push.redis;

import dev.herald.push.ErrorCode;
import dev.herald.push.PushException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A broker's two Lettuce connections to Redis, one for commands and one for Pub/Sub, on client
 * resources of their own, configured so that no call can hang or run twice. Thread-safe.
 */
final class RedisConnections {
  final String target;
  final StatefulRedisConnection<String, String> commands;
  final StatefulRedisPubSubConnection<String, byte[]> pubSub;
  private final ClientResources resources;
  private final RedisClient client;

  private RedisConnections(
      String target,
      ClientResources resources,
      RedisClient client,
      StatefulRedisConnection<String, String> commands,
      StatefulRedisPubSubConnection<String, byte[]> pubSub) {
    this.target = target;
    this.resources = resources;
    this.client = client;
    this.commands = commands;
    this.pubSub = pubSub;
  }

  /**
   * Connects both connections.
   *
   * @throws PushException with {@code UNAVAILABLE} if Redis cannot be reached within the timeout
   */
  static RedisConnections open(RedisURI uri, Duration commandTimeout) {
    String target = describe(uri);
    ClientResources resources =
        DefaultClientResources.builder()
            .ioThreadPoolSize(2)
            .computationThreadPoolSize(2)
            // Jittered, so that many nodes do not reconnect in step; capped low, so that live
            // delivery resumes soon after Redis is back.
            .reconnectDelay(
                Delay.fullJitter(
                    Duration.ofMillis(50), Duration.ofSeconds(2), 50, TimeUnit.MILLISECONDS))
            .build();
    RedisClient client = RedisClient.create(resources, uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
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
                    .build())
            .build());
    StatefulRedisConnection<String, String> commands = null;
    try {
      commands = client.connect(StringCodec.UTF8);
      StatefulRedisPubSubConnection<String, byte[]> pubSub =
          client.connectPubSub(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
      return new RedisConnections(target, resources, client, commands, pubSub);
    } catch (RuntimeException e) {
      if (commands != null) {
        commands.close();
      }
      shutdown(client, resources);
      throw new PushException(
          ErrorCode.UNAVAILABLE, "cannot connect to Redis at " + target + ": " + e.getMessage(), e);
    }
  }

  /** Closes both connections and releases the client's threads. */
  void close() {
    pubSub.close();
    commands.close();
    shutdown(client, resources);
  }

  private static void shutdown(RedisClient client, ClientResources resources) {
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
