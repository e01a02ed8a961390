package dev.herald.push.client;

import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watchdog: on each tick of the client's timer it looks at the current link and drops it if the
 * server stayed silent too long, or pings it over a WebSocket that has been quiet for a third of
 * the idle timeout. Thread-safe: it runs on the timer thread and takes no lock; it reads the
 * current link and the link's own volatile clocks, and drops a link through the engine's {@link
 * LinkListener#closed}, which ignores a link that was replaced in the meantime.
 *
 * <p>A link that has not had its {@code ready} frame within the connect timeout counts as a failed
 * attempt ({@code timeout}), which may make the client fall back to the next transport; so does a
 * stream whose headers came without its {@code ready} frame within 2.5 s (the server sends both at
 * once, so a proxy buffers the stream; the client then skips to a transport that does not stream).
 * An open link that heard nothing for the idle timeout is dropped ({@code idle_timeout}); so is one
 * whose subscribe or ping went unanswered for the connect timeout ({@code no_reply}): the JDK's
 * WebSocket can miss a close that comes right after the handshake. Long polling has a request
 * timeout of its own instead.
 */
final class Liveness {
  private static final Logger LOG = LoggerFactory.getLogger(Liveness.class);

  /** What a link's clocks say. */
  enum Verdict {
    /** Nothing to do. */
    ALIVE,
    /** Quiet for a while: ask the server for a pong. */
    PING,
    /** No {@code ready} within the connect timeout. */
    CONNECT_TIMEOUT,
    /**
     * A stream's headers came but not its {@code ready} frame, which the server sends right after
     * them: a proxy holds the stream back.
     */
    BUFFERED,
    /** Nothing heard for the idle timeout. */
    IDLE_TIMEOUT,
    /** A subscribe or ping unanswered for the connect timeout. */
    NO_REPLY
  }

  /** The server flushes {@code ready} with the headers; this long without it means buffering. */
  static final Duration BUFFERED_AFTER = Duration.ofMillis(2500);

  private final Duration connectTimeout;
  private final Duration idleTimeout;
  private final Supplier<Link> current;
  private final LinkListener engine;

  /**
   * @param current the link the client uses now, or {@code null}; read without a lock
   * @param engine told when a link is dropped
   */
  Liveness(
      Duration connectTimeout, Duration idleTimeout, Supplier<Link> current, LinkListener engine) {
    this.connectTimeout = connectTimeout;
    this.idleTimeout = idleTimeout;
    this.current = current;
    this.engine = engine;
  }

  /** How long a stream may go from its headers to its {@code ready} frame: 2.5 s at most. */
  Duration bufferedAfter() {
    return connectTimeout.compareTo(BUFFERED_AFTER) < 0 ? connectTimeout : BUFFERED_AFTER;
  }

  /** How often to check: a quarter of the shorter timeout, within 10 ms and 1 s. */
  static long tickMillis(Duration connectTimeout, Duration idleTimeout) {
    long shortest = Math.min(idleTimeout.toMillis(), connectTimeout.toMillis());
    return Math.max(10, Math.min(1000, shortest / 4));
  }

  /** One tick, on the timer thread. */
  void check() {
    check(System.nanoTime());
  }

  /** One tick at {@code now}, on {@link System#nanoTime()}'s scale. */
  void check(long now) {
    Link l = current.get();
    if (l == null) {
      return;
    }
    Verdict verdict = verdict(l, now);
    switch (verdict) {
      case ALIVE -> {
        // Heard from recently enough.
      }
      case PING -> {
        l.pinged(now);
        l.expectReply(now);
        l.send(ClientFrames.ping());
        l.flush();
      }
      case CONNECT_TIMEOUT ->
          drop(
              l,
              "timeout",
              HeraldException.of(
                  "timeout",
                  "no ready frame over " + l.transport().wireName() + " within " + connectTimeout));
      case BUFFERED ->
          drop(
              l,
              "timeout",
              HeraldException.of(
                  "timeout",
                  "no ready frame over "
                      + l.transport().wireName()
                      + " within "
                      + bufferedAfter().toMillis()
                      + " ms of the response headers: a proxy may buffer the stream"));
      case IDLE_TIMEOUT -> drop(l, "idle_timeout", null);
      case NO_REPLY -> drop(l, "no_reply", null);
    }
  }

  /** What to do with a link at {@code nowNanos}. */
  Verdict verdict(Link l, long nowNanos) {
    if (!l.ready) {
      if (nowNanos - l.startedNanos() > connectTimeout.toNanos()) {
        return Verdict.CONNECT_TIMEOUT;
      }
      long responded = l.respondedNanos();
      return responded != 0 && nowNanos - responded > bufferedAfter().toNanos()
          ? Verdict.BUFFERED
          : Verdict.ALIVE;
    }
    if (!l.watchesIdle()) {
      return Verdict.ALIVE;
    }
    long silent = nowNanos - l.lastHeardNanos();
    long awaited = l.replyAwaitedSinceNanos();
    if (silent > idleTimeout.toNanos()) {
      return Verdict.IDLE_TIMEOUT;
    }
    if (awaited != 0 && nowNanos - awaited > connectTimeout.toNanos()) {
      return Verdict.NO_REPLY;
    }
    if (l.transport().twoWay()
        && silent > idleTimeout.toNanos() / 3
        && l.lastPingNanos() < l.lastHeardNanos()) {
      return Verdict.PING;
    }
    return Verdict.ALIVE;
  }

  private void drop(Link l, String why, HeraldException failure) {
    LOG.debug("Dropping {}: {}", l, why);
    l.stop();
    engine.closed(l, why, failure);
  }
}
