package dev.herald.push;

import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Connection;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.FrameSink;
import dev.herald.push.spi.WireFormat;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection and its outbox. Thread-safe.
 *
 * <p>Design notes. Every frame is queued under the connection's lock together with the cursor
 * update it implies, so the cursor each frame carries is exactly the position after the frames
 * before it, whichever threads deliver which channels. The queue is bounded by frames and bytes;
 * past either bound the overflow policy applies. Draining runs on the hub's executor, many outboxes
 * per task ({@link Outboxes}), with at most one {@link FrameSink#write} in flight per connection;
 * each write takes everything queued, so a busy connection gets few large writes. The lock is never
 * held across the sink, the broker or application code.
 */
final class ConnectionImpl implements Connection {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionImpl.class);

  private enum State {
    OPEN,
    CLOSING,
    CLOSED
  }

  private final Hub hub;
  private final Client client;
  private final WireFormat format;
  private final FrameSink sink;
  private final AtomicReference<State> state = new AtomicReference<>(State.OPEN);
  private final ReentrantLock lock = new ReentrantLock();

  // Guarded by lock.
  private final ArrayDeque<Frame> queue = new ArrayDeque<>();
  private long queuedBytes;
  private boolean writing;
  private boolean scheduled;
  private CloseReason closeWhenFlushed;
  private Cursor cursor = Cursor.empty();
  private final Map<String, Subscription> subscriptions = new HashMap<>();
  private final List<Runnable> drainWaiters = new ArrayList<>();

  private final FrameSink.WriteCallback onWritten =
      new FrameSink.WriteCallback() {
        @Override
        public void succeeded() {
          List<Runnable> waiters = List.of();
          CloseReason flushed = null;
          lock.lock();
          try {
            writing = false;
            if (!queue.isEmpty()) {
              scheduleDrain();
            } else if (closeWhenFlushed != null) {
              flushed = closeWhenFlushed;
            }
            if (!drainWaiters.isEmpty() && hasRoomForReplay()) {
              waiters = new ArrayList<>(drainWaiters);
              drainWaiters.clear();
            }
          } finally {
            lock.unlock();
          }
          for (Runnable waiter : waiters) {
            runLater(waiter);
          }
          if (flushed != null) {
            close(flushed);
          }
        }

        @Override
        public void failed(Throwable cause) {
          LOG.debug("Client {}: write failed: {}", client.id(), cause.toString());
          // Also when already closing (say, after an error frame): close is idempotent.
          runLater(() -> close(CloseReason.CLIENT_GONE));
        }
      };

  ConnectionImpl(Hub hub, Client client, WireFormat format, FrameSink sink) {
    this.hub = hub;
    this.client = client;
    this.format = format;
    this.sink = sink;
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
  public CompletionStage<Void> subscribe(String channel, Position since) {
    return prepare(channel, since)
        .thenAccept(
            sub -> {
              if (sub != null) {
                if (format.subscribedFrames()) {
                  lock.lock();
                  try {
                    enqueue(
                        FrameEncoder.subscribed(format, channel, sub.position, cursor.encode()));
                  } finally {
                    lock.unlock();
                  }
                }
                start(sub);
              }
            });
  }

  /** Checks that the connection may subscribe to the channel; throws if not. */
  void checkSubscribe(String channel) {
    Names.checkChannel(channel);
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
  }

  /**
   * Registers a subscription and finds its start position; the stage yields {@code null} if the
   * connection unsubscribed or closed meanwhile.
   */
  CompletionStage<Subscription> prepare(String channel, Position since) {
    checkSubscribe(channel);
    Subscription sub =
        new Subscription(this, channel, new Member(client.id(), client.user(), Instant.now()));
    sub.route = hub.acquireRoute(channel);
    lock.lock();
    try {
      if (state.get() != State.OPEN) {
        throw new PushException(ErrorCode.UNAVAILABLE, "the connection is closed");
      }
      if (subscriptions.containsKey(channel)) {
        throw new PushException(ErrorCode.BAD_REQUEST, "already subscribed to " + channel);
      }
      int max = hub.settings().maxChannelsPerConnection();
      if (subscriptions.size() >= max) {
        throw new PushException(
            ErrorCode.TOO_MANY_CHANNELS, "a connection may hold at most " + max + " channels");
      }
      subscriptions.put(channel, sub);
    } catch (PushException e) {
      hub.releaseRoute(sub.route);
      throw e;
    } finally {
      lock.unlock();
    }
    CompletionStage<Position> start =
        since != null ? CompletableFuture.completedFuture(since) : hub.broker().position(channel);
    return start.handle(
        (position, error) -> {
          lock.lock();
          try {
            if (subscriptions.get(channel) == sub && error == null) {
              sub.position = position;
              cursor = cursor.with(channel, position);
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

  /** Starts a prepared subscription's replay and live feed. */
  void start(Subscription sub) {
    hub.joined(sub);
    sub.route.attach(sub);
  }

  @Override
  public boolean unsubscribe(String channel) {
    Subscription sub;
    lock.lock();
    try {
      sub = subscriptions.remove(channel);
      if (sub != null) {
        cursor = cursor.without(channel);
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
      return cursor;
    } finally {
      lock.unlock();
    }
  }

  // ---- frames in

  void offerMessage(Subscription sub, EncodedMessage encoded) {
    Message m = encoded.message;
    lock.lock();
    try {
      if (state.get() != State.OPEN || subscriptions.get(sub.channel) != sub) {
        return;
      }
      Position p = sub.position;
      if (m.epoch().equals(p.epoch()) && m.offset() <= p.offset()) {
        return;
      }
      Position next = m.position();
      sub.position = next;
      cursor = cursor.with(sub.channel, next);
      enqueue(FrameEncoder.message(format, encoded, cursor.encode()));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Queues a message replayed from history, unless the outbox is half full: then it returns {@code
   * false} and the caller waits for {@link #whenDrained} before replaying more. This keeps a resume
   * with a long backlog from overflowing the outbox of a client that reads fine.
   */
  boolean offerReplayed(Subscription sub, EncodedMessage encoded) {
    lock.lock();
    try {
      if (state.get() == State.OPEN && !hasRoomForReplay()) {
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
      if (state.get() != State.OPEN) {
        return;
      }
      if (!hasRoomForReplay()) {
        drainWaiters.add(task);
        return;
      }
    } finally {
      lock.unlock();
    }
    runLater(task);
  }

  private boolean hasRoomForReplay() {
    return queue.size() < hub.settings().maxQueuedFrames() / 2
        && queuedBytes < hub.settings().maxQueuedBytes() / 2;
  }

  private void runLater(Runnable task) {
    try {
      hub.executor().execute(task);
    } catch (RejectedExecutionException e) {
      LOG.debug("Client {}: hub closed, task dropped", client.id());
    }
  }

  void offerReset(Subscription sub, Position head) {
    lock.lock();
    try {
      if (state.get() != State.OPEN || subscriptions.get(sub.channel) != sub) {
        return;
      }
      sub.position = head;
      cursor = cursor.with(sub.channel, head);
      enqueue(FrameEncoder.reset(format, sub.channel, head, cursor.encode()));
    } finally {
      lock.unlock();
    }
  }

  void sendReady() {
    lock.lock();
    try {
      enqueue(FrameEncoder.ready(format, client.id(), cursor.encode()));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void sendAck(String ref, Message message) {
    offerControl(FrameEncoder.ack(format, ref, message));
  }

  @Override
  public void sendError(PushException error, String ref) {
    offerControl(FrameEncoder.error(format, error, ref));
  }

  @Override
  public void sendPong() {
    offerControl(FrameEncoder.pong(format));
  }

  /** Queues a heartbeat if nothing else is queued or being written. */
  void heartbeat() {
    lock.lock();
    try {
      if (state.get() == State.OPEN && !writing && queue.isEmpty()) {
        enqueue(FrameEncoder.heartbeat(format));
      }
    } finally {
      lock.unlock();
    }
  }

  private void offerControl(Frame frame) {
    lock.lock();
    try {
      enqueue(frame);
    } finally {
      lock.unlock();
    }
  }

  private void enqueue(Frame frame) {
    if (state.get() != State.OPEN) {
      return;
    }
    if (queue.size() >= hub.settings().maxQueuedFrames()
        || queuedBytes + frame.size() > hub.settings().maxQueuedBytes()) {
      overflow();
      return;
    }
    queue.add(frame);
    queuedBytes += frame.size();
    scheduleDrain();
  }

  private void overflow() {
    if (hub.settings().overflowPolicy() == OverflowPolicy.RESET) {
      queue.clear();
      queuedBytes = 0;
      LOG.debug("Client {}: outbox full, resetting its channels", client.id());
      for (Subscription sub : subscriptions.values()) {
        Position p = sub.position;
        if (p != null) {
          Frame reset = FrameEncoder.reset(format, sub.channel, p, cursor.encode());
          if (queue.size() < hub.settings().maxQueuedFrames()
              && queuedBytes + reset.size() <= hub.settings().maxQueuedBytes()) {
            queue.add(reset);
            queuedBytes += reset.size();
          } else {
            closeLater(CloseReason.SLOW_CONSUMER);
            return;
          }
        }
      }
      scheduleDrain();
      return;
    }
    LOG.info("Client {}: outbox full, closing as a slow consumer", client.id());
    closeLater(CloseReason.SLOW_CONSUMER);
  }

  // ---- frames out

  private void scheduleDrain() {
    if (!writing && !scheduled) {
      scheduled = true;
      try {
        hub.outboxes().submit(this);
      } catch (RejectedExecutionException e) {
        scheduled = false;
      }
    }
  }

  /** Writes everything queued; called by {@link Outboxes} only. */
  void drain() {
    List<Frame> batch;
    lock.lock();
    try {
      scheduled = false;
      if (writing || state.get() == State.CLOSED || queue.isEmpty()) {
        return;
      }
      batch = new ArrayList<>(queue);
      queue.clear();
      queuedBytes = 0;
      writing = true;
    } finally {
      lock.unlock();
    }
    try {
      sink.write(batch, onWritten);
    } catch (RuntimeException e) {
      onWritten.failed(e);
    }
  }

  @Override
  public int queuedFrames() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long queuedBytes() {
    lock.lock();
    try {
      return queuedBytes;
    } finally {
      lock.unlock();
    }
  }

  // ---- client publish

  @Override
  public CompletionStage<Message> publish(String channel, String event, String data) {
    return hub.clientPublish(client, channel, event, data);
  }

  // ---- lifecycle

  @Override
  public boolean isOpen() {
    return state.get() == State.OPEN;
  }

  /**
   * Sends an {@code error} frame, then closes once everything queued before it is written: for
   * failures the client should hear about, such as a broker that cannot be reached. New frames are
   * no longer queued.
   */
  void failAndClose(PushException error, CloseReason reason) {
    boolean now;
    lock.lock();
    try {
      if (state.get() != State.OPEN) {
        return;
      }
      enqueue(FrameEncoder.error(format, error, null));
      state.set(State.CLOSING);
      closeWhenFlushed = reason;
      now = queue.isEmpty() && !writing && !scheduled;
    } finally {
      lock.unlock();
    }
    if (now) {
      close(reason);
    }
  }

  /** Closes on the executor: for callers that hold a route's lock. */
  void closeLater(CloseReason reason) {
    if (state.compareAndSet(State.OPEN, State.CLOSING)) {
      try {
        hub.executor().execute(() -> close(reason));
      } catch (RejectedExecutionException e) {
        close(reason);
      }
    }
  }

  @Override
  public void close(CloseReason reason) {
    State previous = state.getAndSet(State.CLOSED);
    if (previous == State.CLOSED) {
      return;
    }
    List<Subscription> subs;
    lock.lock();
    try {
      queue.clear();
      queuedBytes = 0;
      drainWaiters.clear();
      subs = new ArrayList<>(subscriptions.values());
      subscriptions.clear();
    } finally {
      lock.unlock();
    }
    for (Subscription sub : subs) {
      release(sub);
    }
    hub.removeConnection(this);
    LOG.debug("Client {} closed: {}", client.id(), reason.code());
    try {
      sink.close(reason);
    } catch (RuntimeException e) {
      LOG.warn("Client {}: transport failed to close", client.id(), e);
    }
  }

  @Override
  public String toString() {
    return "Connection[" + client.id() + ", " + format + "]";
  }
}
