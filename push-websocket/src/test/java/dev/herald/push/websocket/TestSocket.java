package dev.herald.push.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real WebSocket client (the JDK's) that records every text frame as JSON, in order, and how the
 * socket closed. It reads one message at a time and can stop reading, like a client whose
 * application stalled. Thread-safe.
 */
final class TestSocket implements WebSocket.Listener, AutoCloseable {
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static final ObjectMapper JSON = new ObjectMapper();
  private static final long WAIT_SECONDS = 10;

  /** How a socket closed. */
  record Closed(int code, String reason) {}

  private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
  private final CompletableFuture<Closed> closed = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private final AtomicInteger received = new AtomicInteger();
  private final AtomicInteger pings = new AtomicInteger();
  private volatile boolean reading = true;
  private volatile WebSocket ws;

  private TestSocket() {}

  /** Opens a socket, failing the test if the handshake fails. */
  static TestSocket open(URI uri) {
    return open(uri, Map.of());
  }

  /** Opens a socket with extra handshake headers, failing the test if the handshake fails. */
  static TestSocket open(URI uri, Map<String, String> headers) {
    TestSocket socket = new TestSocket();
    try {
      socket.ws = builder(headers).buildAsync(uri, socket).get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("handshake with " + uri + " failed", e);
    }
    return socket;
  }

  /** The HTTP status of a handshake that must fail. */
  static int refusedStatus(URI uri, Map<String, String> headers) {
    return refused(uri, headers).statusCode();
  }

  /** The HTTP response to a handshake that must fail. */
  static java.net.http.HttpResponse<?> refused(URI uri, Map<String, String> headers) {
    TestSocket socket = new TestSocket();
    try {
      WebSocket opened =
          builder(headers).buildAsync(uri, socket).get(WAIT_SECONDS, TimeUnit.SECONDS);
      opened.abort();
      throw new AssertionError("handshake with " + uri + " succeeded but should have failed");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        return refused.getResponse();
      }
      throw new AssertionError("handshake failed without a response", e);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static WebSocket.Builder builder(Map<String, String> headers) {
    WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    headers.forEach(builder::header);
    return builder;
  }

  // ---- listener

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      try {
        frames.add(JSON.readTree(partial.toString()));
      } catch (Exception e) {
        closed.completeExceptionally(new AssertionError("server sent non-JSON: " + partial, e));
      }
      partial.setLength(0);
      received.incrementAndGet();
    }
    demand(webSocket);
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    closed.completeExceptionally(new AssertionError("server sent a binary frame"));
    demand(webSocket);
    return null;
  }

  @Override
  public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
    // The JDK answers pings by itself when it reads them.
    pings.incrementAndGet();
    demand(webSocket);
    return null;
  }

  @Override
  public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
    demand(webSocket);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(new Closed(statusCode, reason));
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.completeExceptionally(error);
  }

  private void demand(WebSocket webSocket) {
    if (reading) {
      webSocket.request(1);
    }
  }

  // ---- test side

  /** The next frame, waiting for it; fails the test if none comes. */
  JsonNode next() {
    try {
      JsonNode frame = frames.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      if (frame == null) {
        fail("no frame within " + WAIT_SECONDS + " s; closed: " + closedState());
      }
      return frame;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The next frame, which must be of the given type. */
  JsonNode next(String type) {
    JsonNode frame = next();
    assertThat(frame.path("type").asText()).as("type of %s", frame).isEqualTo(type);
    return frame;
  }

  /** The next {@code n} frames, in order. */
  List<JsonNode> next(int n) {
    List<JsonNode> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(next());
    }
    return list;
  }

  /** How many pings arrived so far. */
  int pings() {
    return pings.get();
  }

  /** How many whole frames arrived so far. */
  int received() {
    return received.get();
  }

  /** Sends a text frame and waits until it is written. */
  TestSocket send(String text) {
    try {
      ws.sendText(text, true).get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("send failed", e);
    }
    return this;
  }

  /** Sends a binary frame and waits until it is written. */
  void sendBinary(byte[] bytes) {
    try {
      ws.sendBinary(ByteBuffer.wrap(bytes), true).get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("send failed", e);
    }
  }

  /** Subscribes and returns the {@code subscribed} frame. */
  JsonNode subscribe(String channel) {
    send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
    JsonNode subscribed = next("subscribed");
    assertThat(subscribed.path("channel").asText()).isEqualTo(channel);
    return subscribed;
  }

  /** Subscribes from a cursor and returns the {@code subscribed} frame. */
  JsonNode subscribe(String channel, String since) {
    send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\",\"since\":\"" + since + "\"}");
    JsonNode subscribed = next("subscribed");
    assertThat(subscribed.path("channel").asText()).isEqualTo(channel);
    return subscribed;
  }

  /**
   * Asserts that nothing but what the test already took arrived: a ping's pong must be the very
   * next frame, and the socket must still be open.
   */
  void assertNothingElse() {
    send("{\"type\":\"ping\"}");
    JsonNode frame = next();
    assertThat(frame.path("type").asText())
        .as("frame before the pong: %s", frame)
        .isEqualTo("pong");
    assertThat(closed).as("socket closed").isNotDone();
  }

  /** Stops asking for frames: the socket stops reading once the frame in hand is taken. */
  void stopReading() {
    reading = false;
  }

  /** Reads again. */
  void resumeReading() {
    reading = true;
    ws.request(1);
  }

  /** How the socket closed, waiting for it. */
  Closed awaitClosed() {
    try {
      return closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("socket did not close cleanly; state: " + closedState(), e);
    }
  }

  /** Whether the server's close frame (or an error) arrived. */
  boolean isClosed() {
    return closed.isDone();
  }

  /** Starts the closing handshake with 1000. */
  void closeNormally() {
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
  }

  /** Drops the TCP connection without a close handshake, as a lost network would. */
  void abort() {
    ws.abort();
  }

  @Override
  public void close() {
    WebSocket w = ws;
    if (w != null) {
      w.abort();
    }
  }

  private String closedState() {
    if (!closed.isDone()) {
      return "open";
    }
    try {
      return String.valueOf(closed.getNow(null));
    } catch (Exception e) {
      return "error " + e.getCause();
    }
  }
}
