package dev.herald.push.client;

import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket to {@code <base>/ws} over the JDK's {@link WebSocket}. Thread-safe.
 *
 * <p>Design notes. The JDK socket allows one send in flight, so client frames wait in a queue and
 * the next send starts from the previous one's completion. Incoming messages are requested one at a
 * time, the next only when the dispatcher has room, which pushes back on the server when the
 * application is slow. The JDK answers the server's pings itself. A draining node's {@code
 * server_restart} error frame and its close 1012, or a handshake refused with 503 or 429, leave the
 * link's {@link RetryHint} instead of reaching the application as errors.
 */
final class WebSocketLink extends Link {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketLink.class);

  /** The largest server frame accepted, in characters: far above the server's own limits. */
  static final int MAX_FRAME_CHARS = 16 * 1024 * 1024;

  private static final long CLOSE_GRACE_MILLIS = 1000;

  /** Close code 1012, Service Restart: a draining node asks the client to come back soon. */
  static final int SERVICE_RESTART = 1012;

  private final ConcurrentLinkedQueue<String> outgoing = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean sending = new AtomicBoolean();
  private volatile WebSocket socket;

  WebSocketLink(LinkContext context) {
    super(context, Transport.WEBSOCKET);
  }

  @Override
  void start() {
    LOG.debug("Opening {}", context.endpoints().webSocket());
    context
        .authorize(context.http().newWebSocketBuilder())
        .connectTimeout(context.connectTimeout())
        .buildAsync(context.endpoints().webSocket(), new Receiver())
        .whenComplete(
            (ws, error) -> {
              if (error != null) {
                end("connect_failed", handshakeFailure(error));
                return;
              }
              socket = ws;
              if (stopped()) {
                abort();
              } else {
                flush();
              }
            });
  }

  @Override
  void send(String frame) {
    outgoing.add(frame);
  }

  @Override
  void flush() {
    while (true) {
      WebSocket ws = socket;
      if (ws == null || stopped() || outgoing.isEmpty() || !sending.compareAndSet(false, true)) {
        return;
      }
      String next = outgoing.poll();
      if (next == null) {
        sending.set(false);
        continue;
      }
      CompletableFuture<WebSocket> sent;
      try {
        sent = ws.sendText(next, true);
      } catch (RuntimeException e) {
        sending.set(false);
        end("io_error", connectFailure(transport().wireName(), e));
        return;
      }
      sent.whenComplete(
          (w, error) -> {
            sending.set(false);
            if (error != null) {
              end("io_error", connectFailure(transport().wireName(), error));
            } else {
              flush();
            }
          });
      return;
    }
  }

  /** Ends the socket with a close frame, and drops it if the server does not answer soon. */
  void closeGracefully() {
    WebSocket ws = socket;
    outgoing.clear();
    if (ws != null && !ws.isOutputClosed()) {
      try {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "client_closed")
            .whenComplete(
                (w, e) ->
                    CompletableFuture.delayedExecutor(CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS)
                        .execute(ws::abort));
      } catch (RuntimeException e) {
        ws.abort();
      }
    }
    stop();
  }

  @Override
  void abort() {
    WebSocket ws = socket;
    // After a close frame the server's own close ends the socket; closeGracefully bounds the wait.
    if (ws != null && !ws.isOutputClosed()) {
      ws.abort();
    }
  }

  private HeraldException handshakeFailure(Throwable error) {
    Throwable e = unwrap(error);
    if (e instanceof WebSocketHandshakeException h && h.getResponse() != null) {
      int status = h.getResponse().statusCode();
      Object body = h.getResponse().body();
      String text = body instanceof String s ? s : null;
      hint(RetryHint.ofHttp(status, h.getResponse().headers(), text));
      return FrameReader.httpError(status, text, null);
    }
    return connectFailure(transport().wireName(), e);
  }

  /** The JDK's callbacks: one at a time, each followed by a request for the next message. */
  private final class Receiver implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public void onOpen(WebSocket ws) {
      // Frames can arrive before buildAsync's future completes: the socket is known from here.
      socket = ws;
      ws.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      if (stopped()) {
        return null;
      }
      heard();
      if (text.length() + data.length() > MAX_FRAME_CHARS) {
        text.setLength(0);
        end("protocol", FrameReader.protocol("the server sent a frame over 16 MiB", null));
        return null;
      }
      text.append(data);
      if (!last) {
        ws.request(1);
        return null;
      }
      String frame = text.toString();
      text.setLength(0);
      ServerFrame parsed;
      try {
        parsed = FrameReader.frame(frame);
      } catch (HeraldException e) {
        end("protocol", e);
        return null;
      }
      if (parsed instanceof ServerFrame.ErrorFrame error && error.ref() == null) {
        hint(RetryHint.of(error));
        if (RetryHint.SERVER_RESTART.equals(error.code())) {
          // The close (1012) that follows is the news; this frame only carries the delay hint.
          ws.request(1);
          return null;
        }
      }
      context.listener().frame(WebSocketLink.this, parsed);
      context.dispatcher().whenReady(() -> ws.request(1));
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      heard();
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
      heard();
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
      heard();
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      LOG.debug("WebSocket closed by the server: {} {}", statusCode, reason);
      if (statusCode == SERVICE_RESTART) {
        hint(new RetryHint(RetryHint.SERVER_RESTART, -1));
      }
      end(reason == null || reason.isBlank() ? "closed_" + statusCode : reason, null);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      end("io_error", connectFailure(transport().wireName(), error));
    }
  }
}
