package dev.herald.push.spring.boot;

import dev.herald.push.PushHub;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Ends Herald's connections when the application context stops, before the web server stops, so
 * that every client is told why and resumes from its cursor instead of seeing a dropped socket.
 *
 * <ul>
 *   <li>With {@code server.shutdown=graceful} (Spring Boot's default) the hub is drained: new
 *       connections are refused (503 with {@code Retry-After}), its health turns {@code DOWN}, and
 *       the open ones are closed over {@code herald.shutdown.drain-window} with {@code
 *       server_restart} and a reconnect hint, so clients come back to other nodes a few at a time.
 *       Without it, the server's graceful shutdown would wait for streams that never end on their
 *       own, then cut them.
 *   <li>With {@code server.shutdown=immediate} the hub is closed at once: every connection ends
 *       with {@code server_shutdown}.
 * </ul>
 *
 * <p>Either way the stop then waits, up to the hub's close timeout ({@code herald.close-timeout})
 * after the last connection was closed, for the WebSocket close handshakes to finish, since the web
 * server's own stop would otherwise cut sockets whose close frame is still on its way.
 */
final class HeraldShutdown implements SmartLifecycle {
  /**
   * Spring Boot's graceful shutdown of the web server stops at {@code DEFAULT_PHASE - 1024}, and
   * the server itself at {@code DEFAULT_PHASE - 2048}; a higher phase stops earlier, so Herald's
   * connections are ended first.
   */
  static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

  private static final Logger LOG = LoggerFactory.getLogger(HeraldShutdown.class);
  private static final long CHECK_EVERY_MS = 20;

  private final PushHub hub;
  private final Duration drainWindow;
  private final Duration socketWait;
  private final IntSupplier openSockets;
  private volatile boolean running;

  /**
   * @param drainWindow how long to drain over, or null to close at once
   * @param socketWait how long to wait for sockets to finish closing afterwards
   * @param openSockets how many WebSocket connections are still open
   */
  HeraldShutdown(PushHub hub, Duration drainWindow, Duration socketWait, IntSupplier openSockets) {
    if (drainWindow != null && drainWindow.isNegative()) {
      throw new IllegalArgumentException(
          "herald.shutdown.drain-window must be zero or more, was " + drainWindow);
    }
    this.hub = hub;
    this.drainWindow = drainWindow;
    this.socketWait = socketWait;
    this.openSockets = openSockets;
  }

  @Override
  public void start() {
    running = true;
  }

  /** Ends the connections without waiting; Spring calls {@link #stop(Runnable)} instead. */
  @Override
  public void stop() {
    stop(() -> {});
  }

  @Override
  public void stop(Runnable callback) {
    running = false;
    CompletionStage<?> ended;
    if (drainWindow != null) {
      ended = hub.drain(drainWindow); // the hub logs the drain
    } else {
      hub.close();
      ended = CompletableFuture.completedFuture(null);
    }
    ended
        .exceptionally(
            error -> {
              LOG.warn("Herald's drain failed; the hub's close ends what is left", error);
              return null;
            })
        .thenCompose(ignored -> socketsClosed(System.nanoTime() + socketWait.toNanos()))
        .whenComplete((ignored, error) -> callback.run());
  }

  /** Completes once no WebSocket is open any more, or at the deadline. */
  private CompletableFuture<Void> socketsClosed(long deadline) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Executor later = CompletableFuture.delayedExecutor(CHECK_EVERY_MS, TimeUnit.MILLISECONDS);
    Runnable check =
        new Runnable() {
          @Override
          public void run() {
            int open = openSockets.getAsInt();
            if (open == 0) {
              done.complete(null);
            } else if (System.nanoTime() - deadline >= 0) {
              LOG.warn("{} WebSockets still closing; the web server's stop ends them", open);
              done.complete(null);
            } else {
              later.execute(this);
            }
          }
        };
    check.run();
    return done;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  /** A drained or closed hub takes no new clients again: this is for the last stop only. */
  public boolean isPauseable() {
    return false;
  }
}
