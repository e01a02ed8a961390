package dev.herald.push.redis;

import dev.herald.push.Member;
import dev.herald.push.PresenceEvent;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Channel members across nodes. Each channel has a Redis hash from client id to {@code "<node id>
 * <since ms> -"} (anonymous) or {@code "<node id> <since ms> +<user>"}, or for a member with
 * presence data {@code "<node id> <since ms> =<user length or -1> <data length> <user><data>"}
 * (lengths in chars); every join and leave is also sent on the channel's live Pub/Sub channel
 * ({@link LivePayload}), so that every node's subscribers hear of it; each node keeps a key {@code
 * node:<id>} alive with a short TTL. A member counts only while its node's key exists, so the
 * members of a node that died vanish within the presence timeout; readers delete such entries as
 * they meet them. Thread-safe.
 *
 * <p>The node remembers its own members, so it can write them again whenever Redis may have lost
 * them: after a restored connection, and when its heartbeat finds its node key gone (Redis was
 * flushed or restarted, or the node stalled past the timeout and a reader cleaned up after it).
 */
final class ClusterPresence {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterPresence.class);

  /** How long a channel's member hash lives without any node refreshing it. */
  private static final Duration HASH_TTL = Duration.ofHours(1);

  private static final long HASH_REFRESH_NANOS = Duration.ofMinutes(10).toNanos();

  private final RedisClusterAsyncCommands<String, String> redis;
  private final RedisKeys keys;
  private final String nodeId;
  private final String nodeKey;
  private final long timeoutMillis;
  private final boolean cluster;
  private final Map<String, Map<String, Member>> local = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> pendingLeaves = new ConcurrentHashMap<>();

  private final AtomicBoolean assertAgain = new AtomicBoolean();

  // Touched by the heartbeat only, which runs on the worker.
  private long lastHashRefresh = System.nanoTime();

  ClusterPresence(
      RedisClusterAsyncCommands<String, String> redis,
      RedisKeys keys,
      String nodeId,
      Duration timeout,
      boolean cluster) {
    this.cluster = cluster;
    this.redis = redis;
    this.keys = keys;
    this.nodeId = nodeId;
    this.nodeKey = keys.node(nodeId);
    this.timeoutMillis = timeout.toMillis();
  }

  /** Marks this node alive; completes when Redis has the node key. */
  CompletableFuture<Void> start() {
    return redis
        .set(nodeKey, Long.toString(System.currentTimeMillis()), SetArgs.Builder.px(timeoutMillis))
        .toCompletableFuture()
        .thenApply(ok -> null);
  }

  CompletableFuture<Void> join(String channel, Member member) {
    local.computeIfAbsent(channel, c -> new ConcurrentHashMap<>()).put(member.clientId(), member);
    Set<String> pending = pendingLeaves.get(channel);
    if (pending != null) {
      pending.remove(member.clientId());
    }
    String key = keys.members(channel);
    redis.hset(key, member.clientId(), encode(member));
    CompletableFuture<Void> done =
        redis.pexpire(key, HASH_TTL).toCompletableFuture().thenApply(ok -> null);
    // After the write, on the same connection: a node that hears the change and then reads the
    // members finds it there.
    tell(new PresenceEvent(channel, PresenceEvent.Kind.JOIN, member));
    return done;
  }

  /** Sends a presence change to every node's live feed of the channel. */
  private void tell(PresenceEvent event) {
    String live = keys.live(event.channel());
    String payload = LivePayload.encode(event);
    (cluster ? redis.spublish(live, payload) : redis.publish(live, payload))
        .exceptionally(
            e -> {
              LOG.debug("Channel {}: presence change not sent: {}", event.channel(), e.toString());
              return 0L;
            });
  }

  CompletableFuture<Void> leave(String channel, Member member) {
    local.computeIfPresent(
        channel,
        (c, map) -> {
          map.remove(member.clientId());
          return map.isEmpty() ? null : map;
        });
    CompletableFuture<Long> deleted =
        redis.hdel(keys.members(channel), member.clientId()).toCompletableFuture();
    tell(new PresenceEvent(channel, PresenceEvent.Kind.LEAVE, member));
    return deleted.handle(
        (removed, error) -> {
          if (error != null) {
            // Retried once Redis is back, so the member does not linger there.
            pendingLeaves
                .computeIfAbsent(channel, c -> ConcurrentHashMap.newKeySet())
                .add(member.clientId());
            throw BrokerFailure.unavailable(error);
          }
          return null;
        });
  }

  CompletableFuture<List<Member>> members(String channel) {
    String key = keys.members(channel);
    return redis
        .hgetall(key)
        .toCompletableFuture()
        .thenCompose(
            entries -> {
              Map<String, Entry> parsed = new HashMap<>();
              Set<String> otherNodes = new HashSet<>();
              entries.forEach(
                  (clientId, value) -> {
                    Entry entry = Entry.decode(clientId, value);
                    parsed.put(clientId, entry);
                    if (entry != null && !entry.node.equals(nodeId)) {
                      otherNodes.add(entry.node);
                    }
                  });
              Map<String, CompletableFuture<Long>> alive = new HashMap<>();
              for (String node : otherNodes) {
                alive.put(node, redis.exists(keys.node(node)).toCompletableFuture());
              }
              return CompletableFuture.allOf(alive.values().toArray(CompletableFuture[]::new))
                  .thenApply(ignored -> collect(channel, key, parsed, alive));
            });
  }

  private List<Member> collect(
      String channel,
      String key,
      Map<String, Entry> parsed,
      Map<String, CompletableFuture<Long>> alive) {
    // This node's own members come from memory: right even while Redis has not got them back.
    List<Member> members = new ArrayList<>(local.getOrDefault(channel, Map.of()).values());
    List<String> dead = new ArrayList<>();
    List<Member> gone = new ArrayList<>();
    parsed.forEach(
        (clientId, entry) -> {
          if (entry == null) {
            dead.add(clientId);
          } else if (entry.node.equals(nodeId)) {
            // Counted above if it is still here.
          } else if (alive.get(entry.node).join() > 0) {
            members.add(entry.member);
          } else {
            dead.add(clientId);
            gone.add(entry.member);
          }
        });
    if (!dead.isEmpty()) {
      LOG.debug("Channel {}: removing {} members of nodes that stopped", channel, dead.size());
      redis
          .hdel(key, dead.toArray(String[]::new))
          .thenAccept(
              removed -> {
                // Whoever removed them tells the others they left (their node cannot): once, since
                // only one reader's HDEL removes anything when several race.
                if (removed != null && removed > 0) {
                  for (Member m : gone) {
                    tell(new PresenceEvent(channel, PresenceEvent.Kind.LEAVE, m));
                  }
                }
              });
    }
    members.sort(Comparator.comparing(Member::since).thenComparing(Member::clientId));
    return members;
  }

  /**
   * Keeps the node key alive; runs on the worker every third of the presence timeout. Completes
   * when Redis answered, or failed.
   */
  CompletableFuture<Boolean> heartbeat() {
    CompletableFuture<Boolean> refresh =
        redis.pexpire(nodeKey, timeoutMillis).toCompletableFuture();
    refresh.whenComplete(
        (refreshed, error) -> {
          if (error != null) {
            return;
          }
          if (!refreshed) {
            LOG.info("Presence of node {} was gone from Redis; writing its members again", nodeId);
            assertAgain.set(true);
            reassert();
          } else if (assertAgain.compareAndSet(true, false)) {
            // After a reconnect, or in case a reader deleted entries just before the node key
            // came back.
            reassert();
          }
        });
    if (System.nanoTime() - lastHashRefresh > HASH_REFRESH_NANOS) {
      lastHashRefresh = System.nanoTime();
      for (String channel : local.keySet()) {
        redis.pexpire(keys.members(channel), HASH_TTL);
      }
    }
    return refresh;
  }

  /**
   * Has the next successful heartbeat write this node's members again: joins and leaves may have
   * failed while the connection was down.
   */
  void reconnected() {
    assertAgain.set(true);
  }

  /** Writes the node key, this node's members and its pending leaves again. */
  void reassert() {
    redis.set(
        nodeKey, Long.toString(System.currentTimeMillis()), SetArgs.Builder.px(timeoutMillis));
    local.forEach(
        (channel, members) -> {
          if (members.isEmpty()) {
            return;
          }
          Map<String, String> values = new HashMap<>();
          members.forEach((clientId, member) -> values.put(clientId, encode(member)));
          String key = keys.members(channel);
          redis.hset(key, values);
          redis.pexpire(key, HASH_TTL);
        });
    pendingLeaves.forEach(
        (channel, clientIds) -> {
          String[] ids = clientIds.toArray(String[]::new);
          if (ids.length > 0) {
            redis.hdel(keys.members(channel), ids).thenRun(() -> clientIds.removeAll(Set.of(ids)));
          }
        });
  }

  /** Removes this node's members and its node key; for a clean shutdown. */
  CompletableFuture<Void> withdraw() {
    List<CompletableFuture<?>> done = new ArrayList<>();
    local.forEach(
        (channel, members) -> {
          String[] ids = members.keySet().toArray(String[]::new);
          if (ids.length > 0) {
            done.add(redis.hdel(keys.members(channel), ids).toCompletableFuture());
          }
        });
    done.add(redis.del(nodeKey).toCompletableFuture());
    local.clear();
    return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
  }

  private String encode(Member member) {
    String head = nodeId + " " + member.since().toEpochMilli() + " ";
    if (member.data() == null) {
      return head + (member.user() == null ? "-" : "+" + member.user());
    }
    // With data: "=<user length or -1> <data length> " then the user and the data.
    return head
        + "="
        + (member.user() == null ? -1 : member.user().length())
        + " "
        + member.data().length()
        + " "
        + (member.user() == null ? "" : member.user())
        + member.data();
  }

  /** One decoded hash entry. Immutable. */
  private record Entry(String node, Member member) {
    /** The entry, or {@code null} if the value is malformed. */
    static Entry decode(String clientId, String value) {
      String[] parts = value.split(" ", 3);
      if (parts.length != 3 || parts[2].isEmpty()) {
        return null;
      }
      try {
        Instant since = Instant.ofEpochMilli(Long.parseLong(parts[1]));
        String rest = parts[2];
        if (rest.charAt(0) == '=') {
          // "=<user length or -1> <data length> <user><data>", lengths in chars.
          int space1 = rest.indexOf(' ');
          int space2 = rest.indexOf(' ', space1 + 1);
          int userLength = Integer.parseInt(rest.substring(1, space1));
          int dataLength = Integer.parseInt(rest.substring(space1 + 1, space2));
          int at = space2 + 1;
          String user = userLength < 0 ? null : rest.substring(at, at + userLength);
          at += Math.max(0, userLength);
          if (at + dataLength != rest.length()) {
            return null;
          }
          return new Entry(
              parts[0], new Member(clientId, user, since, rest.substring(at, at + dataLength)));
        }
        String user = rest.charAt(0) == '+' ? rest.substring(1) : null;
        return new Entry(parts[0], new Member(clientId, user, since));
      } catch (RuntimeException e) {
        return null;
      }
    }
  }
}
