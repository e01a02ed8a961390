package dev.herald.push.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.Channel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a response that did not end within the hub's close timeout is given up on: a deadline on a
 * shared timer and, where the container lets us reach it, the TCP connection under the request,
 * which is then dropped with a reset so that neither the file descriptor nor the kernel's send
 * queue outlive it. Thread-safe.
 *
 * <p>Jetty 12 (ee10, embedded or with its classes visible to the webapp) serving HTTP/1.x, and
 * Tomcat (its socket reached by reflection, {@link TomcatConnections}): the connection's socket is
 * closed with {@code SO_LINGER} 0. Elsewhere (a multiplexed HTTP/2 connection, Jetty's classes
 * hidden, another container) the fallback completes the request, and the container closes the
 * connection in its own time.
 *
 * <p>Being where Herald checks that Jetty's classes are visible, it also finds Jetty's unbuffered
 * write for a stream ({@link #directWrite}).
 */
final class ConnectionAbort {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionAbort.class);

  /** Reaches one connection's socket under the container. */
  @FunctionalInterface
  interface Drop {
    /**
     * Drops the connection with a reset, or readies it to be reset when the caller completes the
     * request next (Tomcat); {@code false} if it could not be reached.
     */
    boolean drop();

    /**
     * Ends the connection's output (a FIN, sent once the peer has read what the socket holds) and
     * keeps it open, so that it can still be dropped; {@code false} if it could not be reached.
     */
    default boolean endOutput() {
      return false;
    }
  }

  /** Ends a TCP channel's output; {@code false} if it is not one or is closed. */
  static boolean endOutput(Channel channel) {
    try {
      if (channel instanceof SocketChannel socket) {
        socket.shutdownOutput();
        return true;
      }
      if (channel instanceof AsynchronousSocketChannel socket) {
        socket.shutdownOutput();
        return true;
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("Ending a connection's output failed: {}", e.toString());
    }
    return false;
  }

  /** The drop of a connection that cannot be reached: it only answers {@code false}. */
  static final Drop NONE = () -> false;

  private static final boolean JETTY = jettyVisible();

  private final ScheduledExecutorService timer;
  private final long timeoutMillis;

  ConnectionAbort(ScheduledExecutorService timer, Duration timeout) {
    this.timer = timer;
    this.timeoutMillis = timeout.toMillis();
  }

  /**
   * How to drop the connection under {@code request}; call it on the request's own thread, while
   * the container's objects belong to the request.
   */
  static Drop dropFor(HttpServletRequest request) {
    if (JETTY) {
      try {
        Drop drop = JettyConnections.dropFor(request);
        if (drop != null) {
          return drop;
        }
      } catch (RuntimeException | LinkageError e) {
        LOG.debug("No Jetty connection under the request: {}", e.toString());
      }
    }
    Drop drop = TomcatConnections.dropFor(request);
    return drop != null ? drop : NONE;
  }

  /**
   * Jetty's unbuffered write for a response's stream, or {@code null} where there is none (another
   * container, Jetty's classes hidden, a stream wrapped by a filter).
   */
  static AsyncOutput.DirectWrite directWrite(HttpServletRequest request, ServletOutputStream out) {
    if (JETTY) {
      try {
        return JettyConnections.directWrite(request, out);
      } catch (RuntimeException | LinkageError e) {
        LOG.debug("No Jetty output under the response: {}", e.toString());
      }
    }
    return null;
  }

  /** The close timeout, in milliseconds. */
  long timeoutMillis() {
    return timeoutMillis;
  }

  /**
   * Runs {@code expired} once the close timeout is over, unless cancelled; {@code null} if the
   * timer stopped.
   */
  ScheduledFuture<?> start(Runnable expired) {
    try {
      return timer.schedule(expired, timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // The servlet is being destroyed; the container closes what is left.
      return null;
    }
  }

  private static boolean jettyVisible() {
    ClassLoader loader = ConnectionAbort.class.getClassLoader();
    try {
      Class.forName("org.eclipse.jetty.ee10.servlet.ServletContextRequest", false, loader);
      Class.forName("org.eclipse.jetty.server.ConnectionMetaData", false, loader);
      Class.forName("org.eclipse.jetty.io.SocketChannelEndPoint", false, loader);
      Class.forName("org.eclipse.jetty.http.HttpVersion", false, loader);
      Class.forName("org.eclipse.jetty.ee10.servlet.HttpOutput", false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
