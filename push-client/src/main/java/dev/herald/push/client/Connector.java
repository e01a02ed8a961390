package dev.herald.push.client;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which link the client uses: makes links, replaces them, retries with backoff and falls back to
 * the next transport when one is blocked, and tells the application when the connection opens and
 * closes. Guarded by the engine's lock: every method is called with it held, and the timer tasks it
 * schedules take it themselves. Methods that would start or stop I/O return it as a {@link
 * Runnable} for the caller to run once the lock is released.
 *
 * <p>Design notes. The connection is a state machine:
 *
 * <pre>
 *   IDLE ──connect──▶ CONNECTING ──ready──▶ OPEN
 *    ▲                    │                  │
 *    │                 ended              ended
 *    │                    ▼                  ▼
 *    └──backoff timer── WAITING ◀────────────┘        any ──close──▶ CLOSED (for good)
 * </pre>
 *
 * {@code IDLE} means nothing to connect for (a one-way transport with no channel); a one-way link
 * whose last channel goes returns there at once. A link that ends before its {@code ready} frame is
 * a failed attempt: the delay grows with each ({@link Backoff}), and a failure that looks like a
 * blocked transport (an HTTP status, a timeout, a protocol error) moves on to the next transport in
 * the list, unless this one has worked before, in which case the server is just away; a streaming
 * transport that timed out (a buffering proxy) skips the other streaming one. A link that ends
 * after {@code ready} is retried after a random delay below the first backoff step. A link that
 * carries the server's {@link RetryHint} (a draining node's {@code server_restart}, a 503, a 429
 * for the hub's connection limits) never moves to another transport, and its delay is random within
 * the server's window, or for a 429 the window plus a random delay within it. One-way transports
 * change channels by reconnecting; several changes in a row make one reconnect.
 */
final class Connector {
  private static final Logger LOG = LoggerFactory.getLogger(Connector.class);

  /** The connection's lifecycle. */
  enum State {
    /** Nothing to connect for. */
    IDLE,
    /** A link waits for its {@code ready} frame. */
    CONNECTING,
    /** The link is ready. */
    OPEN,
    /** Waiting for the backoff timer to connect again. */
    WAITING,
    /** Closed by the application, for good. */
    CLOSED
  }

  private final Settings settings;
  private final Dispatcher dispatcher;
  private final ReentrantLock lock;
  private final ScheduledExecutorService timer;
  private final Backoff backoff;
  private final Function<Transport, Link> links;
  private final BooleanSupplier hasChannels;
  private final LinkListener engine;

  // Guarded by lock.
  private final Set<Transport> worked = new HashSet<>();
  private State state = State.IDLE;
  private int transportIndex;
  private int attempts;
  private boolean appOpen;
  private Transport announced;
  private boolean resubscribeQueued;
  private ScheduledFuture<?> reconnect;

  /** Written under the lock; volatile for the liveness check, which reads it without. */
  private volatile Link link;

  /**
   * @param lock the engine's lock, which guards this
   * @param links makes a link for a transport, under the lock
   * @param hasChannels whether the application has channels, under the lock
   * @param engine told when a link fails to even start
   */
  Connector(
      Settings settings,
      Dispatcher dispatcher,
      ReentrantLock lock,
      ScheduledExecutorService timer,
      Backoff backoff,
      Function<Transport, Link> links,
      BooleanSupplier hasChannels,
      LinkListener engine) {
    this.settings = settings;
    this.dispatcher = dispatcher;
    this.lock = lock;
    this.timer = timer;
    this.backoff = backoff;
    this.links = links;
    this.hasChannels = hasChannels;
    this.engine = engine;
  }

  State state() {
    return state;
  }

  /** The current link, or {@code null}; may be read without the lock. */
  Link link() {
    return link;
  }

  /** The current link's transport, or the one the next attempt will use. */
  Transport transport() {
    Link l = link;
    return l != null ? l.transport() : settings.transports().get(transportIndex);
  }

  /** Connects if idle and there is something to connect for (always, on WebSocket). */
  Runnable connectIfNeeded() {
    if (state != State.IDLE) {
      return null;
    }
    Transport t = settings.transports().get(transportIndex);
    if (!t.twoWay() && !hasChannels.getAsBoolean()) {
      return null;
    }
    return connect(t);
  }

  private Runnable connect(Transport t) {
    Link l = links.apply(t);
    link = l;
    state = State.CONNECTING;
    return () -> start(l);
  }

  /** Starts a link outside the lock; a failure to even start counts as a failed attempt. */
  private void start(Link l) {
    try {
      l.start();
    } catch (RuntimeException e) {
      l.stop();
      engine.closed(l, "connect_failed", Link.connectFailure(l.transport().wireName(), e));
    }
  }

  /** The link's {@code ready} came: the connection is open. Returns false if it had already. */
  boolean ready(Link l) {
    if (l.ready) {
      return false;
    }
    l.ready = true;
    state = State.OPEN;
    attempts = 0;
    worked.add(l.transport());
    return true;
  }

  /** Tells the application the connection is open, unless it knows already. */
  void announceOpen(Link l) {
    if (appOpen) {
      return;
    }
    appOpen = true;
    Transport t = l.transport();
    LOG.info("Herald {} connection to {} open", t.wireName(), settings.endpoints());
    HeraldListener listener = settings.listener();
    if (t != announced) {
      announced = t;
      dispatcher.execute(() -> listener.onTransport(t));
    }
    dispatcher.execute(() -> listener.onOpen(t));
  }

  /**
   * The current link ended: it is forgotten and another attempt scheduled.
   *
   * @return the failure to report if the link never became ready, else {@code null}
   */
  HeraldException ended(Link l, String reason, HeraldException failure) {
    boolean wasReady = l.ready;
    RetryHint hint = l.hint();
    forget(l, reason);
    HeraldException f = null;
    if (!wasReady) {
      f =
          failure != null
              ? failure
              : HeraldException.of(
                  "connect_failed",
                  "the "
                      + l.transport().wireName()
                      + " connection ended before the server was ready ("
                      + reason
                      + ")");
      LOG.debug("Connecting over {} failed: {}", l.transport().wireName(), f.getMessage());
      if (hint == null) {
        // A drain, a 503 or a 429 for the connection limits says nothing against the transport.
        maybeFallBack(l.transport(), f);
      }
    }
    // Full jitter on every reconnect, the first after a ready connection included: uniform within
    // the server's window when it named one, else within the backoff ceiling of this attempt. A
    // 429's window is the soonest a retry can succeed: the jitter comes on top of it.
    long delay;
    if (hint != null && hint.windowMillis() >= 0) {
      long window = hint.windowMillis();
      delay = (hint.windowIsFloor() ? window : 0) + backoff.delayWithin(window);
    } else {
      delay = backoff.delayMillis(wasReady ? 0 : attempts);
    }
    attempts = wasReady ? 1 : attempts + 1;
    LOG.debug("Reconnecting in {} ms", delay);
    state = State.WAITING;
    reconnect = timer.schedule(this::reconnectNow, delay, TimeUnit.MILLISECONDS);
    return f;
  }

  /** A one-way link lost its last channel: it goes, and the connection idles. Returns the stop. */
  Runnable idle(Link l, String reason) {
    forget(l, reason);
    state = State.IDLE;
    return l::stop;
  }

  /** One-way transports change channels by reconnecting; several changes in a row make one. */
  void queueResubscribe() {
    if (!resubscribeQueued) {
      resubscribeQueued = true;
      timer.execute(this::resubscribe);
    }
  }

  /** Closes for good; returns the link to end, or {@code null}. */
  Link close() {
    if (state == State.CLOSED) {
      return null;
    }
    state = State.CLOSED;
    Link l = link;
    link = null;
    if (reconnect != null) {
      reconnect.cancel(false);
      reconnect = null;
    }
    if (appOpen && l != null) {
      appOpen = false;
      Transport t = l.transport();
      dispatcher.execute(() -> settings.listener().onClose(t, "client_closed"));
    }
    return l;
  }

  /** Forgets the current link; tells the application if it knew the connection open. */
  private void forget(Link l, String reason) {
    link = null;
    if (appOpen) {
      appOpen = false;
      Transport t = l.transport();
      LOG.info("Herald {} connection to {} closed: {}", t.wireName(), settings.endpoints(), reason);
      dispatcher.execute(() -> settings.listener().onClose(t, reason));
    }
  }

  private void maybeFallBack(Transport failed, HeraldException f) {
    List<Transport> list = settings.transports();
    boolean timedOut = f.code().equals("timeout");
    boolean blocked =
        (f.status() > 0 && f.status() != 503) || timedOut || f.code().equals("protocol");
    if (list.size() > 1 && blocked && !worked.contains(failed)) {
      transportIndex = next(list, list.indexOf(failed), timedOut && streaming(failed));
      LOG.info(
          "Herald {} transport failed ({}); falling back to {}",
          failed.wireName(),
          f.code(),
          list.get(transportIndex).wireName());
    }
  }

  /**
   * The index after {@code from}; past every streaming transport if {@code skipStreams}, since a
   * proxy that buffers one stream buffers the other too (unless only streams are left).
   */
  private static int next(List<Transport> list, int from, boolean skipStreams) {
    for (int step = 1; skipStreams && step < list.size(); step++) {
      int i = (from + step) % list.size();
      if (!streaming(list.get(i))) {
        return i;
      }
    }
    return (from + 1) % list.size();
  }

  private static boolean streaming(Transport t) {
    return t == Transport.SSE || t == Transport.STREAM;
  }

  // ---- timer tasks: they take the lock themselves

  private void reconnectNow() {
    Runnable after;
    lock.lock();
    try {
      if (state != State.WAITING) {
        return;
      }
      reconnect = null;
      state = State.IDLE;
      after = connectIfNeeded();
    } finally {
      lock.unlock();
    }
    if (after != null) {
      after.run();
    }
  }

  private void resubscribe() {
    Link old;
    Runnable start;
    lock.lock();
    try {
      resubscribeQueued = false;
      old = link;
      if (state == State.CLOSED
          || old == null
          || old.transport().twoWay()
          || !hasChannels.getAsBoolean()) {
        return;
      }
      start = connect(old.transport());
    } finally {
      lock.unlock();
    }
    LOG.debug("Reconnecting {} for a new channel list", old);
    old.stop();
    start.run();
  }
}
