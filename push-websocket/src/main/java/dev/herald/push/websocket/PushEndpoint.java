package dev.herald.push.websocket;

import dev.herald.push.Client;
import dev.herald.push.Cursor;
import dev.herald.push.ErrorCode;
import dev.herald.push.Position;
import dev.herald.push.Publication;
import dev.herald.push.PushException;
import dev.herald.push.spi.ClientFrame;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Connection;
import dev.herald.push.spi.TransportContext;
import dev.herald.push.spi.WireFormat;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's WebSocket: it turns the client's JSON frames into hub calls and the hub's frames
 * into text messages. {@link PushWebSocket#register} creates one per socket, after the handshake
 * checks passed; applications never create or subclass it (it is final and its constructor is
 * package-private). It is public only because containers may require endpoint classes to be: Jetty
 * 12 refuses the upgrade of a non-public one even though the handshake's configurator creates every
 * instance. Thread-safe.
 *
 * <p>The container delivers a socket's messages one at a time; their handling never blocks and
 * never runs application code on the container's thread except the {@code Authorizer}. What the
 * client is sent goes through the hub's bounded outbox with one send in flight.
 */
public final class PushEndpoint extends Endpoint {
  private static final Logger LOG = LoggerFactory.getLogger(PushEndpoint.class);

  /**
   * Tomcat's per-session limits, in milliseconds, on blocking sends (pings, a 1000 close) and on
   * sending any other close frame, which waits behind a message in flight; Tomcat's default for the
   * latter, 50 ms, would drop a slow reader's connection before its close frame could tell it why.
   * Other containers ignore these keys.
   */
  private static final String TOMCAT_BLOCKING_SEND_TIMEOUT =
      "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

  private static final String TOMCAT_CLOSE_SEND_TIMEOUT =
      "org.apache.tomcat.websocket.ABNORMAL_SESSION_CLOSE_SEND_TIMEOUT";

  /** Tomcat's wait, in milliseconds, for the peer's close frame after ours was sent. */
  private static final String TOMCAT_SESSION_CLOSE_TIMEOUT =
      "org.apache.tomcat.websocket.SESSION_CLOSE_TIMEOUT";

  /** Boxed once: each session's properties would hold two boxes of their own. */
  private static final Long BLOCKING_SEND_TIMEOUT_MILLIS = 5000L;

  private static final VarHandle COUNTED;

  static {
    try {
      COUNTED = MethodHandles.lookup().findVarHandle(PushEndpoint.class, "counted", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // One per open socket, so it keeps few fields: the transport and the options are the
  // endpoint's, and the socket count's flag is a field changed by CAS, not an atomic object.
  private final PushWebSocket endpoint;
  private final Client client;
  private volatile boolean counted;
  private volatile SocketSink sink;
  private volatile Connection connection;
  private volatile ScheduledFuture<?> watch;
  private volatile long lastHeardNanos;
  private FrameRateLimiter limiter;

  PushEndpoint(PushWebSocket endpoint, Client client) {
    this.endpoint = endpoint;
    this.client = client;
  }

  private TransportContext transport() {
    return endpoint.transport();
  }

  private PushWebSocketOptions options() {
    return endpoint.options();
  }

  /** Starts the connection: the client receives {@code ready} at once. Container thread. */
  @Override
  public void onOpen(Session session, EndpointConfig config) {
    PushWebSocketOptions options = options();
    TransportContext transport = transport();
    lastHeardNanos = System.nanoTime();
    limiter =
        new FrameRateLimiter(
            options.maxFrameRate(),
            options.frameBurst(),
            options.maxRateLimitedFrames(),
            lastHeardNanos);
    session.setMaxTextMessageBufferSize(options.maxFrameBytes());
    // Binary frames are refused on their first part, so there is nothing to buffer.
    session.setMaxBinaryMessageBufferSize(1024);
    // The container's own idle timeout is only a backstop for a socket our checks cannot reach.
    session.setMaxIdleTimeout(options.idleTimeout().toMillis() + options.sendTimeout().toMillis());
    // No container send timeout: Tomcat's drops the connection without a close frame. Our check
    // closes a stalled socket with slow_consumer instead.
    KeepAlive keepAlive = endpoint.keepAlive();
    long closeTimeout = transport.closeTimeout().toMillis();
    if (isTomcat(session)) {
      session.getUserProperties().put(TOMCAT_BLOCKING_SEND_TIMEOUT, BLOCKING_SEND_TIMEOUT_MILLIS);
      // A close the server starts is bounded by the hub's close timeout (SocketSink); on Tomcat
      // the close frame's send and the wait for the peer's reply are too, and Tomcat then drops
      // the connection.
      Long closeTimeoutMillis = closeTimeout;
      session.getUserProperties().put(TOMCAT_CLOSE_SEND_TIMEOUT, closeTimeoutMillis);
      session.getUserProperties().put(TOMCAT_SESSION_CLOSE_TIMEOUT, closeTimeoutMillis);
    }
    SocketSink socketSink = new SocketSink(session, keepAlive, keepAlive::schedule, closeTimeout);
    this.sink = socketSink;
    counted = true;
    endpoint.socketOpened();
    try {
      connection = transport.connect(client, WireFormat.WEBSOCKET, socketSink, List.of(), null);
    } catch (PushException e) {
      LOG.debug("Client {} refused at open: {}", client.id(), e.getMessage());
      socketSink.close(
          transport.isClosed()
              ? CloseReason.SHUTDOWN
              : transport.isDraining()
                  ? CloseReason.RESTART.withRetry(transport.retryAfter().toMillis())
                  : CloseReason.UNAVAILABLE);
      released();
      return;
    }
    LOG.debug(
        "Client {} (user {}, {}) opened a WebSocket",
        client.id(),
        client.user(),
        client.remoteAddress());
    session.addMessageHandler(String.class, this::onText);
    session.addMessageHandler(
        ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) this::onBinary);
    session.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) p -> heard());
    try {
      watch = endpoint.keepAlive().watch(this::check);
    } catch (RejectedExecutionException e) {
      // The webapp is stopping; the container closes its sockets.
      LOG.debug("Client {}: no liveness checks, the endpoint is stopping", client.id());
    }
    if (!connection.isOpen()) {
      released();
    }
  }

  /** The peer or the container closed the socket. Container thread. */
  @Override
  public void onClose(Session session, jakarta.websocket.CloseReason reason) {
    SocketSink s = sink;
    if (s != null) {
      s.peerClosed();
    }
    LOG.debug(
        "Client {} socket closed: {} {}",
        client.id(),
        reason.getCloseCode().getCode(),
        reason.getReasonPhrase());
    Connection c = connection;
    if (c != null) {
      c.close(
          reason.getCloseCode().getCode()
                  == jakarta.websocket.CloseReason.CloseCodes.TOO_BIG.getCode()
              ? SocketCloseReasons.TOO_LARGE
              : CloseReason.CLIENT_GONE);
    }
    released();
  }

  /** A transport error; containers follow it with {@link #onClose}. Container thread. */
  @Override
  public void onError(Session session, Throwable error) {
    LOG.debug("Client {} socket error: {}", client.id(), error.toString());
    if (!session.isOpen()) {
      SocketSink s = sink;
      if (s != null) {
        s.peerClosed();
      }
      Connection c = connection;
      if (c != null) {
        c.close(CloseReason.CLIENT_GONE);
      }
      released();
    }
  }

  /**
   * Whether the session is Tomcat's, the only container that reads the timeout properties; on
   * others they would only cost two map entries per socket.
   */
  private static boolean isTomcat(Session session) {
    return session.getClass().getName().startsWith("org.apache.tomcat.");
  }

  // ---- client frames

  private void onText(String text) {
    TransportContext transport = transport();
    PushWebSocketOptions options = options();
    heard();
    Connection c = connection;
    if (c == null || !c.isOpen()) {
      return;
    }
    if (tooLarge(text)) {
      c.close(SocketCloseReasons.TOO_LARGE);
      return;
    }
    if (!limiter.tryAcquire(System.nanoTime())) {
      LOG.debug("Client {}: frame refused by the rate limit", client.id());
      transport.observer().rateLimited(WireFormat.WEBSOCKET);
      c.sendError(
          new PushException(
              ErrorCode.RATE_LIMITED,
              "too many frames: at most " + rate(options.maxFrameRate()) + " per second"),
          refOf(text));
      if (limiter.exhausted()) {
        LOG.info("Client {} (user {}) closed for flooding", client.id(), client.user());
        c.close(SocketCloseReasons.RATE_LIMITED);
      }
      return;
    }
    ClientFrame frame;
    try {
      frame = ClientFrame.parse(transport.codec(), text);
    } catch (PushException e) {
      c.sendError(e, e.code() == ErrorCode.BAD_JSON ? null : refOf(text));
      return;
    }
    try {
      handle(c, frame);
    } catch (PushException e) {
      c.sendError(e, frame.ref());
    } catch (RuntimeException e) {
      LOG.warn("Client {}: handling a {} frame failed", client.id(), frameType(frame), e);
      c.sendError(new PushException(ErrorCode.INTERNAL, "the server failed"), frame.ref());
    }
  }

  private void handle(Connection c, ClientFrame frame) {
    if (frame instanceof ClientFrame.Subscribe s) {
      Position since = s.since() == null ? null : Cursor.decode(s.since()).position(s.channel());
      c.subscribe(s.channel(), since, s.presenceOptions())
          .whenComplete(
              (ignored, error) -> {
                if (error != null) {
                  c.sendError(asPushException(error), s.ref());
                }
              });
    } else if (frame instanceof ClientFrame.Unsubscribe u) {
      c.unsubscribe(u.channel());
    } else if (frame instanceof ClientFrame.Publish p) {
      c.publish(p.channel(), p.event(), p.data(), p.ephemeral())
          .whenComplete(
              (Publication message, Throwable error) -> {
                if (error == null) {
                  c.sendAck(p.ref(), message);
                } else {
                  c.sendError(asPushException(error), p.ref());
                }
              });
    } else if (frame instanceof ClientFrame.Ping) {
      c.sendPong();
    }
  }

  private void onBinary(ByteBuffer part, boolean last) {
    heard();
    Connection c = connection;
    if (c != null) {
      LOG.debug("Client {} sent a binary frame", client.id());
      c.close(SocketCloseReasons.BINARY_FRAME);
    }
  }

  private boolean tooLarge(String text) {
    int max = options().maxFrameBytes();
    // Containers count the limit in bytes (Jetty) or in characters (Tomcat); counting bytes here
    // too makes both close with 1009 alike.
    return text.length() > max
        || (text.length() * 3L > max && text.getBytes(StandardCharsets.UTF_8).length > max);
  }

  /** The {@code ref} of a frame that failed to parse, if it is a JSON object that has one. */
  private String refOf(String text) {
    try {
      var ref = transport().codec().parseObject(text).get("ref");
      return ref != null && ref.isTextual() ? ref.asText() : null;
    } catch (PushException e) {
      return null;
    }
  }

  private static String rate(double perSecond) {
    return perSecond == Math.rint(perSecond)
        ? Long.toString((long) perSecond)
        : Double.toString(perSecond);
  }

  private static String frameType(ClientFrame frame) {
    return frame.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
  }

  private PushException asPushException(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof PushException push) {
      return push;
    }
    LOG.warn("Client {}: a request failed", client.id(), e);
    return new PushException(ErrorCode.INTERNAL, "the server failed");
  }

  // ---- liveness

  private void heard() {
    lastHeardNanos = System.nanoTime();
  }

  /** Runs every ping interval on the endpoint's timer; never blocks. */
  private void check() {
    Connection c = connection;
    if (c == null || !c.isOpen()) {
      released();
      return;
    }
    PushWebSocketOptions options = options();
    long now = System.nanoTime();
    long writing = sink.writeStartedNanos();
    if (writing != 0
        && now - writing > TimeUnit.MILLISECONDS.toNanos(options.sendTimeout().toMillis())) {
      LOG.info("Client {}: a write waited over {}, closing", client.id(), options.sendTimeout());
      c.close(CloseReason.SLOW_CONSUMER);
    } else if (now - lastHeardNanos > options.idleTimeout().toNanos()) {
      LOG.debug("Client {}: silent for over {}, closing", client.id(), options.idleTimeout());
      c.close(SocketCloseReasons.IDLE_TIMEOUT);
    } else if (!sink.pingBlocks()) {
      sink.ping();
    } else if (!sink.pingAfterMessage()) {
      try {
        endpoint.keepAlive().execute(sink::ping);
      } catch (RejectedExecutionException e) {
        // The webapp is stopping.
      }
    }
  }

  /** Stops the checks and the socket count once the connection is over; idempotent. */
  private void released() {
    ScheduledFuture<?> w = watch;
    if (w != null) {
      w.cancel(false);
    }
    if (COUNTED.compareAndSet(this, true, false)) {
      endpoint.socketClosed();
    }
  }
}
