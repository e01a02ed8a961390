package dev.herald.push.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One connection attempt over one transport, from its request to its end. A link never reconnects:
 * the {@link Connector} makes a new one. Thread-safe.
 */
abstract class Link {
  final LinkContext context;
  private final Transport transport;
  private final AtomicBoolean ended = new AtomicBoolean();
  private final long startedNanos = System.nanoTime();
  private volatile boolean stopped;
  private volatile long lastHeardNanos = startedNanos;
  private volatile long lastPingNanos;
  private volatile long replyAwaitedSinceNanos;
  private volatile long respondedNanos;
  private volatile RetryHint hint;

  /**
   * Set by the engine, under its lock, when the server's ready frame came; volatile for the
   * liveness check, which reads it without the lock.
   */
  volatile boolean ready;

  Link(LinkContext context, Transport transport) {
    this.context = context;
    this.transport = transport;
  }

  Transport transport() {
    return transport;
  }

  /** Starts the request; reports to the listener from then on. Never blocks. */
  abstract void start();

  /** Ends the link from the client's side; the listener hears nothing more from it. Idempotent. */
  final void stop() {
    stopped = true;
    ended.set(true);
    abort();
  }

  /** Releases the connection. */
  abstract void abort();

  /** Queues a client frame; only two-way links take frames. Call {@link #flush()} after. */
  void send(String frame) {
    throw new UnsupportedOperationException(transport + " carries no client frames");
  }

  /** Starts sending queued frames if no send is in flight. */
  void flush() {}

  /**
   * Notes the server's hint that it ends or refuses this link for a while only; a later hint
   * replaces an earlier one unless it names no window and the earlier one did.
   */
  void hint(RetryHint h) {
    RetryHint old = hint;
    if (h != null && (old == null || h.windowMillis() >= 0 || old.windowMillis() < 0)) {
      hint = h;
    }
  }

  /** The server's retry hint for this link, or {@code null}. */
  RetryHint hint() {
    return hint;
  }

  /** Notes that the response headers of a streaming request arrived (status 200). */
  void responded() {
    long now = System.nanoTime();
    respondedNanos = now == 0 ? 1 : now;
  }

  /**
   * When the streaming response's headers arrived, or {@code 0} if they have not (or the link does
   * not stream).
   */
  long respondedNanos() {
    return respondedNanos;
  }

  /** When the link was made, on {@link System#nanoTime()}'s scale. */
  long startedNanos() {
    return startedNanos;
  }

  /** Whether {@link Liveness} should drop the link after a silence of the idle timeout. */
  boolean watchesIdle() {
    return true;
  }

  boolean stopped() {
    return stopped;
  }

  void heard() {
    lastHeardNanos = System.nanoTime();
    replyAwaitedSinceNanos = 0;
  }

  /**
   * Notes that a frame which the server answers (subscribe, ping) is being sent: unless something
   * arrives within the connect timeout, {@link Liveness} takes the socket for dead. The JDK's
   * WebSocket can miss a close that comes right after the handshake; this is how the client finds
   * out.
   */
  void expectReply(long nowNanos) {
    if (replyAwaitedSinceNanos == 0) {
      replyAwaitedSinceNanos = nowNanos == 0 ? 1 : nowNanos;
    }
  }

  /** When the oldest unanswered frame was sent, or {@code 0} if nothing awaits an answer. */
  long replyAwaitedSinceNanos() {
    return replyAwaitedSinceNanos;
  }

  long lastHeardNanos() {
    return lastHeardNanos;
  }

  long lastPingNanos() {
    return lastPingNanos;
  }

  void pinged(long nanos) {
    lastPingNanos = nanos;
  }

  /** Reports the end once, unless the client stopped the link. */
  final void end(String reason, HeraldException failure) {
    if (ended.compareAndSet(false, true)) {
      abort();
      context.listener().closed(this, reason, failure);
    }
  }

  /** A failure of the request or the connection as a client exception. */
  static HeraldException connectFailure(String what, Throwable error) {
    Throwable e = unwrap(error);
    if (e instanceof HeraldException h) {
      return h;
    }
    if (e instanceof HttpTimeoutException) {
      return new HeraldException(
          "timeout", what + " request timed out: " + e.getMessage(), 0, null, e);
    }
    String how =
        e instanceof ConnectException
            ? "could not connect"
            : e instanceof IOException ? "connection failed" : "request failed";
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new HeraldException("connect_failed", what + " " + how + ": " + detail, 0, null, e);
  }

  static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  @Override
  public String toString() {
    return transport.wireName() + "@" + Integer.toHexString(System.identityHashCode(this));
  }
}
