package dev.herald.push.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.Message;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's state machine: one link at a time, reconnects with backoff, channels and their
 * positions, publishes awaiting their acks. Thread-safe.
 *
 * <p>Design notes. One lock guards all state; it is held while a frame is applied (so frames of one
 * link are applied in order, and the position a reconnect resumes from is exactly after the frames
 * applied) and never across I/O or application code: links are started, flushed and stopped after
 * it is released, and application callbacks are queued on the dispatcher, in order, while it is
 * held. Every link callback first checks that it comes from the current link; a replaced link's
 * late frames are dropped, and the replacement resumes from the positions before them. The
 * connection is {@code IDLE} (nothing to connect for), {@code CONNECTING} (a link waits for {@code
 * ready}), {@code OPEN}, {@code WAITING} (for the backoff timer) or {@code CLOSED}, for good.
 */
final class Engine implements LinkListener {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
  private static final AtomicInteger TIMERS = new AtomicInteger();

  /** The most callbacks queued before the transports stop reading. */
  static final int MAX_QUEUED_CALLBACKS = 1024;

  private enum State {
    IDLE,
    CONNECTING,
    OPEN,
    WAITING,
    CLOSED
  }

  private final Settings settings;
  private final HeraldListener listener;
  private final Dispatcher dispatcher;
  private final ScheduledThreadPoolExecutor timer;
  private final Backoff backoff;
  private final LinkContext context;
  private final HttpPublisher httpPublisher;
  private final ReentrantLock lock = new ReentrantLock();

  // Guarded by lock.
  private final ChannelBook book;
  private final Delivery delivery;
  private final PendingPublishes publishes;
  private final Map<String, String> subscribeRefs = new HashMap<>();
  private final Set<Transport> worked = new HashSet<>();
  private State state = State.IDLE;
  private Link link;
  private long linkStartedNanos;
  private boolean appOpen;
  private Transport announced;
  private int transportIndex;
  private int attempts;
  private long nextRef;
  private boolean resubscribeQueued;
  private ScheduledFuture<?> reconnect;

  Engine(Settings settings) {
    this.settings = settings;
    this.listener = settings.listener();
    this.dispatcher = new Dispatcher(MAX_QUEUED_CALLBACKS);
    String name = "herald-client-timer-" + TIMERS.incrementAndGet();
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
    timer.setRemoveOnCancelPolicy(true);
    this.backoff =
        new Backoff(
            settings.reconnectMin(),
            settings.reconnectMax(),
            () -> ThreadLocalRandom.current().nextDouble());
    this.context =
        new LinkContext(
            settings.httpClient(),
            settings.endpoints(),
            settings.token(),
            dispatcher,
            settings.connectTimeout(),
            settings.pollTimeout(),
            this);
    this.httpPublisher = new HttpPublisher(context, settings.requestTimeout());
    this.book = new ChannelBook(settings.resumeFrom());
    this.delivery = new Delivery(book, dispatcher, listener);
    this.publishes = new PendingPublishes(dispatcher);
    long shortest =
        Math.min(settings.idleTimeout().toMillis(), settings.connectTimeout().toMillis());
    long tick = Math.max(10, Math.min(1000, shortest / 4));
    timer.scheduleWithFixedDelay(this::watch, tick, tick, TimeUnit.MILLISECONDS);
  }

  /** Connects now if there is something to connect for (always, on WebSocket). */
  void start() {
    Runnable after;
    lock.lock();
    try {
      after = connectIfNeeded();
    } finally {
      lock.unlock();
    }
    run(after);
  }

  // ---- application calls

  Subscription subscribe(String channel, Consumer<Message> handler) {
    SubscriptionImpl sub = new SubscriptionImpl(this, channel, handler);
    Runnable after = null;
    lock.lock();
    try {
      if (state == State.CLOSED) {
        throw new IllegalStateException("the client is closed");
      }
      ChannelBook.Entry e = book.get(channel);
      if (e == null) {
        e = book.add(channel);
        after = channelAdded(e);
      }
      e.handlers.add(sub);
    } finally {
      lock.unlock();
    }
    run(after);
    return sub;
  }

  void unsubscribe(SubscriptionImpl sub) {
    Runnable after = null;
    lock.lock();
    try {
      sub.deactivate();
      ChannelBook.Entry e = book.get(sub.channel());
      if (e == null || !e.handlers.remove(sub) || !e.handlers.isEmpty()) {
        return;
      }
      book.remove(e.channel);
      subscribeRefs.values().remove(e.channel);
      after = channelRemoved(e);
    } finally {
      lock.unlock();
    }
    run(after);
  }

  CompletableFuture<Ack> publish(String channel, String event, JsonNode data) {
    AckFuture future = new AckFuture(dispatcher);
    Runnable after = null;
    lock.lock();
    try {
      if (state == State.CLOSED) {
        future.completeExceptionally(closedException(channel));
        return future;
      }
      Transport t = link != null ? link.transport() : settings.transports().get(transportIndex);
      if (!t.twoWay()) {
        after = () -> httpPublisher.publish(channel, event, data, future);
      } else {
        after = queuePublish(channel, event, data, future);
      }
    } finally {
      lock.unlock();
    }
    run(after);
    return future;
  }

  /** Sends or queues a publish over the WebSocket; under the lock. */
  private Runnable queuePublish(String channel, String event, JsonNode data, AckFuture future) {
    PendingPublishes.Pending p = publishes.create(channel, event, data, future);
    if (p == null) {
      return null;
    }
    p.timeout =
        timer.schedule(
            () -> expire(p), settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    if (state == State.OPEN && link != null) {
      publishes.sent(p);
      link.send(p.frame);
      return link::flush;
    }
    publishes.hold(p);
    return connectIfNeeded();
  }

  String cursor() {
    lock.lock();
    try {
      return book.deliveredCursor();
    } finally {
      lock.unlock();
    }
  }

  List<String> channels() {
    lock.lock();
    try {
      return book.channels();
    } finally {
      lock.unlock();
    }
  }

  Transport transport() {
    lock.lock();
    try {
      return link != null ? link.transport() : settings.transports().get(transportIndex);
    } finally {
      lock.unlock();
    }
  }

  boolean isOpen() {
    lock.lock();
    try {
      return state == State.OPEN;
    } finally {
      lock.unlock();
    }
  }

  void close() {
    Link l;
    lock.lock();
    try {
      if (state == State.CLOSED) {
        return;
      }
      state = State.CLOSED;
      l = link;
      link = null;
      cancelReconnect();
      publishes.closed();
      for (String channel : book.channels()) {
        book.remove(channel);
      }
      if (appOpen && l != null) {
        appOpen = false;
        Transport t = l.transport();
        dispatcher.execute(() -> listener.onClose(t, "client_closed"));
      }
    } finally {
      lock.unlock();
    }
    LOG.debug("Herald client for {} closed", settings.endpoints());
    if (l instanceof WebSocketLink ws) {
      ws.closeGracefully();
    } else if (l != null) {
      l.stop();
    }
    timer.shutdownNow();
    dispatcher.shutdown();
  }

  // ---- channel changes, under the lock

  private Runnable channelAdded(ChannelBook.Entry e) {
    if (state == State.IDLE) {
      return connectIfNeeded();
    }
    if (link == null) {
      return null;
    }
    if (link.transport().twoWay()) {
      if (state != State.OPEN) {
        return null; // ready subscribes every channel
      }
      sendSubscribe(e);
      return link::flush;
    }
    return queueResubscribe();
  }

  private Runnable channelRemoved(ChannelBook.Entry e) {
    if (link == null) {
      return null; // a reconnect with no channels left stays idle
    }
    if (link.transport().twoWay()) {
      if (state != State.OPEN) {
        return null;
      }
      link.send(Frames.unsubscribe(e.channel));
      return link::flush;
    }
    if (book.isEmpty()) {
      Link old = link;
      dropLink(old, "unsubscribed");
      state = State.IDLE;
      return old::stop;
    }
    return queueResubscribe();
  }

  private void sendSubscribe(ChannelBook.Entry e) {
    e.pending = true;
    String ref = "s" + (++nextRef);
    subscribeRefs.put(ref, e.channel);
    link.expectReply(System.nanoTime());
    link.send(Frames.subscribe(e.channel, book.resumeCursor(e.channel), ref));
  }

  /** HTTP transports change channels by reconnecting; several changes in a row make one. */
  private Runnable queueResubscribe() {
    if (!resubscribeQueued) {
      resubscribeQueued = true;
      timer.execute(this::resubscribe);
    }
    return null;
  }

  private void resubscribe() {
    Link old;
    Runnable start;
    lock.lock();
    try {
      resubscribeQueued = false;
      if (state == State.CLOSED || link == null || link.transport().twoWay() || book.isEmpty()) {
        return;
      }
      old = link;
      start = connect(old.transport());
    } finally {
      lock.unlock();
    }
    LOG.debug("Reconnecting {} for a new channel list", old);
    old.stop();
    start.run();
  }

  // ---- connecting, under the lock

  private Runnable connectIfNeeded() {
    if (state != State.IDLE) {
      return null;
    }
    Transport t = settings.transports().get(transportIndex);
    if (!t.twoWay() && book.isEmpty()) {
      return null;
    }
    return connect(t);
  }

  private Runnable connect(Transport t) {
    Link l =
        switch (t) {
          case WEBSOCKET -> new WebSocketLink(context);
          case SSE, STREAM ->
              new StreamLink(
                  context,
                  t,
                  settings.endpoints().stream(t, book.channels(), book.resumeCursor(), -1));
          case POLL -> new PollLink(context, book.channels());
        };
    link = l;
    linkStartedNanos = System.nanoTime();
    state = State.CONNECTING;
    return () -> start(l);
  }

  /** Starts a link outside the lock; a failure to even start counts as a failed attempt. */
  private void start(Link l) {
    try {
      l.start();
    } catch (RuntimeException e) {
      l.stop();
      closed(l, "connect_failed", Link.connectFailure(l.transport().wireName(), e));
    }
  }

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
    run(after);
  }

  private void cancelReconnect() {
    if (reconnect != null) {
      reconnect.cancel(false);
      reconnect = null;
    }
  }

  /** Forgets the current link; tells the application if it knew the connection open. */
  private void dropLink(Link l, String reason) {
    link = null;
    publishes.disconnected();
    subscribeRefs.clear();
    for (ChannelBook.Entry e : book.entries()) {
      e.pending = false;
    }
    if (appOpen) {
      appOpen = false;
      Transport t = l.transport();
      LOG.info("Herald {} connection to {} closed: {}", t.wireName(), settings.endpoints(), reason);
      dispatcher.execute(() -> listener.onClose(t, reason));
    }
  }

  // ---- LinkListener: called by links on their I/O threads

  @Override
  public void opened(Link l) {
    Runnable after;
    lock.lock();
    try {
      if (l != link) {
        return;
      }
      after = ready(l, null);
    } finally {
      lock.unlock();
    }
    run(after);
  }

  @Override
  public void frame(Link l, JsonNode frame) {
    Runnable after = null;
    lock.lock();
    try {
      if (l != link) {
        return;
      }
      String type = Frames.type(frame);
      if (!type.equals("message") && LOG.isDebugEnabled()) {
        LOG.debug("{} frame on {}: channel {}", type, l, Frames.text(frame, "channel"));
      }
      switch (type) {
        case "ready" -> after = ready(l, Frames.text(frame, "cursor"));
        case "subscribed" -> {
          subscribeRefs.values().remove(Frames.text(frame, "channel"));
          delivery.subscribed(frame);
        }
        case "message" -> delivery.message(frame);
        case "reset" -> delivery.reset(frame);
        case "ack" -> publishes.ack(Frames.text(frame, "ref"), Frames.ack(frame));
        case "error" -> error(frame);
        case "pong", "heartbeat" -> {
          // The link recorded that it heard from the server.
        }
        default -> LOG.debug("Ignoring a frame of unknown type {}", Frames.type(frame));
      }
    } catch (HeraldException e) {
      delivery.error(e);
    } finally {
      lock.unlock();
    }
    run(after);
  }

  @Override
  public void positions(Link l, String cursor) {
    lock.lock();
    try {
      if (l == link) {
        delivery.merge(cursor);
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String since(Link l) {
    lock.lock();
    try {
      return l == link ? book.resumeCursor() : null;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void closed(Link l, String reason, HeraldException failure) {
    lock.lock();
    try {
      if (l != link) {
        return;
      }
      boolean wasReady = l.ready;
      dropLink(l, reason);
      if (!wasReady) {
        HeraldException f =
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
        delivery.error(f);
        maybeFallBack(l.transport(), f);
      }
      if (state == State.CLOSED) {
        return;
      }
      long delay = backoff.delayMillis(wasReady ? 0 : attempts);
      attempts = wasReady ? 1 : attempts + 1;
      state = State.WAITING;
      reconnect = timer.schedule(this::reconnectNow, delay, TimeUnit.MILLISECONDS);
    } finally {
      lock.unlock();
    }
  }

  // ---- frames, under the lock

  private Runnable ready(Link l, String cursor) {
    if (l.ready) {
      return null;
    }
    l.ready = true;
    state = State.OPEN;
    attempts = 0;
    worked.add(l.transport());
    if (cursor != null) {
      delivery.merge(cursor);
    }
    if (!appOpen) {
      appOpen = true;
      Transport t = l.transport();
      LOG.info("Herald {} connection to {} open", t.wireName(), settings.endpoints());
      if (t != announced) {
        announced = t;
        dispatcher.execute(() -> listener.onTransport(t));
      }
      dispatcher.execute(() -> listener.onOpen(t));
    }
    if (!l.transport().twoWay()) {
      return null;
    }
    for (ChannelBook.Entry e : book.entries()) {
      sendSubscribe(e);
    }
    for (PendingPublishes.Pending p : publishes.release()) {
      l.send(p.frame);
    }
    return l::flush;
  }

  private void error(JsonNode frame) {
    String ref = Frames.text(frame, "ref");
    if (publishes.refuse(ref, channel -> Frames.error(frame, 0, channel))) {
      return;
    }
    String channel = ref == null ? null : subscribeRefs.remove(ref);
    if (channel != null) {
      delivery.refused(channel, Frames.error(frame, 0, channel));
    } else {
      delivery.error(Frames.error(frame, 0, null));
    }
  }

  private void expire(PendingPublishes.Pending p) {
    lock.lock();
    try {
      publishes.expire(
          p,
          new HeraldException(
              "timeout",
              "no acknowledgement within " + settings.requestTimeout(),
              0,
              p.channel,
              null));
    } finally {
      lock.unlock();
    }
  }

  private void maybeFallBack(Transport failed, HeraldException f) {
    List<Transport> list = settings.transports();
    boolean blocked = f.status() > 0 || f.code().equals("timeout") || f.code().equals("protocol");
    if (list.size() > 1 && blocked && !worked.contains(failed)) {
      transportIndex = (list.indexOf(failed) + 1) % list.size();
      LOG.info(
          "Herald {} transport failed ({}); falling back to {}",
          failed.wireName(),
          f.code(),
          list.get(transportIndex).wireName());
    }
  }

  // ---- the watchdog, on the timer thread

  private void watch() {
    Link l;
    String why = null;
    Runnable ping = null;
    lock.lock();
    try {
      l = link;
      if (l == null) {
        return;
      }
      long now = System.nanoTime();
      if (!l.ready) {
        if (now - linkStartedNanos > settings.connectTimeout().toNanos()) {
          why = "timeout";
        }
      } else if (l.watchesIdle()) {
        long silent = now - l.lastHeardNanos();
        long awaited = l.replyAwaitedSinceNanos();
        if (silent > settings.idleTimeout().toNanos()) {
          why = "idle_timeout";
        } else if (awaited != 0 && now - awaited > settings.connectTimeout().toNanos()) {
          why = "no_reply";
        } else if (l.transport().twoWay()
            && silent > settings.idleTimeout().toNanos() / 3
            && l.lastPingNanos() < l.lastHeardNanos()) {
          l.pinged(now);
          l.expectReply(now);
          l.send(Frames.ping());
          ping = l::flush;
        }
      }
    } finally {
      lock.unlock();
    }
    run(ping);
    if (why != null) {
      LOG.debug("Dropping {}: {}", l, why);
      l.stop();
      closed(
          l,
          why,
          why.equals("timeout")
              ? HeraldException.of(
                  "timeout",
                  "no ready frame over "
                      + l.transport().wireName()
                      + " within "
                      + settings.connectTimeout())
              : null);
    }
  }

  private static void run(Runnable r) {
    if (r != null) {
      r.run();
    }
  }

  private static HeraldException closedException(String channel) {
    return new HeraldException("closed", "the client is closed", 0, channel, null);
  }
}
