package dev.herald.push.redis;

import dev.herald.push.HealthStatus;
import dev.herald.push.spi.BrokerHealth;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.api.StatefulConnection;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Redis broker's health, from the state of its two connections: both connected is {@code UP};
 * commands connected but the Pub/Sub link reconnecting is {@code DEGRADED} (publishes and replays
 * work, live messages reach this node once the link is back and the hub replays the gap); commands
 * disconnected, or the broker closed, is {@code DOWN}. On a Redis Cluster a shard can fail while
 * the others serve, so there the heartbeat decides: answered is {@code UP}, not answered {@code
 * DEGRADED}; only a closed broker is {@code DOWN}. Thread-safe; watchers hear changes in order, one
 * at a time.
 */
final class RedisHealth {
  private static final Logger LOG = LoggerFactory.getLogger(RedisHealth.class);
  private final String target;
  private final List<Consumer<BrokerHealth>> watchers = new CopyOnWriteArrayList<>();
  private volatile boolean commandsUp = true;
  private volatile boolean feedUp = true;
  private volatile boolean closed;
  private final boolean cluster;
  private volatile boolean shardsAnswer = true;
  private BrokerHealth last;
  private boolean delivering;
  private boolean recheck;

  /**
   * @param cluster whether the connections are Redis Cluster connections: their state events
   *     concern single shard nodes, so health then follows {@link #reachable} alone
   */
  RedisHealth(
      String target,
      StatefulConnection<?, ?> commands,
      StatefulConnection<?, ?> pubSub,
      boolean cluster) {
    this.target = target;
    this.cluster = cluster;
    this.last = now();
    if (!cluster) {
      commands.addListener(listener(up -> commandsUp = up));
      pubSub.addListener(listener(up -> feedUp = up));
    }
  }

  private RedisConnectionStateListener listener(Consumer<Boolean> state) {
    return new RedisConnectionStateListener() {
      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
        state.accept(true);
        changed();
      }

      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
        state.accept(false);
        changed();
      }
    };
  }

  /**
   * On a Redis Cluster, the heartbeat's answer: {@code UP} if the shard that holds the node's key
   * answered, {@code DEGRADED} if not (that shard may be failing over; the others may serve).
   */
  void reachable(boolean up) {
    shardsAnswer = up;
    changed();
  }

  BrokerHealth now() {
    if (closed) {
      return new BrokerHealth(HealthStatus.DOWN, "closed");
    }
    if (cluster && !shardsAnswer) {
      return new BrokerHealth(
          HealthStatus.DEGRADED,
          "connected to "
              + target
              + "; a shard does not answer (failing over?): its channels are unavailable");
    }
    if (!commandsUp) {
      return new BrokerHealth(
          HealthStatus.DOWN, "disconnected from Redis at " + target + "; reconnecting");
    }
    if (!feedUp) {
      return new BrokerHealth(
          HealthStatus.DEGRADED,
          "connected to Redis at " + target + "; the live feed is reconnecting");
    }
    return new BrokerHealth(HealthStatus.UP, "connected to Redis at " + target);
  }

  void watch(Consumer<BrokerHealth> watcher) {
    watchers.add(watcher);
  }

  void closed() {
    closed = true;
    changed();
  }

  /**
   * Tells the watchers of a change. The two connections report from different event-loop threads,
   * so two changes can race: one thread at a time delivers, in order, and before it stops it looks
   * again, so the last health every watcher hears is the health now. A change reported while
   * another thread delivers is left to that thread, which sees it on its next look.
   */
  private void changed() {
    synchronized (this) {
      recheck = true;
      if (delivering) {
        return;
      }
      delivering = true;
    }
    try {
      deliver();
    } catch (Error e) {
      synchronized (this) {
        delivering = false;
      }
      throw e;
    }
  }

  private void deliver() {
    while (true) {
      BrokerHealth current;
      synchronized (this) {
        if (!recheck) {
          delivering = false;
          return;
        }
        recheck = false;
        current = now();
        if (current.equals(last)) {
          continue;
        }
        last = current;
      }
      for (Consumer<BrokerHealth> watcher : watchers) {
        try {
          watcher.accept(current);
        } catch (RuntimeException e) {
          LOG.warn("A health watcher failed on {}", current, e);
        }
      }
    }
  }
}
