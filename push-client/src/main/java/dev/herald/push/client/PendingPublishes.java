package dev.herald.push.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Publishes over the WebSocket that wait for the socket to open or for the server's {@code ack} or
 * {@code error} (matched by {@code ref}). Bounded by {@link #MAX}. Each future completes once, on
 * the callback thread, or fails after the request timeout. Guarded by the engine's lock: every
 * method is called with it held, and the timeouts it schedules take it themselves.
 */
final class PendingPublishes {
  /** The most publishes that may wait for an ack or for the socket to open. */
  static final int MAX = 1024;

  /** One publish: its frame, its future and its timeout. */
  static final class Pending {
    final String ref;
    final String channel;
    final String frame;
    final AckFuture future;
    ScheduledFuture<?> timeout;

    Pending(String ref, String channel, String frame, AckFuture future) {
      this.ref = ref;
      this.channel = channel;
      this.frame = frame;
      this.future = future;
    }
  }

  private final Dispatcher dispatcher;
  private final ScheduledExecutorService timer;
  private final Duration timeout;
  private final ReentrantLock lock;
  private final Map<String, Pending> awaitingAck = new HashMap<>();
  private final ArrayDeque<Pending> unsent = new ArrayDeque<>();
  private long nextRef;

  /**
   * @param timer runs the timeouts
   * @param timeout how long a publish may wait for its ack
   * @param lock the engine's lock, which guards this
   */
  PendingPublishes(
      Dispatcher dispatcher, ScheduledExecutorService timer, Duration timeout, ReentrantLock lock) {
    this.dispatcher = dispatcher;
    this.timer = timer;
    this.timeout = timeout;
    this.lock = lock;
  }

  /**
   * A new publish with its own ref and its timeout running, or {@code null} (the future failed) if
   * {@link #MAX} wait. Call {@link #sent} or {@link #hold} next.
   */
  Pending create(String channel, String event, JsonNode data, boolean ephemeral, AckFuture future) {
    if (awaitingAck.size() + unsent.size() >= MAX) {
      future.completeExceptionally(
          new HeraldException(
              "too_many_pending",
              MAX + " publishes already wait for the server",
              0,
              channel,
              null));
      return null;
    }
    String ref = "p" + (++nextRef);
    Pending p =
        new Pending(
            ref, channel, ClientFrames.publish(channel, event, data, ephemeral, ref), future);
    p.timeout = timer.schedule(() -> expire(p), timeout.toMillis(), TimeUnit.MILLISECONDS);
    return p;
  }

  /** The publish is on the wire: it waits for its ack. */
  void sent(Pending p) {
    awaitingAck.put(p.ref, p);
  }

  /** The socket is not open: the publish waits for it. */
  void hold(Pending p) {
    unsent.add(p);
  }

  /** Takes every held publish, now to be sent, as awaiting its ack. */
  List<Pending> release() {
    List<Pending> out = new ArrayList<>(unsent);
    unsent.clear();
    for (Pending p : out) {
      awaitingAck.put(p.ref, p);
    }
    return out;
  }

  /** Completes the publish an {@code ack} names; returns whether one did. */
  boolean ack(String ref, Ack ack) {
    Pending p = ref == null ? null : awaitingAck.remove(ref);
    if (p == null) {
      return false;
    }
    p.timeout.cancel(false);
    dispatcher.executeOrRun(() -> p.future.complete(ack));
    return true;
  }

  /** Fails the publish an {@code error} frame names; returns whether one did. */
  boolean refuse(String ref, Function<String, HeraldException> error) {
    Pending p = ref == null ? null : awaitingAck.remove(ref);
    if (p == null) {
      return false;
    }
    fail(p, error.apply(p.channel));
    return true;
  }

  /** The publish's timeout fired, on the timer thread: it fails if it still waits. */
  private void expire(Pending p) {
    lock.lock();
    try {
      if (awaitingAck.remove(p.ref) != null || unsent.remove(p)) {
        fail(
            p,
            new HeraldException(
                "timeout", "no acknowledgement within " + timeout, 0, p.channel, null));
      }
    } finally {
      lock.unlock();
    }
  }

  /** The socket closed: publishes on the wire may or may not be stored, so they fail. */
  void disconnected() {
    for (Pending p : awaitingAck.values()) {
      fail(
          p,
          new HeraldException(
              "disconnected",
              "the connection closed before the server acknowledged the publish; it may or may"
                  + " not have been stored",
              0,
              p.channel,
              null));
    }
    awaitingAck.clear();
  }

  /** The client closed: every publish fails. */
  void closed() {
    List<Pending> all = new ArrayList<>(awaitingAck.values());
    all.addAll(unsent);
    awaitingAck.clear();
    unsent.clear();
    for (Pending p : all) {
      fail(p, new HeraldException("closed", "the client is closed", 0, p.channel, null));
    }
  }

  private void fail(Pending p, HeraldException e) {
    p.timeout.cancel(false);
    dispatcher.executeOrRun(() -> p.future.completeExceptionally(e));
  }
}
