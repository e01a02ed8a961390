package dev.herald.push;

import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.FrameSink;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's frames on their way to its {@link FrameSink}. Thread-safe through its
 * connection's lock, which some methods take and others expect held (see below).
 *
 * <p>Design notes. The outbox has no lock of its own: it shares its connection's, so that a frame
 * and the cursor update it implies are made in one critical section (see {@link ConnectionImpl}).
 * Methods marked "lock held" expect the caller to hold it and to have opened a {@link HandOff}
 * scope; {@link #drain}, the write callback and the size getters take it themselves.
 *
 * <p>The queue is bounded by frames and by bytes; past either bound the overflow policy applies:
 * {@code CLOSE} closes the connection as a slow consumer, {@code RESET} drops the queue and queues
 * a {@code reset} frame per channel instead. At most one {@link FrameSink#write} is in flight
 * ({@code writing}); each write takes everything queued, so a busy connection gets few large
 * writes, and the next write is readied from the completion of the previous one. {@code scheduled}
 * keeps the outbox in the drainers' queue at most once. Replays pace themselves on the outbox: they
 * stop at half its bounds and wait ({@link #whenDrained}) until a write completes below them.
 * {@link #closeWhenFlushed} lets an error frame reach the client before the connection closes.
 *
 * <p>The lock is never held across the sink, the executor or the connection's close: those run
 * after it is released, through the hand-off scope or on the calling thread.
 */
final class Outbox implements FrameSink.WriteCallback {
  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

  // An idle connection holds one outbox, so it keeps few fields: the bounds are read from the
  // settings, the callback of its writes is the outbox itself, and the queue starts small.
  private final ConnectionImpl connection;
  private final ReentrantLock lock;
  private final FrameSink sink;
  private final HandOff handOff;
  private final HubSettings settings;
  private final HubCounters counters;

  // Guarded by lock.
  private final ArrayDeque<Frame> queue = new ArrayDeque<>(3);
  private long queuedBytes;
  private boolean writing;
  private int writingFrames;
  private long writingBytes;
  private boolean scheduled;
  private CloseReason closeWhenFlushed;
  private List<Runnable> drainWaiters;

  Outbox(
      ConnectionImpl connection,
      ReentrantLock lock,
      FrameSink sink,
      HandOff handOff,
      HubSettings settings,
      HubCounters counters) {
    this.connection = connection;
    this.counters = counters;
    this.lock = lock;
    this.sink = sink;
    this.handOff = handOff;
    this.settings = settings;
  }

  /** The write in flight completed: readies the next one. Called by the sink, on any thread. */
  @Override
  public void succeeded() {
    int frames;
    long bytes;
    // The usual case, nothing queued meanwhile and nothing to wake: no hand-off scope is needed.
    lock.lock();
    try {
      if (queue.isEmpty()
          && closeWhenFlushed == null
          && (drainWaiters == null || drainWaiters.isEmpty())) {
        writing = false;
        frames = writingFrames;
        bytes = writingBytes;
      } else {
        frames = -1;
        bytes = 0;
      }
    } finally {
      lock.unlock();
    }
    if (frames >= 0) {
      counters.delivered(connection.format(), frames, bytes);
      return;
    }
    CloseReason flushed = null;
    try (HandOff.Scope scope = handOff.open()) {
      lock.lock();
      try {
        writing = false;
        frames = writingFrames;
        bytes = writingBytes;
        if (!queue.isEmpty()) {
          readyToDrain();
        } else if (closeWhenFlushed != null) {
          flushed = closeWhenFlushed;
        }
        if (drainWaiters != null && !drainWaiters.isEmpty() && hasRoomForReplay()) {
          for (Runnable waiter : drainWaiters) {
            handOff.execute(waiter);
          }
          drainWaiters.clear();
        }
      } finally {
        lock.unlock();
      }
    }
    counters.delivered(connection.format(), frames, bytes);
    if (flushed != null) {
      connection.close(flushed);
    }
  }

  /** The write in flight failed: the connection closes. Called by the sink, on any thread. */
  @Override
  public void failed(Throwable cause) {
    LOG.debug("Client {}: write failed: {}", connection.client().id(), cause.toString());
    // Also when already closing (say, after an error frame): close is idempotent.
    handOff.executeNow(() -> connection.close(CloseReason.CLIENT_GONE));
  }

  /** Queues the frame, or applies the overflow policy if it does not fit. Lock held. */
  void add(Frame frame) {
    assert lock.isHeldByCurrentThread();
    if (!fits(frame)) {
      overflow();
      return;
    }
    push(frame);
    readyToDrain();
  }

  /**
   * Queues the frame like {@link #add}, but leaves the write to the caller's {@link #takeBatch} (a
   * route's walk writes each connection as it goes). Lock held.
   */
  void queue(Frame frame) {
    assert lock.isHeldByCurrentThread();
    if (!fits(frame)) {
      overflow();
      return;
    }
    push(frame);
  }

  private boolean fits(Frame frame) {
    return queue.size() < settings.maxQueuedFrames()
        && queuedBytes + frame.size() <= settings.maxQueuedBytes();
  }

  private void push(Frame frame) {
    queue.add(frame);
    queuedBytes += frame.size();
  }

  private void overflow() {
    if (settings.overflowPolicy() == OverflowPolicy.RESET) {
      queue.clear();
      queuedBytes = 0;
      LOG.debug("Client {}: outbox full, resetting its channels", connection.client().id());
      for (Frame reset : connection.resetFrames()) {
        if (!fits(reset)) {
          connection.closeLater(CloseReason.SLOW_CONSUMER);
          return;
        }
        push(reset);
      }
      readyToDrain();
      return;
    }
    LOG.info("Client {}: outbox full, closing as a slow consumer", connection.client().id());
    connection.closeLater(CloseReason.SLOW_CONSUMER);
  }

  private void readyToDrain() {
    if (!writing && !scheduled) {
      scheduled = true;
      handOff.drain(this);
    }
  }

  /** Whether nothing is queued or being written. Lock held. */
  boolean isIdle() {
    return !writing && queue.isEmpty();
  }

  /**
   * Whether a replay may queue more: the outbox is below half its bounds, so a resume with a long
   * backlog does not overflow the outbox of a client that reads fine. Lock held.
   */
  boolean hasRoomForReplay() {
    return queue.size() < settings.maxQueuedFrames() / 2
        && queuedBytes < settings.maxQueuedBytes() / 2;
  }

  /** Runs the task on the executor once the outbox has room for more replayed frames. Lock held. */
  void whenDrained(Runnable task) {
    assert lock.isHeldByCurrentThread();
    if (hasRoomForReplay()) {
      handOff.execute(task);
    } else {
      if (drainWaiters == null) {
        drainWaiters = new ArrayList<>(2);
      }
      drainWaiters.add(task);
    }
  }

  /**
   * Asks for the connection to close with the reason once everything queued is written; returns
   * {@code true} if nothing is queued or on its way, so the caller closes it now. Lock held.
   */
  boolean closeWhenFlushed(CloseReason reason) {
    closeWhenFlushed = reason;
    return queue.isEmpty() && !writing && !scheduled;
  }

  /** Drops everything queued and every waiter; the connection is closing. Lock held. */
  void clear() {
    queue.clear();
    queuedBytes = 0;
    drainWaiters = null;
  }

  /** Writes everything queued, unless a write is in flight; called by drainers only. */
  void drain() {
    List<Frame> batch;
    lock.lock();
    try {
      scheduled = false;
      batch = takeBatch();
    } finally {
      lock.unlock();
    }
    if (batch != null) {
      write(batch);
    }
  }

  /**
   * Takes everything queued for one write, or {@code null} if nothing is queued, a write is in
   * flight, a drainer is to take it, or the connection closed; the caller then {@link #write}s it
   * once the lock is released. Lock held.
   */
  List<Frame> takeBatch() {
    if (writing || scheduled || connection.isClosed() || queue.isEmpty()) {
      return null;
    }
    // One frame is the usual batch below saturation.
    List<Frame> batch = queue.size() == 1 ? List.of(queue.poll()) : new ArrayList<>(queue);
    writingFrames = batch.size();
    writingBytes = queuedBytes;
    queue.clear();
    queuedBytes = 0;
    writing = true;
    return batch;
  }

  /**
   * Like {@link #queue} then {@link #takeBatch} for one frame, but when nothing is queued or being
   * written the frame goes straight into the batch: no store into the queue's array, which under G1
   * costs a dirtied card per delivery. Lock held.
   */
  List<Frame> takeOne(Frame frame) {
    if (writing || scheduled || !queue.isEmpty() || connection.isClosed() || !fits(frame)) {
      queue(frame);
      return takeBatch();
    }
    writingFrames = 1;
    writingBytes = frame.size();
    writing = true;
    return List.of(frame);
  }

  /** Writes a batch from {@link #takeBatch}; with no lock held. */
  void write(List<Frame> batch) {
    try {
      sink.write(batch, this);
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  int queuedFrames() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  long queuedBytes() {
    lock.lock();
    try {
      return queuedBytes;
    } finally {
      lock.unlock();
    }
  }
}
