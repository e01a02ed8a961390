package dev.herald.push;

import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Connection;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.FrameSink;
import dev.herald.push.spi.PresenceOptions;
import dev.herald.push.spi.WireFormat;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection: its client, its lifecycle, its subscriptions and cursor, and its {@link Outbox}.
 * Thread-safe.
 *
 * <p>Design notes. One lock per connection guards the subscriptions, the cursor and the outbox
 * (which shares it rather than having its own): every frame is queued in the same critical section
 * as the cursor update it implies, so the cursor each frame carries is exactly the position after
 * the frames before it, whichever threads deliver which channels. Routes call in with their own
 * lock held (lock order: route, then connection), so nothing here takes a route's lock while
 * holding this one.
 *
 * <p>The lock is never held across the sink, the executor, the broker or application code: code
 * that takes it opens a {@link HandOff} scope first, decides under the lock, and the scope starts
 * the writes, tasks and closes it recorded once the lock is released. Closing takes routes' locks,
 * so a close decided under a lock ({@link #closeLater}) runs on the executor after it.
 *
 * <p>Lifecycle, changed by CAS: {@code OPEN → CLOSING} when a close is decided but not yet run (an
 * overflow, or an error frame still being flushed), {@code OPEN | CLOSING → CLOSED} in {@link
 * #close}, which releases the subscriptions and closes the sink exactly once. Only an open
 * connection queues frames; a closing one still writes what it queued.
 */
final class ConnectionImpl implements Connection {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionImpl.class);

  private enum State {
    OPEN,
    CLOSING,
    CLOSED
  }

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(ConnectionImpl.class, "state", State.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Hub hub;
  private final Client client;
  private final WireFormat format;
  private final FrameSink sink;
  private final HandOff handOff;

  /** Changed by CAS through {@link #STATE}: a field, not an {@code AtomicReference} object. */
  private volatile State state = State.OPEN;

  private final ReentrantLock lock = new ReentrantLock();
  private final Outbox outbox;

  // Guarded by lock.
  /**
   * The cursor after the frames queued so far; {@code null} while the one subscription's position
   * alone makes it (see {@link #cursor()}), so that a delivery to a one-channel connection stores
   * no new object here.
   */
  private Cursor cursor = Cursor.empty();

  // Sized for the usual one channel: a default map's table of 16 costs 56 bytes more.
  private final Map<String, Subscription> subscriptions = new HashMap<>(2);

  /**
   * Whether {@link #subscriptions} holds exactly one channel: read by every delivery, which then
   * need not reach the map.
   */
  private boolean sole;

  ConnectionImpl(Hub hub, Client client, WireFormat format, FrameSink sink) {
    this.hub = hub;
    this.client = client;
    this.format = format;
    this.sink = sink;
    this.handOff = hub.handOff();
    this.outbox = new Outbox(this, lock, sink, handOff, hub.settings(), hub.counters());
  }

  @Override
  public Client client() {
    return client;
  }

  @Override
  public WireFormat format() {
    return format;
  }

  // ---- subscriptions

  @Override
  public CompletionStage<Void> subscribe(String channel, Position since, PresenceOptions presence) {
    if (presence.events() && turnPresenceOn(channel, presence.memberData())) {
      return CompletableFuture.completedFuture(null);
    }
    return prepare(channel, since, presence)
        .thenAccept(
            sub -> {
              if (sub != null) {
                if (format.subscribedFrames()) {
                  underLock(
                      () ->
                          enqueue(
                              FrameEncoder.subscribed(
                                  format, channel, sub.position, cursorNow().encode())));
                }
                start(sub);
              }
            });
  }

  /**
   * Checks that the connection may subscribe to the channel, showing in its presence with the data
   * (compact JSON text, or {@code null}); throws if not.
   */
  void checkSubscribe(String channel, String memberData) {
    Names.checkChannel(channel);
    int maxData = hub.settings().maxMemberDataBytes();
    if (memberData != null
        && (memberData.length() > maxData
            || memberData.getBytes(StandardCharsets.UTF_8).length > maxData)) {
      throw new PushException(
          ErrorCode.TOO_LARGE, "member data may be at most " + maxData + " bytes of JSON");
    }
    boolean allowed;
    try {
      allowed = hub.settings().authorizer().canSubscribe(client, channel);
    } catch (RuntimeException e) {
      LOG.warn("Authorizer failed for client {} on channel {}", client.id(), channel, e);
      throw new PushException(ErrorCode.INTERNAL, "authorization failed");
    }
    if (!allowed) {
      LOG.info("Client {} (user {}) may not subscribe to {}", client.id(), client.user(), channel);
      throw new PushException(ErrorCode.FORBIDDEN, "not allowed to subscribe to " + channel);
    }
    if (memberData == null) {
      return;
    }
    try {
      allowed = hub.settings().authorizer().canJoin(client, channel, memberData);
    } catch (RuntimeException e) {
      LOG.warn("Authorizer failed for client {} joining {}", client.id(), channel, e);
      throw new PushException(ErrorCode.INTERNAL, "authorization failed");
    }
    if (!allowed) {
      LOG.info(
          "Client {} (user {}) may not join {} with its member data",
          client.id(),
          client.user(),
          channel);
      throw new PushException(
          ErrorCode.FORBIDDEN, "not allowed to join " + channel + " with this member data");
    }
  }

  /**
   * Registers a subscription and finds its start position; the stage yields {@code null} if the
   * connection unsubscribed or closed meanwhile.
   */
  CompletionStage<Subscription> prepare(String channel, Position since, PresenceOptions presence) {
    checkSubscribe(channel, presence.memberData());
    Subscription sub =
        new Subscription(
            this,
            channel,
            new Member(
                client.id(),
                client.user(),
                Instant.ofEpochMilli(System.currentTimeMillis()),
                presence.memberData()));
    sub.presenceEvents = presence.events();
    sub.resuming = since != null;
    sub.route = hub.acquireRoute(channel);
    PushException refused = null;
    lock.lock();
    try {
      int max = hub.settings().maxChannelsPerConnection();
      if (state != State.OPEN) {
        refused = new PushException(ErrorCode.UNAVAILABLE, "the connection is closed");
      } else if (subscriptions.containsKey(channel)) {
        refused = new PushException(ErrorCode.BAD_REQUEST, "already subscribed to " + channel);
      } else if (subscriptions.size() >= max) {
        refused =
            new PushException(
                ErrorCode.TOO_MANY_CHANNELS, "a connection may hold at most " + max + " channels");
      } else {
        cursorNow();
        subscriptions.put(channel, sub);
        sole = subscriptions.size() == 1;
      }
    } finally {
      lock.unlock();
    }
    if (refused != null) {
      // Outside the lock: releasing the last reference stops the route's broker feed.
      hub.releaseRoute(sub.route);
      throw refused;
    }
    hub.counters().subscribed(channel);
    CompletionStage<Position> start =
        since != null ? CompletableFuture.completedFuture(since) : hub.broker().position(channel);
    return start.handle(
        (position, error) -> {
          lock.lock();
          try {
            if (subscriptions.get(channel) == sub && error == null) {
              sub.position = position;
              cursor = cursorNow().with(channel, position);
              return sub;
            }
          } finally {
            lock.unlock();
          }
          if (error != null) {
            unsubscribe(channel);
            throw Hub.unavailable(error);
          }
          return null;
        });
  }

  /**
   * A subscribe with presence on a channel the connection already holds without it: turns its
   * presence frames on (a {@code members} snapshot, then changes) rather than refusing the second
   * subscribe, so that a client can ask for presence later without leaving and joining again.
   * Returns whether it did; {@code false} leaves the subscribe to its usual checks.
   */
  private boolean turnPresenceOn(String channel, String memberData) {
    Subscription existing;
    lock.lock();
    try {
      existing = subscriptions.get(channel);
      if (state != State.OPEN
          || existing == null
          || existing.presenceEvents
          || !java.util.Objects.equals(memberData, existing.member.data())) {
        return false;
      }
      existing.presenceEvents = true;
    } finally {
      lock.unlock();
    }
    // Before the snapshot: a change from here on reaches the subscription, one before is in it.
    existing.route.watchPresence(existing);
    if (existing.started) {
      sendMembers(existing);
    }
    // Else start() sends them: it reads presenceEvents after marking the subscription started.
    return true;
  }

  /** Starts a prepared subscription's replay and live feed, and its presence frames if asked. */
  void start(Subscription sub) {
    sub.started = true;
    hub.joined(sub);
    sub.route.attach(sub);
    if (sub.presenceEvents) {
      // After the join and the attach: the snapshot holds this member, and every change after it
      // reaches the route, which holds it back until the snapshot is queued.
      sendMembers(sub);
    }
  }

  /** Fetches the channel's members and queues them as the {@code members} snapshot. */
  private void sendMembers(Subscription sub) {
    hub.broker()
        .members(sub.channel)
        .whenComplete(
            (members, error) -> {
              if (error != null) {
                if (state != State.OPEN || sub.dropped) {
                  return;
                }
                LOG.debug(
                    "Client {}: members of {} unavailable, retrying: {}",
                    client.id(),
                    sub.channel,
                    error.toString());
                hub.scheduleLater(() -> sendMembers(sub), 1000);
                return;
              }
              boolean again;
              try (HandOff.Scope scope = handOff.open()) {
                lock.lock();
                try {
                  if (state != State.OPEN || sub.dropped) {
                    return;
                  }
                  again = sub.presenceOverflow;
                  if (!again) {
                    outbox.add(FrameEncoder.members(format, sub.channel, members));
                    List<PresenceEvent> held = sub.presenceHeld;
                    sub.presenceHeld = null;
                    sub.presenceSnapshotSent = true;
                    if (held != null) {
                      for (PresenceEvent e : held) {
                        outbox.add(FrameEncoder.presence(format, e));
                      }
                    }
                  } else {
                    sub.presenceOverflow = false;
                    sub.presenceHeld = null;
                  }
                } finally {
                  lock.unlock();
                }
              }
              if (again) {
                // Too many changes came while the snapshot was on its way: take a newer one.
                sendMembers(sub);
              }
            });
  }

  @Override
  public boolean unsubscribe(String channel) {
    Subscription sub;
    lock.lock();
    try {
      Cursor before = cursorNow();
      sub = subscriptions.remove(channel);
      sole = subscriptions.size() == 1;
      if (sub != null) {
        sub.dropped = true;
        cursor = before.without(channel);
      }
    } finally {
      lock.unlock();
    }
    if (sub == null) {
      return false;
    }
    release(sub);
    return true;
  }

  private void release(Subscription sub) {
    sub.route.detach(sub);
    hub.releaseRoute(sub.route);
    hub.left(sub);
  }

  @Override
  public Set<String> channels() {
    lock.lock();
    try {
      return Set.copyOf(subscriptions.keySet());
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Cursor cursor() {
    lock.lock();
    try {
      return cursorNow();
    } finally {
      lock.unlock();
    }
  }

  // ---- frames in: the route-facing methods run under the route's lock, in its hand-off scope

  private void offerMessage(Subscription sub, EncodedMessage encoded) {
    lock.lock();
    try {
      if (state != State.OPEN || sub.dropped) {
        return;
      }
      Frame frame = messageFrame(sub, encoded);
      if (frame != null) {
        outbox.add(frame);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Moves the subscription past the message and returns its frame, or {@code null} if the
   * subscription is there already. Lock held.
   */
  private Frame messageFrame(Subscription sub, EncodedMessage encoded) {
    Message m = encoded.message;
    Position p = sub.position;
    if (m.epoch().equals(p.epoch()) && m.offset() <= p.offset()) {
      return null;
    }
    if (sole) {
      // Its one channel is this one: the cursor and the frame are those of every such connection.
      // The cursor is this position alone: made when asked for, not stored per message.
      sub.position = encoded.position();
      if (cursor != null) {
        cursor = null;
      }
      return encoded.soleChannelFrame(format);
    }
    Position next = encoded.position();
    sub.position = next;
    cursor = cursorNow().with(sub.channel, next);
    return FrameEncoder.message(format, encoded, cursor.encode());
  }

  /**
   * The cursor, made from the one subscription's position if {@link #cursor} is {@code null}: only
   * while the connection holds exactly one channel, so the map changes only after this. Lock held.
   */
  private Cursor cursorNow() {
    Cursor c = cursor;
    if (c == null) {
      Subscription only = subscriptions.values().iterator().next();
      cursor = c = Cursor.empty().with(only.channel, only.position);
    }
    return c;
  }

  /**
   * Queues the route's entries that the live subscription has not had, up to {@code tail} (entry
   * {@code n} is {@code ring[n & (ring.length - 1)]}: {@link EncodedMessage}s, {@link
   * EncodedEphemeral}s and {@link ChannelRoute.Reset}s), then writes the outbox at once unless a
   * write is already in flight: one visit per connection and walk.
   */
  void walk(Subscription sub, Object[] ring, long tail) {
    if (sub.walked >= tail - 1) {
      // Given all of it by an earlier visit: a late one of the last walk saw these entries too.
      return;
    }
    List<Frame> batch;
    lock.lock();
    try {
      if (state != State.OPEN || sub.dropped) {
        return;
      }
      int mask = ring.length - 1;
      // The usual visit brings one frame: it is written as it is, without a pass through the queue.
      Frame single = null;
      boolean several = false;
      for (long n = sub.walked + 1; n < tail; n++) {
        Frame frame = entryFrame(sub, ring[(int) n & mask]);
        if (frame == null) {
          continue;
        }
        if (single == null && !several) {
          single = frame;
          continue;
        }
        if (single != null) {
          outbox.queue(single);
          single = null;
        }
        several = true;
        outbox.queue(frame);
      }
      sub.walked = tail - 1;
      batch = single != null ? outbox.takeOne(single) : outbox.takeBatch();
    } finally {
      lock.unlock();
    }
    if (batch != null) {
      outbox.write(batch);
    }
  }

  /** The frame of a walk's entry for the subscription, or {@code null} if none. Lock held. */
  private Frame entryFrame(Subscription sub, Object entry) {
    if (entry instanceof EncodedMessage message) {
      return messageFrame(sub, message);
    }
    if (entry instanceof EncodedEphemeral ephemeral) {
      return ephemeral.frame(format);
    }
    return resetFrame(sub, (ChannelRoute.Reset) entry);
  }

  /**
   * The frame of a route's reset for a live subscription, or {@code null} if it is already at or
   * past the new epoch's start (its own catch-up got there first). Lock held.
   */
  private Frame resetFrame(Subscription sub, ChannelRoute.Reset reset) {
    Position start = reset.start();
    Position p = sub.position;
    if (reset.newEpoch()
        && p != null
        && p.epoch().equals(start.epoch())
        && p.offset() >= start.offset()) {
      return null;
    }
    sub.position = start;
    cursor = cursorNow().with(sub.channel, start);
    return FrameEncoder.reset(format, sub.channel, start, cursor.encode());
  }

  /**
   * Queues a message replayed from history, unless the outbox is half full: then it returns {@code
   * false} and the caller waits for {@link #whenDrained} before replaying more.
   */
  boolean offerReplayed(Subscription sub, EncodedMessage encoded) {
    lock.lock();
    try {
      if (state == State.OPEN && !outbox.hasRoomForReplay()) {
        return false;
      }
      offerMessage(sub, encoded);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Runs the task on the executor once the outbox has room for more replayed messages. */
  void whenDrained(Runnable task) {
    lock.lock();
    try {
      if (state == State.OPEN) {
        outbox.whenDrained(task);
      }
    } finally {
      lock.unlock();
    }
  }

  void offerReset(Subscription sub, Position head) {
    lock.lock();
    try {
      if (state != State.OPEN || sub.dropped) {
        return;
      }
      sub.position = head;
      cursor = cursorNow().with(sub.channel, head);
      outbox.add(FrameEncoder.reset(format, sub.channel, head, cursor.encode()));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Queues a presence change for a subscription that asked for them, or holds it until the {@code
   * members} snapshot is queued.
   */
  void offerPresence(Subscription sub, PresenceEvent event) {
    lock.lock();
    try {
      if (state != State.OPEN || sub.dropped || !sub.presenceEvents) {
        return;
      }
      if (sub.presenceSnapshotSent) {
        outbox.add(FrameEncoder.presence(format, event));
        return;
      }
      if (sub.presenceOverflow) {
        return;
      }
      if (sub.presenceHeld == null) {
        sub.presenceHeld = new ArrayList<>();
      }
      if (sub.presenceHeld.size() >= Subscription.MAX_PRESENCE_HELD) {
        sub.presenceHeld = null;
        sub.presenceOverflow = true;
      } else {
        sub.presenceHeld.add(event);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * A {@code reset} frame per channel at its position, for the outbox's RESET policy. Lock held.
   */
  List<Frame> resetFrames() {
    List<Frame> frames = new ArrayList<>(subscriptions.size());
    for (Subscription sub : subscriptions.values()) {
      Position p = sub.position;
      if (p != null) {
        frames.add(FrameEncoder.reset(format, sub.channel, p, cursorNow().encode()));
      }
    }
    return frames;
  }

  // ---- frames in: from transports and timers

  void sendReady() {
    underLock(() -> enqueue(FrameEncoder.ready(format, client.id(), cursorNow().encode())));
  }

  @Override
  public void sendAck(String ref, Publication message) {
    Frame frame = FrameEncoder.ack(format, ref, message);
    underLock(() -> enqueue(frame));
  }

  @Override
  public void sendError(PushException error, String ref) {
    Frame frame = FrameEncoder.error(format, error, ref);
    underLock(() -> enqueue(frame));
  }

  @Override
  public void sendPong() {
    Frame frame = FrameEncoder.pong(format);
    underLock(() -> enqueue(frame));
  }

  /** Queues a heartbeat if nothing else is queued or being written. */
  void heartbeat() {
    underLock(
        () -> {
          if (outbox.isIdle()) {
            enqueue(FrameEncoder.heartbeat(format));
          }
        });
  }

  /** Runs the step under the lock, in a hand-off scope: what it readies starts after the lock. */
  private void underLock(Runnable step) {
    handOff.underLock(lock, step);
  }

  /** Queues a frame if the connection is open. Lock held, in a hand-off scope. */
  private void enqueue(Frame frame) {
    if (state == State.OPEN) {
      outbox.add(frame);
    }
  }

  @Override
  public int queuedFrames() {
    return outbox.queuedFrames();
  }

  @Override
  public long queuedBytes() {
    return outbox.queuedBytes();
  }

  // ---- client publish

  @Override
  public CompletionStage<Publication> publish(
      String channel, String event, String data, Boolean ephemeral) {
    return hub.clientPublish(client, channel, event, data, ephemeral);
  }

  // ---- lifecycle

  @Override
  public boolean isOpen() {
    return state == State.OPEN;
  }

  boolean isClosed() {
    return state == State.CLOSED;
  }

  /**
   * Sends an {@code error} frame, then closes once everything queued before it is written: for
   * failures the client should hear about, such as a broker that cannot be reached. New frames are
   * no longer queued.
   */
  void failAndClose(PushException error, CloseReason reason) {
    boolean now;
    try (HandOff.Scope scope = handOff.open()) {
      lock.lock();
      try {
        if (state != State.OPEN) {
          return;
        }
        enqueue(FrameEncoder.error(format, error, null));
        // The frame may have overflowed the outbox, which then closes the connection itself.
        if (!STATE.compareAndSet(this, State.OPEN, State.CLOSING)) {
          return;
        }
        now = outbox.closeWhenFlushed(reason);
      } finally {
        lock.unlock();
      }
    }
    if (now) {
      close(reason);
    }
  }

  /**
   * Closes on the executor once this thread holds no lock: for callers that hold a route's or this
   * connection's lock, since closing takes routes' locks and calls the sink.
   */
  void closeLater(CloseReason reason) {
    if (STATE.compareAndSet(this, State.OPEN, State.CLOSING)) {
      handOff.afterUnlock(
          () -> {
            try {
              hub.executor().execute(() -> close(reason));
            } catch (RejectedExecutionException e) {
              close(reason);
            }
          });
    }
  }

  @Override
  public void close(CloseReason reason) {
    State previous = (State) STATE.getAndSet(this, State.CLOSED);
    if (previous == State.CLOSED) {
      return;
    }
    List<Subscription> subs;
    lock.lock();
    try {
      outbox.clear();
      subs = new ArrayList<>(subscriptions.values());
      for (Subscription sub : subs) {
        sub.dropped = true;
      }
      cursorNow();
      subscriptions.clear();
      sole = false;
    } finally {
      lock.unlock();
    }
    for (Subscription sub : subs) {
      release(sub);
    }
    hub.removeConnection(this);
    hub.counters().connectionClosed(format, reason);
    LOG.debug("Client {} closed: {}", client.id(), reason.code());
    try {
      sink.close(reason);
    } catch (RuntimeException e) {
      LOG.warn("Client {}: transport failed to close", client.id(), e);
    }
  }

  /** Whether this thread holds the connection's lock; for tests of the lock contract. */
  boolean holdsLock() {
    return lock.isHeldByCurrentThread();
  }

  @Override
  public String toString() {
    return "Connection[" + client.id() + ", " + format + "]";
  }
}
