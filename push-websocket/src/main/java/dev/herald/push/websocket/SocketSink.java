package dev.herald.push.websocket;

import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.FrameSink;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a connection's frames to its WebSocket session, each frame one text message, with one
 * asynchronous send in flight at a time. Thread-safe.
 *
 * <p>On Jetty 12 ee10, when its classes are visible, a batch goes out through {@link JettyWrites}:
 * one network write for all the frames queued since the last one, handed to the connection's frame
 * queue when the session negotiated no extension. Elsewhere each frame is its own {@code sendText}.
 *
 * <p>The hub never calls {@link #write} again before the previous write's callback, so the
 * container's own send queue never holds more than one of our messages: its queue is unbounded and
 * ours (the hub's outbox) is not. A send that completes inside {@code sendText} continues the batch
 * in a loop rather than by recursion, so a large batch cannot overflow the stack.
 *
 * <p>Closing can block in some containers (Tomcat writes the close frame with a blocking send), so
 * {@link #close} hands the session close to the {@code closer}, never to the caller's thread.
 *
 * <p>A close the server starts has the hub's close timeout to finish: the notice and the close
 * frame wait for the message in flight, which a peer that stopped reading never takes. If the
 * container has not reported the socket closed ({@link #peerClosed()}) when the timeout is over,
 * the connection is aborted: on Jetty at once, with a TCP reset ({@link JettyWrites#abort()});
 * elsewhere by a close frame sent on the closer, which Tomcat gives up after its abnormal-close
 * send timeout (set to the close timeout) and then closes the connection; on Tomcat with a TCP
 * reset, as its socket is readied for one when the close starts ({@link TomcatSockets}).
 */
final class SocketSink implements FrameSink {
  private static final Logger LOG = LoggerFactory.getLogger(SocketSink.class);
  private static final ByteBuffer PING = ByteBuffer.wrap(new byte[] {'h', 'b'});

  private static final boolean JETTY = jettyVisible();

  /** Runs a task once after a delay; the endpoint's timer. */
  @FunctionalInterface
  interface Timer {
    ScheduledFuture<?> schedule(Runnable task, long millis);
  }

  private final Session session;
  private final RemoteEndpoint.Async remote;
  private final JettyWrites jetty;
  // Written by the one write in flight's caller; see ended().
  private Ended ended;

  /*
   * Whether the opening ping went out, right behind the first write (ready), Jetty only; written
   * like ended. Its pong is the first sign that the client reads; and the first control frame then
   * goes through the container's write path while the JIT still profiles that path. Otherwise the
   * first ping round, one interval in, sends a control frame through code compiled for data frames
   * only, which discards that code: compiling it again cost a busy server a few hundred
   * milliseconds of CPU, measured.
   */
  private boolean pinged;
  private final Executor closer;
  private final Timer timer;
  private final long closeTimeoutMillis;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean peerClosed;

  /** Aborts the connection if the close has not finished in time; {@code null} when none runs. */
  private final AtomicReference<ScheduledFuture<?>> deadline = new AtomicReference<>();

  /** A close that waits for the write in flight, so that its notice is not sent beside it. */
  private final AtomicReference<Runnable> closeAfterWrite = new AtomicReference<>();

  /** When the message in flight was handed to the container ({@link System#nanoTime}), or 0. */
  private volatile long writeStartedNanos;

  /**
   * A ping asked for while a message was in flight: sent once that message is written, before the
   * next one; not on Jetty.
   */
  private final AtomicBoolean pingOwed = new AtomicBoolean();

  /** A sink whose closes are not bounded. */
  SocketSink(Session session, Executor closer) {
    this(session, closer, null, 0);
  }

  /**
   * @param timer runs the close timeout, or {@code null} for none
   * @param closeTimeoutMillis how long a close the server starts may take before the connection is
   *     aborted
   */
  SocketSink(Session session, Executor closer, Timer timer, long closeTimeoutMillis) {
    this.session = session;
    this.remote = session.getAsyncRemote();
    this.closer = closer;
    this.timer = timer;
    this.closeTimeoutMillis = closeTimeoutMillis;
    this.jetty = JETTY ? JettyWrites.of(session) : null;
  }

  private static boolean jettyVisible() {
    ClassLoader loader = SocketSink.class.getClassLoader();
    try {
      Class.forName(
          "org.eclipse.jetty.ee10.websocket.jakarta.common.JakartaWebSocketSession", false, loader);
      Class.forName("org.eclipse.jetty.websocket.core.CoreSession", false, loader);
      Class.forName("org.eclipse.jetty.util.Callback", false, loader);
      Class.forName("org.eclipse.jetty.websocket.core.WebSocketCoreSession", false, loader);
      Class.forName("org.eclipse.jetty.io.SocketChannelEndPoint", false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Whether batches go out through Jetty's own session, one network write each. */
  boolean writesBatches() {
    return jetty != null;
  }

  /**
   * Whether data frames go straight to Jetty's connection queue, past the session's (Jetty 12.1, no
   * extension negotiated).
   */
  boolean writesToConnection() {
    return jetty != null && jetty.writesToConnection();
  }

  @Override
  public void write(List<Frame> frames, WriteCallback callback) {
    writeStartedNanos = System.nanoTime() | 1;
    if (jetty == null || frames.isEmpty()) {
      new BatchSend(frames, callback).run();
      return;
    }
    if (closed.get()) {
      writeEnded();
      callback.failed(new IOException("the socket is closing"));
      return;
    }
    try {
      jetty.send(frames, ended(callback));
    } catch (RuntimeException e) {
      writeEnded();
      callback.failed(e);
      return;
    }
    if (!pinged) {
      pinged = true;
      pingNow();
    }
  }

  /**
   * The callback that ends a write and then calls {@code callback}: made once per connection, since
   * the hub's outbox passes itself with every write and has one write in flight at a time.
   */
  private WriteCallback ended(WriteCallback callback) {
    Ended e = ended;
    if (e == null || e.callback != callback) {
      ended = e = new Ended(callback);
    }
    return e;
  }

  private final class Ended implements WriteCallback {
    final WriteCallback callback;

    Ended(WriteCallback callback) {
      this.callback = callback;
    }

    @Override
    public void succeeded() {
      writeEnded();
      callback.succeeded();
    }

    @Override
    public void failed(Throwable cause) {
      writeEnded();
      callback.failed(cause);
    }
  }

  /**
   * When the message now in flight was handed to the container, in {@link System#nanoTime} terms,
   * or 0 if no write is in flight.
   */
  long writeStartedNanos() {
    return writeStartedNanos;
  }

  /**
   * Pings the peer, even while a write is in flight: a peer that reads steadily but stays behind,
   * so that a write to it is nearly always in flight, must still get pings to answer, or it would
   * be closed as idle. On Jetty the ping is queued with the data in flight without blocking ({@link
   * #pingBlocks()} is {@code false}). Elsewhere a ping blocks until it is handed to the network, as
   * the Jakarta API requires, so call it off the hub's threads; with a write in flight, call {@link
   * #pingAfterMessage()} instead, which does not block.
   */
  void ping() {
    if (jetty != null) {
      sendPing();
      return;
    }
    pingOwed.set(true);
    // A write that ended before the flag was set leaves the ping to be sent here; if both sides
    // miss it, the next write's first message or the next check sends it.
    if (writeStartedNanos == 0 && pingOwed.compareAndSet(true, false)) {
      sendPing();
    }
  }

  /**
   * Where a ping blocks: if a write is in flight, asks for a ping right after the message being
   * written, before the next one, so that no worker waits behind the message, and returns {@code
   * true}; the write's batch then hands the ping to a worker. Returns {@code false}, asking
   * nothing, when no write is in flight: then {@link #ping()} on a worker. Never blocks.
   */
  boolean pingAfterMessage() {
    if (jetty != null || writeStartedNanos == 0) {
      return false;
    }
    // If the write ends meanwhile, the next write's first message or the next check sends it.
    pingOwed.set(true);
    return true;
  }

  /**
   * On Jetty, pings at once, even with a write in flight (the core session queues the ping behind
   * it); elsewhere, where a ping blocks, does nothing.
   */
  private void pingNow() {
    if (jetty != null) {
      sendPing();
    }
  }

  private void sendPing() {
    if (closed.get() || !session.isOpen()) {
      return;
    }
    try {
      if (jetty != null) {
        jetty.ping(PING.duplicate());
      } else {
        remote.sendPing(PING.duplicate());
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("Ping failed on session {}: {}", session.getId(), e.toString());
    }
  }

  /** Whether {@link #ping()} may block, so that it belongs on a worker rather than the timer. */
  boolean pingBlocks() {
    return jetty == null;
  }

  /**
   * Records that the peer or the container has closed the session, so no close frame is sent and no
   * abort is needed.
   */
  void peerClosed() {
    peerClosed = true;
    ScheduledFuture<?> d = deadline.getAndSet(null);
    if (d != null) {
      d.cancel(false);
    }
  }

  @Override
  public void close(CloseReason reason) {
    if (!closed.compareAndSet(false, true) || peerClosed) {
      return;
    }
    jakarta.websocket.CloseReason frame = SocketCloseReasons.toWebSocket(reason);
    if (jetty == null && timer != null) {
      // Tomcat closes the connection by itself when a close does not go through (a blocking send
      // timed out, no reply to the close frame); ready its socket to be reset then, so that the
      // kernel does not keep what the peer never read. After a completed closing handshake
      // nothing is left unread, so the reset costs nothing.
      TomcatSockets.resetOnClose(session);
    }
    startCloseTimeout(frame);
    String notice = reason.retryMillis() > 0 ? SocketCloseReasons.notice(reason) : null;
    Runnable task =
        () -> {
          try {
            if (notice != null && session.isOpen()) {
              session.getBasicRemote().sendText(notice);
            }
          } catch (IOException | RuntimeException e) {
            LOG.debug("Notice to session {} failed: {}", session.getId(), e.toString());
          }
          try {
            if (session.isOpen()) {
              session.close(frame);
            }
          } catch (IOException | RuntimeException e) {
            LOG.debug("Closing session {} failed: {}", session.getId(), e.toString());
          }
        };
    Runnable handOver =
        () -> {
          try {
            closer.execute(task);
          } catch (RejectedExecutionException e) {
            task.run();
          }
        };
    if (notice == null) {
      handOver.run();
      return;
    }
    // The notice is a message of its own: it waits for the write in flight, if any. A write
    // started after `closed` was set sends nothing (see BatchSend), and one in flight runs the
    // close when it ends (writeEnded).
    closeAfterWrite.set(handOver);
    if (writeStartedNanos == 0) {
      runCloseAfterWrite();
    }
  }

  private void startCloseTimeout(jakarta.websocket.CloseReason frame) {
    if (timer == null) {
      return;
    }
    ScheduledFuture<?> d;
    try {
      d = timer.schedule(() -> closeTimedOut(frame), closeTimeoutMillis);
    } catch (RejectedExecutionException e) {
      // The endpoint is stopping; the container closes its sockets.
      return;
    }
    deadline.set(d);
    if (peerClosed && deadline.compareAndSet(d, null)) {
      d.cancel(false);
    }
  }

  /** The close timeout is over and the container has not reported the socket closed. Timer. */
  private void closeTimedOut(jakarta.websocket.CloseReason frame) {
    deadline.set(null);
    if (peerClosed) {
      return;
    }
    LOG.info(
        "Session {} did not close within {} ms; aborting its connection",
        session.getId(),
        closeTimeoutMillis);
    // The close still waiting for the write in flight gives way to the abort.
    closeAfterWrite.set(null);
    if (jetty != null) {
      try {
        jetty.abort();
        return;
      } catch (RuntimeException e) {
        LOG.debug("Aborting session {} failed: {}", session.getId(), e.toString());
      }
    }
    Runnable close =
        () -> {
          try {
            session.close(frame);
          } catch (IOException | RuntimeException e) {
            LOG.debug("Closing session {} failed: {}", session.getId(), e.toString());
          }
        };
    try {
      closer.execute(close);
    } catch (RejectedExecutionException e) {
      // The endpoint is stopping; the container closes its sockets.
    }
  }

  private void writeEnded() {
    writeStartedNanos = 0;
    if (closeAfterWrite.get() != null) {
      runCloseAfterWrite();
    }
  }

  private void runCloseAfterWrite() {
    Runnable close = closeAfterWrite.getAndSet(null);
    if (close != null) {
      close.run();
    }
  }

  /** One batch of frames, sent one after another. */
  private final class BatchSend implements SendHandler {
    private static final int SENDING = 0;
    private static final int RETURNED = 1;
    private static final int DONE_INLINE = 2;

    private final List<Frame> frames;
    private final WriteCallback callback;
    private final AtomicInteger state = new AtomicInteger();
    private int next;
    private volatile Throwable failure;

    BatchSend(List<Frame> frames, WriteCallback callback) {
      this.frames = frames;
      this.callback = callback;
    }

    /** Sends frames until one completes later, on another thread, or the batch is done. */
    void run() {
      while (true) {
        if (failure != null) {
          finish(failure);
          return;
        }
        if (next == frames.size()) {
          finish(null);
          return;
        }
        if (closed.get()) {
          // The rest would only queue up behind the close frame.
          finish(new IOException("the socket is closing"));
          return;
        }
        if (pingOwed.get() && pingOwed.compareAndSet(true, false) && pingThenRun()) {
          return;
        }
        String text = frames.get(next++).text();
        // The clock runs per message: a peer that reads slowly but steadily is not stalled.
        writeStartedNanos = System.nanoTime() | 1;
        state.set(SENDING);
        try {
          remote.sendText(text, this);
        } catch (RuntimeException e) {
          // A send that throws never calls the handler.
          finish(e);
          return;
        }
        if (state.compareAndSet(SENDING, RETURNED)) {
          return;
        }
      }
    }

    /**
     * Sends the ping asked for while a message was in flight, before the next message (of this
     * batch, or of the next write if that message was the batch's last), on a worker since it
     * blocks; then goes on with the batch. The write stays in flight meanwhile, so the send timeout
     * covers the ping too. Returns whether the worker took it.
     */
    private boolean pingThenRun() {
      try {
        closer.execute(
            () -> {
              sendPing();
              run();
            });
        return true;
      } catch (RejectedExecutionException e) {
        // The webapp is stopping; no ping then.
        return false;
      }
    }

    @Override
    public void onResult(SendResult result) {
      if (!result.isOK()) {
        Throwable cause = result.getException();
        failure = cause != null ? cause : new IOException("send failed");
      }
      if (!state.compareAndSet(SENDING, DONE_INLINE)) {
        run();
      }
    }

    private void finish(Throwable error) {
      writeEnded();
      if (error == null) {
        callback.succeeded();
      } else {
        callback.failed(error);
      }
    }
  }
}
