package dev.herald.push.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.Cursor;
import dev.herald.push.EphemeralMessage;
import dev.herald.push.Message;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client behind {@link HeraldClient}: takes the application's calls and the links' reports and
 * hands each to the part that owns it. Thread-safe.
 *
 * <p>Design notes. Three parts hold the state, each its own: the {@link Connector} (which link, its
 * lifecycle, backoff and fallback), {@link Delivery} (channels, positions, the duplicate check and
 * the application's callbacks) and {@link PendingPublishes} (WebSocket publishes awaiting their
 * ack). They share one lock, this class's, because a frame changes them together: the check that a
 * frame comes from the current link and its effect on the channels must be one step, so that a
 * replaced link's late frames are dropped and a reconnect resumes from exactly after the frames
 * applied; a {@code ready} frame opens the connection, subscribes every channel and releases the
 * held publishes in that order. The lock is never held across I/O or application code: links are
 * started, flushed and stopped after it is released (the parts return that work as a {@link
 * Runnable}), and application callbacks are queued on the {@link Dispatcher}, in order, while it is
 * held. {@link Liveness} runs on the timer without the lock. Frames arrive already read into {@link
 * ServerFrame}s and are dispatched on their kind.
 */
final class Engine implements LinkListener {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
  private static final AtomicInteger TIMERS = new AtomicInteger();

  /** The most callbacks queued before the transports stop reading. */
  static final int MAX_QUEUED_CALLBACKS = 1024;

  private final Settings settings;
  private final Dispatcher dispatcher;
  private final ScheduledThreadPoolExecutor timer;
  private final LinkContext context;
  private final HttpPublisher httpPublisher;
  private final ReentrantLock lock = new ReentrantLock();

  // Guarded by lock.
  private final Connector connector;
  private final Delivery delivery;
  private final PendingPublishes publishes;

  Engine(Settings settings) {
    this.settings = settings;
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
    this.delivery = new Delivery(settings.resumeFrom(), dispatcher, settings.listener());
    this.publishes = new PendingPublishes(dispatcher, timer, settings.requestTimeout(), lock);
    Backoff backoff =
        new Backoff(
            settings.reconnectMin(),
            settings.reconnectMax(),
            () -> ThreadLocalRandom.current().nextDouble());
    this.connector =
        new Connector(
            settings,
            dispatcher,
            lock,
            timer,
            backoff,
            this::newLink,
            () -> !delivery.isEmpty(),
            this);
    Liveness liveness =
        new Liveness(settings.connectTimeout(), settings.idleTimeout(), connector::link, this);
    long tick = Liveness.tickMillis(settings.connectTimeout(), settings.idleTimeout());
    timer.scheduleWithFixedDelay(liveness::check, tick, tick, TimeUnit.MILLISECONDS);
  }

  /** Connects now if there is something to connect for (always, on WebSocket). */
  void start() {
    run(locked(connector::connectIfNeeded));
  }

  /** A link for a transport, from the channels and positions of now; under the lock. */
  private Link newLink(Transport t) {
    return switch (t) {
      case WEBSOCKET -> new WebSocketLink(context);
      case SSE, STREAM ->
          new StreamLink(
              context,
              t,
              settings.endpoints().stream(t, delivery.channels(), delivery.resumeCursor(), -1));
      case POLL -> new PollLink(context, delivery.channels());
    };
  }

  // ---- application calls

  /**
   * @param onEphemeral the handler of the channel's ephemeral messages, or {@code null} to drop
   *     them
   */
  Subscription subscribe(
      String channel, Consumer<Message> handler, Consumer<EphemeralMessage> onEphemeral) {
    SubscriptionImpl sub = new SubscriptionImpl(this, channel, handler, onEphemeral);
    Runnable after = null;
    lock.lock();
    try {
      if (connector.state() == Connector.State.CLOSED) {
        throw new IllegalStateException("the client is closed");
      }
      ChannelBook.Entry e = delivery.get(channel);
      if (e == null) {
        e = delivery.add(channel);
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
      ChannelBook.Entry e = delivery.get(sub.channel());
      if (e == null || !e.handlers.remove(sub) || !e.handlers.isEmpty()) {
        return;
      }
      delivery.remove(e.channel);
      after = channelRemoved(e);
    } finally {
      lock.unlock();
    }
    run(after);
  }

  /**
   * @param ephemeral whether to ask for an ephemeral message ({@code "ephemeral":true}); else the
   *     channel's default
   */
  CompletableFuture<Ack> publish(String channel, String event, JsonNode data, boolean ephemeral) {
    AckFuture future = new AckFuture(dispatcher);
    Runnable after;
    lock.lock();
    try {
      if (connector.state() == Connector.State.CLOSED) {
        future.completeExceptionally(
            new HeraldException("closed", "the client is closed", 0, channel, null));
        return future;
      }
      if (!connector.transport().twoWay()) {
        after = () -> httpPublisher.publish(channel, event, data, ephemeral, future);
      } else {
        after = queuePublish(channel, event, data, ephemeral, future);
      }
    } finally {
      lock.unlock();
    }
    run(after);
    return future;
  }

  /** Sends or holds a publish over the WebSocket; under the lock. */
  private Runnable queuePublish(
      String channel, String event, JsonNode data, boolean ephemeral, AckFuture future) {
    PendingPublishes.Pending p = publishes.create(channel, event, data, ephemeral, future);
    if (p == null) {
      return null;
    }
    Link l = connector.link();
    if (connector.state() == Connector.State.OPEN && l != null) {
      publishes.sent(p);
      l.send(p.frame);
      return l::flush;
    }
    publishes.hold(p);
    return connector.connectIfNeeded();
  }

  String cursor() {
    return locked(delivery::deliveredCursor);
  }

  List<String> channels() {
    return locked(delivery::channels);
  }

  Transport transport() {
    return locked(connector::transport);
  }

  boolean isOpen() {
    return locked(() -> connector.state() == Connector.State.OPEN);
  }

  private <T> T locked(Supplier<T> read) {
    lock.lock();
    try {
      return read.get();
    } finally {
      lock.unlock();
    }
  }

  void close() {
    Link l;
    lock.lock();
    try {
      if (connector.state() == Connector.State.CLOSED) {
        return;
      }
      publishes.closed();
      delivery.removeAll();
      l = connector.close();
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
    if (connector.state() == Connector.State.IDLE) {
      return connector.connectIfNeeded();
    }
    Link l = connector.link();
    if (l == null) {
      return null;
    }
    if (l.transport().twoWay()) {
      if (connector.state() != Connector.State.OPEN) {
        return null; // ready subscribes every channel
      }
      sendSubscribe(l, e);
      return l::flush;
    }
    connector.queueResubscribe();
    return null;
  }

  private Runnable channelRemoved(ChannelBook.Entry e) {
    Link l = connector.link();
    if (l == null) {
      return null; // a reconnect with no channels left stays idle
    }
    if (l.transport().twoWay()) {
      if (connector.state() != Connector.State.OPEN) {
        return null;
      }
      l.send(ClientFrames.unsubscribe(e.channel));
      return l::flush;
    }
    if (delivery.isEmpty()) {
      linkDropped();
      return connector.idle(l, "unsubscribed");
    }
    connector.queueResubscribe();
    return null;
  }

  private void sendSubscribe(Link l, ChannelBook.Entry e) {
    String frame = delivery.subscribe(e);
    l.expectReply(System.nanoTime());
    l.send(frame);
  }

  /** The current link is going: what waited on it is over. */
  private void linkDropped() {
    publishes.disconnected();
    delivery.linkDropped();
  }

  // ---- LinkListener: called by links on their I/O threads

  @Override
  public void opened(Link l) {
    Runnable after;
    lock.lock();
    try {
      if (l != connector.link()) {
        return;
      }
      after = ready(l, null);
    } finally {
      lock.unlock();
    }
    run(after);
  }

  @Override
  public void frame(Link l, ServerFrame frame) {
    Runnable after;
    lock.lock();
    try {
      if (l != connector.link()) {
        return;
      }
      if (frame.kind() != ServerFrame.Kind.MESSAGE && frame.kind() != ServerFrame.Kind.EPHEMERAL) {
        LOG.debug("{} on {}", frame, l);
      }
      after = apply(l, frame);
    } finally {
      lock.unlock();
    }
    run(after);
  }

  @Override
  public void positions(Link l, Cursor cursor) {
    lock.lock();
    try {
      if (l == connector.link()) {
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
      return l == connector.link() ? delivery.resumeCursor() : null;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void closed(Link l, String reason, HeraldException failure) {
    lock.lock();
    try {
      if (l != connector.link()) {
        return;
      }
      linkDropped();
      HeraldException f = connector.ended(l, reason, failure);
      if (f != null) {
        delivery.error(f);
      }
    } finally {
      lock.unlock();
    }
  }

  // ---- frames, under the lock

  /** Applies a frame of the current link; returns the I/O to run after the lock. */
  private Runnable apply(Link l, ServerFrame frame) {
    return switch (frame.kind()) {
      case READY -> ready(l, ((ServerFrame.Ready) frame).cursor());
      case SUBSCRIBED -> {
        delivery.subscribed((ServerFrame.Subscribed) frame);
        yield null;
      }
      case MESSAGE -> {
        delivery.message(((ServerFrame.MessageFrame) frame).message());
        yield null;
      }
      case EPHEMERAL -> {
        delivery.ephemeral(((ServerFrame.Ephemeral) frame).message());
        yield null;
      }
      case RESET -> {
        delivery.reset((ServerFrame.Reset) frame);
        yield null;
      }
      case ACK -> {
        ServerFrame.AckFrame ack = (ServerFrame.AckFrame) frame;
        publishes.ack(ack.ref(), ack.ack());
        yield null;
      }
      case ERROR -> {
        ServerFrame.ErrorFrame error = (ServerFrame.ErrorFrame) frame;
        if (!publishes.refuse(error.ref(), channel -> error.toException(0, channel))) {
          delivery.error(error);
        }
        yield null;
      }
      case MALFORMED -> {
        delivery.error(((ServerFrame.Malformed) frame).problem());
        yield null;
      }
      // The link noted that it heard from the server. Presence frames come only to connections
      // that ask for them, which this client does not: ignored.
      case PONG, HEARTBEAT, PRESENCE, UNKNOWN -> null;
    };
  }

  private Runnable ready(Link l, Cursor cursor) {
    if (!connector.ready(l)) {
      return null;
    }
    if (cursor != null) {
      delivery.merge(cursor);
    }
    connector.announceOpen(l);
    if (!l.transport().twoWay()) {
      return null;
    }
    for (ChannelBook.Entry e : delivery.entries()) {
      sendSubscribe(l, e);
    }
    for (PendingPublishes.Pending p : publishes.release()) {
      l.send(p.frame);
    }
    return l::flush;
  }

  private static void run(Runnable r) {
    if (r != null) {
      r.run();
    }
  }
}
