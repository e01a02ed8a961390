package dev.herald.push.client;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's callback thread: runs application callbacks one at a time in the order they were
 * queued, and pushes back on the transports when the application falls behind. Thread-safe.
 *
 * <p>Design notes. Transports read one frame at a time and ask {@link #whenReady} before reading
 * the next, so at most about {@code limit} callbacks wait here: a slow handler stops the reading,
 * TCP flow control stops the server, and the server's bounded outbox eventually closes the
 * connection as a slow consumer, after which the client resumes from its cursor. Nothing is queued
 * without bound.
 */
final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final ExecutorService thread;
  private final int limit;
  private final AtomicInteger queued = new AtomicInteger();
  private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();
  private volatile Thread callbackThread;

  Dispatcher(int limit) {
    this.limit = limit;
    String name = "herald-client-callbacks-" + THREADS.incrementAndGet();
    this.thread =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              callbackThread = t;
              return t;
            });
  }

  /** Queues a callback; it runs after every callback queued before it. Never blocks. */
  void execute(Runnable task) {
    queued.incrementAndGet();
    try {
      thread.execute(() -> run(task));
    } catch (RejectedExecutionException e) {
      queued.decrementAndGet();
      LOG.debug("A callback was dropped: the client is closed");
    }
  }

  private void run(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      LOG.warn("A Herald client callback threw; ignoring it", e);
    } finally {
      if (queued.decrementAndGet() <= limit / 2) {
        releaseWaiting();
      }
    }
  }

  /**
   * Runs {@code resume} now if fewer than the limit of callbacks wait, else once they have drained
   * to half the limit (on the callback thread). Transports pass "read the next frame" here.
   */
  void whenReady(Runnable resume) {
    if (queued.get() < limit) {
      resume.run();
      return;
    }
    waiting.add(resume);
    // The queue may have drained between the check and the add.
    if (queued.get() <= limit / 2) {
      releaseWaiting();
    }
  }

  private void releaseWaiting() {
    Runnable r;
    while ((r = waiting.poll()) != null) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.warn("Resuming a transport failed", e);
      }
    }
  }

  /**
   * Queues a callback that must run even after {@link #shutdown()}, such as completing a future:
   * then it runs on the caller's thread.
   */
  void executeOrRun(Runnable task) {
    queued.incrementAndGet();
    try {
      thread.execute(() -> run(task));
    } catch (RejectedExecutionException e) {
      queued.decrementAndGet();
      task.run();
    }
  }

  /** Whether the caller runs on this dispatcher's callback thread. */
  boolean isCallbackThread() {
    return Thread.currentThread() == callbackThread;
  }

  /** How many callbacks wait or run now. */
  int queued() {
    return queued.get();
  }

  /** Lets the callbacks already queued run, then stops the thread. */
  void shutdown() {
    thread.shutdown();
    waiting.clear();
  }
}
