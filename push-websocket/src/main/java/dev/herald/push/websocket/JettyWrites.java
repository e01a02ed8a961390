package dev.herald.push.websocket;

import dev.herald.push.spi.Frame;
import dev.herald.push.spi.FrameSink;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.List;
import org.eclipse.jetty.ee10.websocket.jakarta.common.JakartaWebSocketSession;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.WebSocketConnection;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;

/**
 * Jetty 12 (ee10) only: writes a whole batch of frames with one network write, straight from their
 * UTF-8 bytes. Thread-safe.
 *
 * <p>The Jakarta API cannot do this without blocking: each {@code sendText} is its own write, a
 * text message must be a {@code String} (so the bytes are decoded only for the container to encode
 * them again), and ending a batch ({@code setBatchingAllowed(false)} or {@code flushBatch()}) waits
 * for the write. Jetty's own session queues every frame but the last in its aggregation buffer and
 * sends the last one unbatched, which flushes them all together, and calls back when the write is
 * done. Under load, when frames queue up per connection, a connection costs one system call per
 * batch instead of one per message.
 *
 * <p>On Jetty 12.1, a session that negotiated no extension has its frames handed straight to its
 * connection's frame queue ({@code WebSocketConnection.enqueueFrame}), the queue that Jetty's
 * session feeds: the session would only pass each frame through its own outgoing queue, one frame
 * at a time, and through an empty extension stack, which cost 2-5 % of the server's CPU per
 * delivery (docs/benchmarks.md). The connection's queue still writes frames whole and in order,
 * puts control frames between them, and fails what comes after a close frame. A session with an
 * extension (a browser that asked for {@code permessage-deflate}) keeps the session's path, so that
 * its frames are compressed as negotiated; so does Jetty 12.0, whose connection takes frames
 * another way.
 *
 * <p>It also aborts a session that did not close in time ({@link #abort()}).
 *
 * <p>{@link SocketSink} only loads this class once it has seen that the Jetty classes are visible,
 * so containers without them never touch it.
 */
final class JettyWrites {
  /** Whether Jetty's connection takes whole frame entries ({@code OutgoingEntry}, Jetty 12.1). */
  private static final boolean ENTRIES = entriesVisible();

  private final CoreSession core;

  /** The connection whose frame queue takes the data frames, or {@code null} for the session's. */
  private final WebSocketConnection connection;

  // Written by the one batch in flight's sender; see completion().
  private Completion completion;

  private JettyWrites(CoreSession core) {
    this.core = core;
    WebSocketConnection direct = null;
    if (ENTRIES
        && core instanceof WebSocketCoreSession session
        && session.getNegotiatedExtensions().isEmpty()) {
      direct = session.getConnection();
    }
    this.connection = direct;
  }

  private static boolean entriesVisible() {
    try {
      Class<?> entry =
          Class.forName(
              "org.eclipse.jetty.websocket.core.OutgoingEntry",
              false,
              JettyWrites.class.getClassLoader());
      WebSocketConnection.class.getMethod("enqueueFrame", entry);
      return true;
    } catch (ReflectiveOperationException | LinkageError e) {
      return false;
    }
  }

  /** Whether data frames go straight to the connection's frame queue. */
  boolean writesToConnection() {
    return connection != null;
  }

  /** The fast path for a Jetty ee10 session, or {@code null} for any other session. */
  static JettyWrites of(Session session) {
    return session instanceof JakartaWebSocketSession jetty
        ? new JettyWrites(jetty.getCoreSession())
        : null;
  }

  /** Sends the frames in order and then calls back exactly once. */
  void send(List<Frame> frames, FrameSink.WriteCallback done) {
    int last = frames.size() - 1;
    for (int i = 0; i < last; i++) {
      send(text(frames.get(i)), Callback.NOOP, true);
    }
    send(text(frames.get(last)), completion(done), false);
  }

  /** One data frame, to the connection's frame queue when it takes them, else to the session. */
  private void send(
      org.eclipse.jetty.websocket.core.Frame frame, Callback callback, boolean batch) {
    WebSocketConnection direct = connection;
    if (direct != null) {
      Entries.enqueue(direct, frame, callback, batch);
    } else {
      core.sendFrame(frame, callback, batch);
    }
  }

  /**
   * The one use of Jetty 12.1's {@code OutgoingEntry}: a class of its own, loaded only once {@link
   * #ENTRIES} has found it.
   */
  private static final class Entries {
    private Entries() {}

    static void enqueue(
        WebSocketConnection connection,
        org.eclipse.jetty.websocket.core.Frame frame,
        Callback callback,
        boolean batch) {
      connection.enqueueFrame(
          new org.eclipse.jetty.websocket.core.OutgoingEntry.Builder(frame, callback)
              .batch(batch)
              .build());
    }
  }

  /** The callback of the last frame: one per connection, since one batch is in flight at a time. */
  private Callback completion(FrameSink.WriteCallback done) {
    Completion c = completion;
    if (c == null || c.done != done) {
      completion = c = new Completion(done);
    }
    return c;
  }

  private static final class Completion implements Callback {
    final FrameSink.WriteCallback done;

    Completion(FrameSink.WriteCallback done) {
      this.done = done;
    }

    @Override
    public void succeeded() {
      done.succeeded();
    }

    @Override
    public void failed(Throwable cause) {
      done.failed(cause);
    }
  }

  /**
   * Queues a ping without waiting for it to be written: the core session orders it with the data
   * frames, and a failed ping shows up as a failed write or as the peer's silence.
   */
  void ping(ByteBuffer payload) {
    core.sendFrame(
        new org.eclipse.jetty.websocket.core.Frame(OpCode.PING, payload), Callback.NOOP, false);
  }

  /**
   * Drops the connection at once, without a close frame: with {@code SO_LINGER} 0, so that the
   * kernel discards what the peer never read instead of keeping it for minutes; then Jetty's own
   * abort, which fails the writes in flight and reports the close to the endpoint.
   */
  void abort() {
    if (core instanceof WebSocketCoreSession session) {
      WebSocketConnection connection = session.getConnection();
      if (connection != null && connection.getEndPoint() instanceof SocketChannelEndPoint socket) {
        try {
          socket.getChannel().setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException e) {
          // Closed meanwhile: the abort below is all there is to do.
        }
      }
    }
    core.abort();
  }

  private static org.eclipse.jetty.websocket.core.Frame text(Frame frame) {
    return new org.eclipse.jetty.websocket.core.Frame(OpCode.TEXT, ByteBuffer.wrap(frame.bytes()));
  }
}
