package dev.herald.push.redis;

import dev.herald.push.Message;
import dev.herald.push.Position;
import dev.herald.push.spi.Replay;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each channel's history in Redis, through three Lua scripts that each touch one channel's keys
 * only: {@code publish.lua} appends, numbers and publishes in one step, so offsets are unique and
 * contiguous whichever nodes publish; {@code replay.lua} and {@code position.lua} read. Each starts
 * with {@code channel.lua}, which creates the channel's epoch if the channel has none, so an epoch
 * exists from the first time a channel is named until its history is lost. Thread-safe.
 *
 * <p>Offsets come from a counter ({@code head} in the channel's meta hash) and are also the stream
 * entry ids ({@code <offset>-0}), so a replay is one {@code XRANGE} from the wanted offset, and a
 * missing first entry proves that history no longer covers the position. The epoch and the counter
 * share one hash so that they can only vanish together.
 *
 * <p>The meta hash also records the run id of the Redis process that started the epoch. A Redis
 * restarted from disk, or a replica promoted by a failover, may hold fewer messages than clients
 * have already seen; carrying on with that epoch would give their offsets to new messages and skip
 * them silently for those clients. So the first script to meet a channel under a new run id starts
 * a new epoch (its clients get {@code reset}). The caller passes the run id it believes current;
 * Redis is asked for the real one only when they differ, and a stale caller learns it from the
 * reply and calls again.
 *
 * <p>On a Redis Cluster there is no such check: a channel's keys move to another process on every
 * failover and every resharding, and a run id cannot tell the harmless move from the lossy one.
 * There the node itself is the judge ({@link HistoryWitness}): it remembers the newest message it
 * saw of each channel and has {@code verify.lua} start a new epoch when Redis no longer holds it.
 */
final class StreamHistory {
  private static final Logger LOG = LoggerFactory.getLogger(StreamHistory.class);
  private static final char[] EPOCH_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  /** How long a channel's epoch outlives its last message, publish, subscribe or replay. */
  static final Duration EPOCH_GRACE = Duration.ofDays(1);

  private static final Script PUBLISH = Script.load("publish.lua");
  private static final Script REPLAY = Script.load("replay.lua");
  private static final Script POSITION = Script.load("position.lua");
  private static final Script VERIFY = Script.load("verify.lua");
  private static final String NO_RUN_ID_CHECK = "-";
  private static final String STALE = "stale";

  private final RedisClusterAsyncCommands<String, String> redis;
  private final RedisKeys keys;
  private final boolean cluster;
  private final HistoryWitness witness = new HistoryWitness();
  private volatile Consumer<String> onNewEpoch = channel -> {};
  private final String maxLength;
  private final String maxAgeMillis;
  private final String metaTtlMillis;
  private volatile String runId = "";

  /**
   * @param cluster whether Redis is a Redis Cluster: then live messages go out with {@code
   *     SPUBLISH}, and lost history is found by {@link #verify} instead of by run id
   */
  StreamHistory(
      RedisClusterAsyncCommands<String, String> redis,
      RedisKeys keys,
      int historySize,
      Duration maxAge,
      boolean cluster) {
    this.redis = redis;
    this.keys = keys;
    this.cluster = cluster;
    this.runId = cluster ? NO_RUN_ID_CHECK : "";
    this.maxLength = Integer.toString(historySize);
    this.maxAgeMillis = Long.toString(maxAge.toMillis());
    this.metaTtlMillis = Long.toString(maxAge.plus(EPOCH_GRACE).toMillis());
  }

  /**
   * Forgets the run id; called whenever the connection drops, so that the first script after a
   * reconnect learns the run id of whatever Redis process it reached.
   */
  void forgetRunId() {
    if (!cluster) {
      runId = "";
    }
  }

  /** What this node saw of each channel; the live feeds add what they receive. */
  HistoryWitness witness() {
    return witness;
  }

  /** Sets who hears of a channel that {@link #verify} moved to a new epoch (on any thread). */
  void onNewEpoch(Consumer<String> listener) {
    this.onNewEpoch = listener;
  }

  CompletableFuture<Message> publish(
      String channel, String event, String data, String publisherId) {
    return run(
            PUBLISH,
            channel,
            event,
            data,
            publisherId == null ? "0" : "1",
            publisherId == null ? "" : publisherId,
            maxLength,
            maxAgeMillis,
            keys.live(channel),
            cluster ? "SPUBLISH" : "PUBLISH")
        .thenApply(
            reply -> {
              Message m =
                  new Message(
                      channel,
                      number(reply.get(1)),
                      text(reply.get(0)),
                      event,
                      data,
                      Instant.ofEpochMilli(number(reply.get(2))),
                      publisherId);
              if (cluster && witness.note(m, true)) {
                verifyLater(channel);
              }
              return m;
            });
  }

  /** Verifies the channel against what this node saw of it, in the background. */
  void verifyLater(String channel) {
    HistoryWitness.Seen seen = witness.get(channel);
    if (seen != null) {
      verify(channel, seen)
          .whenComplete(
              (bumped, error) -> {
                if (error != null) {
                  LOG.debug(
                      "Channel {}: could not verify its history: {}", channel, error.toString());
                }
              });
    }
  }

  /**
   * Verifies every channel this node remembers whose slot is in {@code slots} (their master
   * changed); completes with the number of checks that failed.
   */
  CompletableFuture<Integer> verifyAll(BitSet slots) {
    List<Map.Entry<String, HistoryWitness.Seen>> all = new ArrayList<>();
    for (Map.Entry<String, HistoryWitness.Seen> e : witness.snapshot()) {
      if (slots.get(SlotHash.getSlot(keys.meta(e.getKey())))) {
        all.add(e);
      }
    }
    AtomicInteger failed = new AtomicInteger();
    CompletableFuture<?>[] checks = new CompletableFuture<?>[all.size()];
    for (int i = 0; i < checks.length; i++) {
      checks[i] =
          verify(all.get(i).getKey(), all.get(i).getValue())
              .exceptionally(
                  error -> {
                    failed.incrementAndGet();
                    return false;
                  });
    }
    return CompletableFuture.allOf(checks).thenApply(ignored -> failed.get());
  }

  /**
   * Checks that Redis still holds the message this node saw of the channel; if not, starts a new
   * epoch (keeping the stream) and tells the {@link #onNewEpoch} listener. Completes with whether
   * it did.
   */
  CompletableFuture<Boolean> verify(String channel, HistoryWitness.Seen seen) {
    return run(
            VERIFY,
            channel,
            seen.epoch(),
            Long.toString(seen.offset()),
            Long.toString(seen.timeMillis()))
        .thenApply(
            reply -> {
              boolean bumped = "bumped".equals(text(reply.get(1)));
              if (bumped) {
                LOG.warn(
                    "Channel {}: Redis lost messages this node saw (up to {}/{}); new epoch {}",
                    channel,
                    seen.epoch(),
                    seen.offset(),
                    text(reply.get(0)));
                witness.forget(channel, seen);
                onNewEpoch.accept(channel);
              }
              return bumped;
            });
  }

  CompletableFuture<Replay> replay(String channel, Position since, int limit) {
    return run(
            REPLAY,
            channel,
            since.epoch(),
            Long.toString(since.offset()),
            Integer.toString(limit),
            maxAgeMillis)
        .thenApply(reply -> toReplay(channel, reply));
  }

  CompletableFuture<Position> position(String channel) {
    return run(POSITION, channel)
        .thenApply(reply -> new Position(text(reply.get(0)), number(reply.get(1))));
  }

  private static Replay toReplay(String channel, List<Object> reply) {
    String epoch = text(reply.get(0));
    Position head = new Position(epoch, number(reply.get(1)));
    if ("reset".equals(text(reply.get(2)))) {
      return Replay.reset(new Position(epoch, number(reply.get(3))), head);
    }
    List<Message> messages = new ArrayList<>((reply.size() - 3) / 6);
    for (int i = 3; i + 5 < reply.size(); i += 6) {
      boolean hasPublisher = number(reply.get(i + 4)) == 1;
      messages.add(
          new Message(
              channel,
              number(reply.get(i)),
              epoch,
              text(reply.get(i + 2)),
              text(reply.get(i + 3)),
              Instant.ofEpochMilli(number(reply.get(i + 1))),
              hasPublisher ? text(reply.get(i + 5)) : null));
    }
    return Replay.of(messages, head);
  }

  /**
   * Runs a script on one channel with the shared arguments (a new epoch, the meta TTL, the run id)
   * followed by {@code args}; calls again once if Redis answers that the run id is stale.
   */
  private CompletableFuture<List<Object>> run(Script script, String channel, String... args) {
    String[] scriptKeys = {keys.meta(channel), keys.log(channel)};
    return call(script, scriptKeys, args)
        .thenCompose(
            reply -> {
              if (reply.size() == 2 && STALE.equals(text(reply.get(0)))) {
                if (cluster) {
                  throw new IllegalStateException("Redis asked for a run id on a cluster");
                }
                runId = text(reply.get(1));
                return call(script, scriptKeys, args);
              }
              return CompletableFuture.completedFuture(reply);
            })
        .thenApply(
            reply -> {
              if (reply.size() == 2 && STALE.equals(text(reply.get(0)))) {
                throw new IllegalStateException("Redis keeps changing its run id");
              }
              return reply;
            });
  }

  /** Runs a script by its digest, sending its text only when Redis does not know it yet. */
  private CompletableFuture<List<Object>> call(Script script, String[] scriptKeys, String[] args) {
    String[] all = new String[args.length + 3];
    all[0] = newEpoch();
    all[1] = metaTtlMillis;
    all[2] = runId;
    System.arraycopy(args, 0, all, 3, args.length);
    return redis
        .<List<Object>>evalsha(script.sha, ScriptOutputType.MULTI, scriptKeys, all)
        .toCompletableFuture()
        .exceptionallyCompose(
            error ->
                BrokerFailure.unwrap(error) instanceof RedisNoScriptException
                    ? redis
                        .<List<Object>>eval(script.source, ScriptOutputType.MULTI, scriptKeys, all)
                        .toCompletableFuture()
                    : CompletableFuture.failedFuture(error));
  }

  private static long number(Object value) {
    if (value instanceof Long l) {
      return l;
    }
    return Long.parseLong(text(value));
  }

  private static String text(Object value) {
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    throw new IllegalStateException("unexpected reply from Redis: " + value);
  }

  /** A fresh random epoch; a script uses it only if the channel has none. */
  static String newEpoch() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] epoch = new char[12];
    for (int i = 0; i < epoch.length; i++) {
      epoch[i] = EPOCH_CHARS[random.nextInt(EPOCH_CHARS.length)];
    }
    return new String(epoch);
  }

  /** A Lua script, the shared opening followed by its body, and its SHA-1 digest. Immutable. */
  private record Script(String source, String sha) {
    static Script load(String name) {
      String source = resource("channel.lua") + resource(name);
      try {
        byte[] digest =
            MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
        return new Script(source, HexFormat.of().formatHex(digest));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    private static String resource(String name) {
      try (InputStream in = StreamHistory.class.getResourceAsStream(name)) {
        if (in == null) {
          throw new IllegalStateException("missing script resource " + name);
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
