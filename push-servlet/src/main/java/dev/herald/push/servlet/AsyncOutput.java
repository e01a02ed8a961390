package dev.herald.push.servlet;

import dev.herald.push.spi.FrameSink.WriteCallback;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The non-blocking response body of one async request: queues byte chunks from any thread and
 * writes them with {@link ServletOutputStream#isReady()} and a {@link WriteListener}, so that no
 * thread ever blocks on a slow client. Thread-safe.
 *
 * <p>Design notes. Every call into the container's stream or async context ({@code isReady}, {@code
 * write}, {@code flush}, {@code complete}) is made under {@link #lock}, and so are the container's
 * own async callbacks ({@link #containerCompleted()}, {@link #containerFailed()}), which mark the
 * output finished. Those calls never block (the stream is non-blocking), so the lock is only ever
 * held briefly; it is there because containers recycle request and response objects once a request
 * is over, and a hub thread that wrote a heartbeat just as the client went away would otherwise
 * write into, or complete, the next request on the same objects (seen on Tomcat). Callbacks of
 * queued writes run outside the lock. A chunk's callback succeeds only once its bytes are written
 * and flushed, so a client that stops reading stops the callbacks and the hub's bounded outbox does
 * the rest. When {@code isReady()} is false the caller leaves, and the container's {@link
 * #onWritePossible()} carries on.
 *
 * <p>A chunk goes to the container in one of two ways. The portable one writes it into the
 * response's stream and then flushes, asking {@code isReady()} before each. Where the container has
 * a write that hands bytes to the connection with a completion callback ({@link DirectWrite};
 * Jetty's, {@link JettyConnections#directWrite}), the chunk is written with that: no flush, no
 * {@code isReady()}, no {@link WriteListener}, and no buffer taken from the container's pool, which
 * a stream would otherwise hold for its whole life. One such write is in flight at a time; its
 * completion, on the writing thread if the connection took the bytes at once, or later on a
 * container thread, lets the next go.
 *
 * <p>Once the response is ending ({@link #end()}), it has the hub's close timeout to finish: a
 * client that stopped reading would otherwise keep the last write, and the connection under it,
 * pending until the container's idle timeout. When the timeout is over the output drops the
 * connection where the container lets it ({@link ConnectionAbort}) and completes the request.
 */
final class AsyncOutput implements WriteListener {
  private static final Logger LOG = LoggerFactory.getLogger(AsyncOutput.class);
  private static final WriteCallback NO_CALLBACK =
      new WriteCallback() {
        @Override
        public void succeeded() {}

        @Override
        public void failed(Throwable cause) {}
      };

  /**
   * A container's own non-blocking write that hands the bytes to the connection as they are, with
   * neither a response buffer nor the servlet stream's state between: no flush follows it, and
   * {@code isReady()} is never asked. One write at a time: the next starts only once {@code done}
   * heard of the last.
   */
  interface DirectWrite {
    /**
     * Starts writing {@code bytes} (none: sends the response headers); never blocks. {@code done}
     * hears exactly once, when the bytes are written or failed, possibly before this returns, on
     * the calling thread. The bytes stay the caller's until then, unchanged.
     */
    void write(byte[] bytes, Done done);

    /** Hears how a {@link DirectWrite} ended. */
    @FunctionalInterface
    interface Done {
      /** The write is over: written if {@code failure} is {@code null}. */
      void written(Throwable failure);
    }
  }

  private static final byte[] NO_BYTES = new byte[0];

  private final AsyncContext async;
  private final ServletOutputStream out;
  private final DirectWrite direct;
  private final Consumer<Throwable> onFailure;
  private final ConnectionAbort closeTimeout;
  private final ConnectionAbort.Drop drop;
  private final ReentrantLock lock = new ReentrantLock();

  // Guarded by lock.
  private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
  private final List<WriteCallback> queuedCallbacks = new ArrayList<>();
  private final List<WriteCallback> writtenCallbacks = new ArrayList<>();
  private boolean started;
  private boolean unflushed;
  private boolean ending;

  /** No more I/O: the response was completed, failed or aborted. */
  private boolean done;

  /** The container finished the request; its objects may belong to another request now. */
  private boolean finished;

  /** {@code isReady()} said no: only the container's {@code onWritePossible} goes on. */
  private boolean awaitingWritePossible;

  /**
   * {@code isReady()} said yes and nothing was written or flushed since: the next write needs no
   * new question, as the answer stays yes until a write (the container must still be asked after
   * each write, which also tells whether the write is over).
   */
  private boolean knownReady;

  /** Runs out the close timeout once the response is ending; {@code null} before or after. */
  private ScheduledFuture<?> deadline;

  /**
   * The hub gave up on the client while it was behind ({@link #giveUp}): once everything is written
   * the connection's output is ended and the response held, not completed, until the close timeout
   * drops its connection.
   */
  private boolean resetAtDeadline;

  /** Everything of a held response is written and its connection's output ended. */
  private boolean outputEnded;

  /** A {@link DirectWrite} was started and has not told {@link #directDone} yet. */
  private boolean directInFlight;

  /** This thread is inside {@link DirectWrite#write}: a completion now is that call's own. */
  private boolean directWriting;

  /** How the direct write that completed during its own call failed, for that call to handle. */
  private Throwable directFailure;

  /** One completion for every direct write of this output. */
  private final DirectWrite.Done directDone = this::directWritten;

  /**
   * Creates the output; nothing is written before {@link #start()}.
   *
   * @param commitAtStart whether to send the response headers as soon as it starts, even with no
   *     body yet (streaming responses)
   * @param onFailure told once, outside any lock, if a write fails
   */
  AsyncOutput(
      AsyncContext async,
      ServletOutputStream out,
      boolean commitAtStart,
      Consumer<Throwable> onFailure) {
    this(async, out, null, commitAtStart, onFailure, null, ConnectionAbort.NONE);
  }

  /**
   * Creates the output with a bound on its ending.
   *
   * @param direct the container's unbuffered write for this stream, or {@code null} to write and
   *     flush
   * @param closeTimeout starts the close timeout once the response is ending, or {@code null} for
   *     none
   * @param drop drops the connection under the request once the timeout is over
   */
  AsyncOutput(
      AsyncContext async,
      ServletOutputStream out,
      DirectWrite direct,
      boolean commitAtStart,
      Consumer<Throwable> onFailure,
      ConnectionAbort closeTimeout,
      ConnectionAbort.Drop drop) {
    this.async = async;
    this.out = out;
    this.direct = direct;
    this.unflushed = commitAtStart;
    this.onFailure = onFailure;
    this.closeTimeout = closeTimeout;
    this.drop = drop;
  }

  /** Switches the stream to non-blocking mode and starts writing what is queued. */
  void start() {
    lock.lock();
    try {
      if (finished) {
        return;
      }
      if (direct == null) {
        out.setWriteListener(this);
      }
      started = true;
    } finally {
      lock.unlock();
    }
    drive();
  }

  /**
   * Queues bytes; {@code callback} hears once they are flushed, or that they never will be. After
   * {@link #end()}, {@link #abort()} or a failure the bytes are dropped and the callback fails.
   */
  void write(byte[] bytes, WriteCallback callback) {
    WriteCallback cb = callback == null ? NO_CALLBACK : callback;
    lock.lock();
    if (ending || done) {
      lock.unlock();
      cb.failed(new ClosedChannelException());
      return;
    }
    if (direct != null
        && started
        && !directInFlight
        && !unflushed
        && chunks.isEmpty()
        && writtenCallbacks.isEmpty()) {
      writeAlone(bytes, cb);
      return;
    }
    chunks.add(bytes);
    queuedCallbacks.add(cb);
    // Written now, on this thread, unless a write is in flight or the output has not started.
    driveHeld();
  }

  /**
   * The usual delivery on a direct write: nothing waits before these bytes, so they go at once,
   * without a pass through the queue and the callback lists (each an object and an array more that
   * a delivery would touch, out of cache at a moderate load). Called with {@link #lock} held, and
   * releases it. What {@link #driveHeld} would do for one chunk, in the same order.
   */
  private void writeAlone(byte[] bytes, WriteCallback cb) {
    IOException failure = null;
    try {
      startDirect(bytes);
      if (directInFlight) {
        // The connection takes the bytes later: its completion, on a container thread once this
        // lock is free, tells the callback with the others.
        writtenCallbacks.add(cb);
        return;
      }
    } catch (IOException e) {
      failure = e;
    } catch (RuntimeException e) {
      failure = new IOException(e);
    } finally {
      lock.unlock();
    }
    if (failure == null) {
      cb.succeeded();
      return;
    }
    if (stop(false, failure)) {
      onFailure.accept(failure);
    }
    cb.failed(failure);
  }

  /**
   * Runs {@code action}, which sets response headers, unless the response is over; under the lock
   * so that it cannot touch a recycled response.
   */
  boolean ifLive(Runnable action) {
    lock.lock();
    try {
      if (done || finished) {
        return false;
      }
      action.run();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Completes the response once everything queued is written and flushed; if that takes longer than
   * the close timeout, drops the connection. Idempotent.
   */
  void end() {
    boolean arm;
    lock.lock();
    try {
      arm = closeTimeout != null && !ending && !done;
      ending = true;
    } finally {
      lock.unlock();
    }
    // Most responses end here and now, their last bytes taken by the socket at once: those never
    // touch the timer (scheduling and cancelling a deadline wakes the timer thread each time).
    drive();
    if (arm) {
      lock.lock();
      try {
        if (done) {
          return;
        }
      } finally {
        lock.unlock();
      }
      ScheduledFuture<?> timer = closeTimeout.start(this::closeTimedOut);
      boolean over;
      lock.lock();
      try {
        over = done;
        if (!over) {
          deadline = timer;
        }
      } finally {
        lock.unlock();
      }
      if (over && timer != null) {
        timer.cancel(false);
      }
    }
  }

  /**
   * Ends the response for a hub that gives up on its client, as {@link #end()} does, unless the
   * client is behind: the hub says so ({@code slowConsumer}), or a write is waiting for the
   * connection to take it. Then the socket taking the last bytes says nothing of the client reading
   * them, and closing it would leave the kernel keeping what it has not sent, for a client that may
   * never read it, for as long as it probes the peer. So once such a response is written, its
   * connection's output is ended (a client that reads it all sees the stream end cleanly, at once)
   * while the socket stays open, and the connection is reset when the close timeout is over, where
   * the container lets us reach it.
   */
  void giveUp(boolean slowConsumer) {
    lock.lock();
    try {
      if (closeTimeout != null
          && drop != ConnectionAbort.NONE
          && !ending
          && !done
          && (slowConsumer || directInFlight || awaitingWritePossible)) {
        resetAtDeadline = true;
      }
    } finally {
      lock.unlock();
    }
    end();
  }

  /**
   * The close timeout is over and the response has not ended: the client does not read. Drops the
   * connection, under the lock so that it still belongs to this request, and completes the request.
   */
  private void closeTimedOut() {
    boolean dropped;
    boolean held = false;
    lock.lock();
    try {
      deadline = null;
      if (done || finished) {
        return;
      }
      held = outputEnded;
      dropped = drop.drop();
    } catch (RuntimeException e) {
      LOG.debug("Dropping a connection failed: {}", e.toString());
      dropped = false;
    } finally {
      lock.unlock();
    }
    if (held) {
      // Held on purpose (giveUp): the client had the close timeout to read what the socket held.
      LOG.debug(
          "A stream given up on while its client was behind was {} after {} ms",
          dropped ? "reset" : "completed",
          closeTimeout.timeoutMillis());
    } else {
      LOG.info(
          "A response did not end within {} ms of closing; {}",
          closeTimeout.timeoutMillis(),
          dropped ? "its connection was reset" : "completing it");
    }
    if (stop(false, new TimeoutException("the close timeout is over"))) {
      onFailure.accept(new TimeoutException("the close timeout is over"));
    }
  }

  /** Completes the response at once, dropping what is not written; the client is gone. */
  void abort() {
    stop(false, null);
  }

  /** Whether the response was completed, failed or aborted. */
  boolean isDone() {
    lock.lock();
    try {
      return done;
    } finally {
      lock.unlock();
    }
  }

  /** The container reported {@code onComplete}: the request is over. */
  void containerCompleted() {
    stop(true, null);
  }

  /**
   * The container reported {@code onError} or {@code onTimeout}: completes the request, as the
   * listener must.
   */
  void containerFailed() {
    stop(false, null);
  }

  @Override
  public void onWritePossible() {
    lock.lock();
    try {
      awaitingWritePossible = false;
    } finally {
      lock.unlock();
    }
    drive();
  }

  @Override
  public void onError(Throwable t) {
    if (stop(false, t)) {
      onFailure.accept(t);
    }
  }

  /**
   * Ends all I/O, completing the request unless the container finished it already; returns whether
   * this call ended it. Callbacks still waiting fail with {@code cause}, or with a {@link
   * ClosedChannelException} if it is {@code null}.
   */
  private boolean stop(boolean containerFinished, Throwable cause) {
    boolean first;
    List<WriteCallback> dropped;
    ScheduledFuture<?> timer;
    lock.lock();
    try {
      first = !done;
      done = true;
      timer = deadline;
      deadline = null;
      ending = true;
      chunks.clear();
      dropped = new ArrayList<>(writtenCallbacks);
      dropped.addAll(queuedCallbacks);
      writtenCallbacks.clear();
      queuedCallbacks.clear();
      if (containerFinished) {
        finished = true;
      } else if (!finished) {
        finished = true;
        complete();
      }
    } finally {
      lock.unlock();
    }
    if (timer != null) {
      timer.cancel(false);
    }
    if (!dropped.isEmpty()) {
      // Made only when a callback hears it: every response that ends well passes here too.
      Throwable failure = cause != null ? cause : new ClosedChannelException();
      for (WriteCallback cb : dropped) {
        cb.failed(failure);
      }
    }
    return first;
  }

  private void drive() {
    lock.lock();
    driveHeld();
  }

  /**
   * Writes and flushes what is queued while the container takes it at once, then tells the
   * callbacks of what went out; called with {@link #lock} held, and releases it. Returns once
   * nothing is left that this call must do: a caller that queues more, or the container's {@link
   * #onWritePossible()}, drives again.
   */
  private void driveHeld() {
    while (true) {
      WriteCallback one = null;
      List<WriteCallback> many = null;
      Exception failure = null;
      ScheduledFuture<?> ended = null;
      boolean again;
      try {
        if (done || !started || awaitingWritePossible) {
          return;
        }
        if (direct != null) {
          if (!writeDirect()) {
            return;
          }
        } else {
          while (true) {
            if (!knownReady) {
              if (!out.isReady()) {
                // The container calls onWritePossible once it is.
                awaitingWritePossible = true;
                return;
              }
              knownReady = true;
            }
            if (!chunks.isEmpty()) {
              knownReady = false;
              out.write(takeChunks());
              unflushed = true;
            } else if (unflushed) {
              knownReady = false;
              unflushed = false;
              out.flush();
            } else {
              break;
            }
          }
        }
        // Everything written is flushed.
        int written = writtenCallbacks.size();
        if (written == 0) {
          if (ending && resetAtDeadline) {
            if (!outputEnded) {
              outputEnded = true;
              drop.endOutput();
            }
          } else if (ending) {
            done = true;
            finished = true;
            complete();
            ended = deadline;
            deadline = null;
          }
        } else if (written == 1) {
          one = writtenCallbacks.get(0);
        } else {
          many = new ArrayList<>(writtenCallbacks);
        }
        writtenCallbacks.clear();
        // An end() that came meanwhile found callbacks still to tell, and left completing to us.
        again = ending && written > 0;
      } catch (IOException | RuntimeException e) {
        failure = e;
        again = false;
      } finally {
        lock.unlock();
      }
      if (failure != null) {
        if (stop(false, failure)) {
          onFailure.accept(failure);
        }
        return;
      }
      if (ended != null) {
        ended.cancel(false);
      }
      if (one != null) {
        one.succeeded();
      } else if (many != null) {
        for (WriteCallback cb : many) {
          cb.succeeded();
        }
      }
      if (!again) {
        return;
      }
      lock.lock();
    }
  }

  /**
   * Starts direct writes of what is queued (first the headers, if the response must commit at
   * start) while each completes at once; called with {@link #lock} held. Returns whether everything
   * is written: false while a write is in flight, whose completion drives on.
   */
  private boolean writeDirect() throws IOException {
    while (!directInFlight) {
      if (chunks.isEmpty() && !unflushed) {
        return true;
      }
      byte[] bytes = chunks.isEmpty() ? NO_BYTES : takeChunks();
      // The write commits the response, and its bytes need no flush.
      unflushed = false;
      startDirect(bytes);
    }
    return false;
  }

  /**
   * Starts one direct write; called with {@link #lock} held. On return {@link #directInFlight} says
   * whether it is still going; one that failed at once throws.
   */
  private void startDirect(byte[] bytes) throws IOException {
    directInFlight = true;
    directWriting = true;
    try {
      direct.write(bytes, directDone);
    } finally {
      directWriting = false;
    }
    Throwable failed = directFailure;
    if (failed != null) {
      directFailure = null;
      throw failed instanceof IOException io ? io : new IOException(failed);
    }
  }

  /** A direct write is over: on the thread that started it, or later on a container thread. */
  private void directWritten(Throwable failure) {
    lock.lock();
    directInFlight = false;
    if (directWriting) {
      // Within direct.write, on the thread that called it: that thread carries on.
      directFailure = failure;
      lock.unlock();
      return;
    }
    if (failure != null) {
      lock.unlock();
      if (stop(false, failure)) {
        onFailure.accept(failure);
      }
      return;
    }
    driveHeld();
  }

  private byte[] takeChunks() {
    byte[] bytes;
    if (chunks.size() == 1) {
      bytes = chunks.poll();
    } else {
      int size = 0;
      for (byte[] c : chunks) {
        size += c.length;
      }
      bytes = new byte[size];
      int at = 0;
      for (byte[] c : chunks) {
        System.arraycopy(c, 0, bytes, at, c.length);
        at += c.length;
      }
      chunks.clear();
    }
    // One by one: addAll would copy the list into a new array on every write.
    for (int i = 0, n = queuedCallbacks.size(); i < n; i++) {
      writtenCallbacks.add(queuedCallbacks.get(i));
    }
    queuedCallbacks.clear();
    return bytes;
  }

  private void complete() {
    try {
      async.complete();
    } catch (IllegalStateException e) {
      // The container gave up on the request already: nothing left to end.
    }
  }
}
