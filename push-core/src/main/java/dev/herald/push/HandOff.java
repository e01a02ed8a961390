package dev.herald.push;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work decided under a connection's or a route's lock, started once the thread holds neither.
 * Thread-safe; each thread has its own scope.
 *
 * <p>Design notes. Code that takes a connection's or a route's lock and may need the executor, a
 * sink, the broker or application code opens a {@link Scope} first, records that work here ({@link
 * #drain}, {@link #afterUnlock}, {@link #execute}), and leaves the scope after releasing the lock;
 * the outermost scope of the thread then starts the work. Scopes nest: an inner one records into
 * the outer one, so the work waits until the thread holds no Herald lock at all. Deciding under the
 * lock and handing off after it is what makes an inline executor ({@code Runnable::run}) safe: its
 * tasks run on this thread, but only once the locks are released, so a sink write, a broker call or
 * a listener never runs under a Herald lock, and a broker that calls a route back under its own
 * lock cannot meet a route lock taken in the other order.
 *
 * <p>A route's walk ({@link ChannelRoute.Walk}) visits its first {@link #INLINE} subscribers on the
 * thread that starts it, usually the publisher's, rather than handing them to a drainer ({@link
 * Outboxes}). Handing a small fan-out to another thread costs more than writing it: the measured
 * cost of a chat-shaped load (10 subscribers per publish) fell from about 96 to 41 µs of server CPU
 * per delivery without the hand-off. The bound keeps a publish to many subscribers from holding the
 * publisher for long; sinks never block, so an inline write costs the publisher one non-blocking
 * write.
 */
final class HandOff {
  private static final Logger LOG = LoggerFactory.getLogger(HandOff.class);

  /** Subscribers a walk visits on the thread that starts it. */
  static final int INLINE = 32;

  private final ThreadLocal<Scope> current = new ThreadLocal<>();
  private final Executor executor;
  private final Outboxes outboxes;

  HandOff(Executor executor, Outboxes outboxes) {
    this.executor = executor;
    this.outboxes = outboxes;
  }

  /** Opens a scope on this thread; call before taking a lock, close after releasing it. */
  Scope open() {
    if (current.get() != null) {
      return Scope.NESTED;
    }
    Scope scope = new Scope(this);
    current.set(scope);
    return scope;
  }

  /** Runs the step under the lock, in a scope: what it decides starts after the lock. */
  void underLock(ReentrantLock lock, Runnable step) {
    try (Scope scope = open()) {
      lock.lock();
      try {
        step.run();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Drains the outbox on a drainer, started once this thread holds no lock. */
  void drain(Outbox outbox) {
    Scope scope = current.get();
    if (scope == null) {
      assert false : "an outbox was readied outside a hand-off scope";
      outboxes.add(outbox);
      startDrainer();
      return;
    }
    // Only memory: the chunk is queued when full or when the scope closes, and the drainer starts
    // when the scope closes.
    if (scope.chunk == null) {
      scope.chunk = new Outboxes.Chunk(Outboxes.BATCH);
    }
    if (scope.chunk.add(outbox)) {
      outboxes.add(scope.chunk);
      scope.chunk = null;
    }
    scope.startDrainer = true;
  }

  /** Hands the work to a drainer, started once this thread holds no lock. */
  void handOver(Outboxes.Work work) {
    Scope scope = current.get();
    outboxes.add(work);
    if (scope == null) {
      assert false : "work was handed over outside a hand-off scope";
      startDrainer();
      return;
    }
    scope.startDrainer = true;
  }

  /** Runs the action on this thread once it holds no Herald lock. */
  void afterUnlock(Runnable action) {
    Scope scope = current.get();
    if (scope == null) {
      assert false : "work was handed off outside a hand-off scope";
      action.run();
      return;
    }
    if (scope.actions == null) {
      scope.actions = new ArrayList<>(2);
    }
    scope.actions.add(action);
  }

  /** Runs the task on the executor once this thread holds no Herald lock; dropped if refused. */
  void execute(Runnable task) {
    afterUnlock(() -> executeNow(task));
  }

  /** Runs the task on the executor; for callers that hold no lock. Dropped if refused. */
  void executeNow(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      LOG.debug("The hub is closed: a task was dropped");
    }
  }

  private void finish(Scope scope) {
    // First, so that the work below opens scopes of its own when it takes locks. Cleared rather
    // than removed: a removed entry is allocated again by the next scope, once per message.
    current.set(null);
    if (scope.chunk != null) {
      outboxes.add(scope.chunk);
    }
    if (scope.startDrainer) {
      startDrainer();
    }
    if (scope.actions != null) {
      for (Runnable action : scope.actions) {
        try {
          action.run();
        } catch (RuntimeException e) {
          // An inline executor runs the task here: one failure must not drop the others.
          LOG.warn("A task handed off after a lock failed", e);
        }
      }
    }
  }

  private void startDrainer() {
    try {
      outboxes.startDrainer();
    } catch (RejectedExecutionException e) {
      // The hub is closing; its connections close without their outboxes.
    }
  }

  /**
   * What one thread handed off while it held Herald locks; closing the outermost scope starts it.
   * Not thread-safe; confined to its thread.
   */
  static final class Scope implements AutoCloseable {
    static final Scope NESTED = new Scope(null);

    private final HandOff owner;
    private Outboxes.Chunk chunk;
    private boolean startDrainer;
    private List<Runnable> actions;

    private Scope(HandOff owner) {
      this.owner = owner;
    }

    /** Starts what was handed off, if this is the thread's outermost scope. Call with no lock. */
    @Override
    public void close() {
      if (owner != null) {
        owner.finish(this);
      }
    }
  }
}
