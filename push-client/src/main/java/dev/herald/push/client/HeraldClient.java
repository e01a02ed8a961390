package dev.herald.push.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.push.Cursor;
import dev.herald.push.EphemeralMessage;
import dev.herald.push.Message;
import dev.herald.push.Names;
import dev.herald.push.PushException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A connection to a Herald server from the JVM, over WebSocket, Server-Sent Events, NDJSON
 * streaming or long polling, built on the JDK's {@code java.net.http} alone. Thread-safe.
 *
 * <pre>{@code
 * HeraldClient client = HeraldClient.builder(URI.create("https://example.com/push"))
 *     .transports(Transport.WEBSOCKET, Transport.SSE)   // the order to try; default all four
 *     .listener(new HeraldListener() {
 *       public void onReset(String channel, String epoch) { reloadState(channel); }
 *     })
 *     .build();
 * Subscription lobby = client.subscribe("chat/lobby", msg -> show(msg.event(), msg.data()));
 * client.publish("chat/lobby", "chat", Map.of("text", "hello"))
 *     .thenAccept(ack -> log("stored at " + ack.offset()));
 * // … later
 * client.close();
 * }</pre>
 *
 * <p><b>Delivery.</b> One connection carries every channel; subscribing or unsubscribing while
 * connected changes it without losing any channel's place (WebSocket: a frame; the HTTP transports:
 * a new request resuming from the cursor). When the connection drops, the client reconnects with
 * exponential backoff and full jitter and resumes from its cursor: every message still in the
 * server's history reaches the handlers exactly once and in order per channel. When the history no
 * longer covers the gap, {@link HeraldListener#onReset} says so instead.
 *
 * <p><b>Ephemeral messages.</b> A channel may also carry ephemeral messages ({@link
 * #publishEphemeral}, or a channel the hub makes ephemeral): delivered live to the subscriptions of
 * that moment, never stored, without offset. They reach only the handlers given to {@link
 * #subscribe(String, Consumer, Consumer)}, never move {@link #cursor()} and take no part in the
 * exactly-once check, so a resume replays exactly the stored messages. Delivery is best effort: a
 * client that is reconnecting misses the ephemeral messages of that moment.
 *
 * <p><b>Threads.</b> Message handlers, the listener and the futures of {@link #publish} are all
 * called on one thread of this client, one call at a time, in the order the events arrived. While a
 * call runs, the client reads no further (up to a small buffer), so a slow handler slows the
 * connection rather than filling memory. A handler may call any method of the client, but must not
 * wait on a publish's future there (chain with {@code thenAccept}): {@code join} and {@code get}
 * throw instead of hanging.
 *
 * <p><b>Connecting.</b> Over WebSocket the client connects as soon as it is built; over the HTTP
 * transports, as soon as it has a channel. With several transports, an attempt that the server or a
 * proxy refuses (an HTTP error status, or no {@code ready} frame within the connect timeout) moves
 * on to the next transport, unless the refused one worked before; an unreachable server is retried
 * on the same transport.
 */
public final class HeraldClient implements AutoCloseable {
  private final Engine engine;
  private final ObjectMapper mapper;

  private HeraldClient(Settings settings) {
    this.mapper = settings.mapper();
    this.engine = new Engine(settings);
    engine.start();
  }

  /**
   * Starts configuring a client of the server whose Herald endpoints are below {@code base}, such
   * as {@code http://localhost:8080/push} (the WebSocket is then {@code
   * ws://localhost:8080/push/ws}).
   *
   * @throws IllegalArgumentException if {@code base} is not an absolute http or https URI without
   *     query or fragment
   */
  public static Builder builder(URI base) {
    return new Builder(base);
  }

  /**
   * Subscribes {@code handler} to a channel. The first handler of a channel makes the client join
   * it, starting at the channel's current position (or where the {@link Builder#resumeFrom} cursor
   * left it); more handlers of the same channel share that subscription. Thread-safe.
   *
   * <p>The handler is called on the client's callback thread with each message of the channel, in
   * offset order, each once; never two calls at a time. The channel's ephemeral messages are
   * dropped silently: to receive them, subscribe with {@link #subscribe(String, Consumer,
   * Consumer)}.
   *
   * @throws IllegalArgumentException if the channel name breaks Herald's naming rules (1 to 200
   *     characters of {@code A-Z a-z 0-9 _ - . / : @ =})
   * @throws IllegalStateException if the client is closed
   */
  public Subscription subscribe(String channel, Consumer<Message> handler) {
    checkChannel(channel);
    Objects.requireNonNull(handler, "handler");
    return engine.subscribe(channel, handler, null);
  }

  /**
   * Like {@link #subscribe(String, Consumer)}, and also calls {@code onEphemeral} with each
   * ephemeral message of the channel: one published with {@link #publishEphemeral} (or to a channel
   * the hub makes ephemeral), delivered live and never stored, so it has no offset. Both handlers
   * run on the client's callback thread, in the order the server sent the messages; ephemeral
   * messages never move {@link #cursor()}, are not checked against the channel's offsets, and are
   * neither replayed after a reconnect nor reported as a gap. A client that is reconnecting misses
   * those of that moment. Thread-safe.
   *
   * @param onMessage called with each stored message, as {@link #subscribe(String, Consumer)} does
   * @param onEphemeral called with each ephemeral message that arrives while the channel is
   *     subscribed; its {@code data} is the JSON text the server sent
   * @throws IllegalArgumentException if the channel name breaks Herald's naming rules
   * @throws IllegalStateException if the client is closed
   */
  public Subscription subscribe(
      String channel, Consumer<Message> onMessage, Consumer<EphemeralMessage> onEphemeral) {
    checkChannel(channel);
    Objects.requireNonNull(onMessage, "onMessage");
    Objects.requireNonNull(onEphemeral, "onEphemeral");
    return engine.subscribe(channel, onMessage, onEphemeral);
  }

  /**
   * Publishes a message: over the WebSocket when that is the transport (answered by the server's
   * {@code ack} or {@code error} frame; a publish made while the socket is down waits for it, up to
   * the request timeout), else with {@code POST <base>/publish}. The server must accept client
   * messages on the channel. The message is stored unless the hub makes the channel ephemeral (or
   * its message handler decides so); the {@link Ack} says which. Thread-safe.
   *
   * <p>The future completes on the client's callback thread: with the stored message's position (or
   * an {@link Ack#ephemeral() ephemeral} ack), or with a {@link HeraldException} whose code says
   * why not ({@code forbidden}, {@code rejected}, {@code timeout}, {@code disconnected}, …).
   *
   * @param data any value the client's {@code ObjectMapper} can write as JSON; {@code null} is JSON
   *     null
   * @throws IllegalArgumentException for a bad channel or event name, or data that cannot be
   *     written as JSON
   */
  public CompletableFuture<Ack> publish(String channel, String event, Object data) {
    return publish(channel, event, data, false);
  }

  /**
   * Publishes an ephemeral message: the server delivers it live to the channel's subscriptions of
   * that moment (to their {@link #subscribe(String, Consumer, Consumer) ephemeral handlers}) and
   * then forgets it: it is never stored, has no offset and is never replayed. For updates worth
   * nothing a moment later, such as a pointer's position or a typing indicator. Sent like {@link
   * #publish}, with {@code "ephemeral":true} in the WebSocket {@code publish} frame or the {@code
   * POST <base>/publish} body. Thread-safe.
   *
   * <p>The future completes on the client's callback thread with an {@link Ack} whose {@link
   * Ack#ephemeral()} is {@code true} (offset {@code 0}, no epoch), unless the server's message
   * handler chose to store the message after all, or with a {@link HeraldException} as for {@link
   * #publish}.
   *
   * @param data any value the client's {@code ObjectMapper} can write as JSON; {@code null} is JSON
   *     null
   * @throws IllegalArgumentException for a bad channel or event name, or data that cannot be
   *     written as JSON
   */
  public CompletableFuture<Ack> publishEphemeral(String channel, String event, Object data) {
    return publish(channel, event, data, true);
  }

  private CompletableFuture<Ack> publish(
      String channel, String event, Object data, boolean ephemeral) {
    checkChannel(channel);
    checkEvent(event);
    JsonNode tree;
    try {
      tree = mapper.valueToTree(data);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "data cannot be written as JSON: " + data.getClass().getName(), e);
    }
    return engine.publish(channel, event, tree == null ? mapper.nullNode() : tree, ephemeral);
  }

  /**
   * Like {@link #publish} with data that is JSON text already, such as {@code {"text":"hi"}}.
   * Thread-safe.
   *
   * @throws IllegalArgumentException if {@code json} is not one JSON value, or a name is bad
   */
  public CompletableFuture<Ack> publishJson(String channel, String event, String json) {
    return publishJson(channel, event, json, false);
  }

  /**
   * Like {@link #publishEphemeral} with data that is JSON text already. Thread-safe.
   *
   * @throws IllegalArgumentException if {@code json} is not one JSON value, or a name is bad
   */
  public CompletableFuture<Ack> publishEphemeralJson(String channel, String event, String json) {
    return publishJson(channel, event, json, true);
  }

  private CompletableFuture<Ack> publishJson(
      String channel, String event, String json, boolean ephemeral) {
    checkChannel(channel);
    checkEvent(event);
    Objects.requireNonNull(json, "json");
    JsonNode tree;
    try {
      tree = mapper.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("json is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (tree == null || tree.isMissingNode()) {
      throw new IllegalArgumentException("json is empty");
    }
    return engine.publish(channel, event, tree, ephemeral);
  }

  /**
   * The cursor after every message delivered to the handlers so far (and every reset reported), for
   * all subscribed channels: an opaque URL-safe string. Ephemeral messages, which have no offset,
   * never move it. Save it with the application's own state and hand it to {@link
   * Builder#resumeFrom} after a restart to continue exactly where this client stopped. Thread-safe.
   */
  public String cursor() {
    return engine.cursor();
  }

  /** The channels subscribed now, in the order they were first subscribed. Thread-safe. */
  public List<String> channels() {
    return engine.channels();
  }

  /** The transport in use, or the one the next connection attempt will use. Thread-safe. */
  public Transport transport() {
    return engine.transport();
  }

  /** Whether a connection is open now (its {@code ready} frame came). Thread-safe. */
  public boolean isOpen() {
    return engine.isOpen();
  }

  /**
   * Closes the connection and stops reconnecting, for good. Publishes still waiting fail with code
   * {@code closed}; callbacks already queued still run, then the client's threads end. The listener
   * hears {@code onClose(transport, "client_closed")} if a connection was open. Idempotent;
   * thread-safe, and may be called from a callback.
   */
  @Override
  public void close() {
    engine.close();
  }

  @Override
  public String toString() {
    return "HeraldClient[" + engine.transport().wireName() + ", channels=" + channels() + "]";
  }

  private static void checkChannel(String channel) {
    try {
      Names.checkChannel(channel);
    } catch (PushException e) {
      throw new IllegalArgumentException(
          "bad channel "
              + (channel == null ? "null" : "\"" + channel + "\"")
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private static void checkEvent(String event) {
    try {
      Names.checkEvent(event);
    } catch (PushException e) {
      throw new IllegalArgumentException("bad event name: " + e.getMessage(), e);
    }
  }

  /**
   * Configures a {@link HeraldClient}. Each setter checks its argument at once, naming the bad
   * value. Not thread-safe.
   */
  public static final class Builder {
    private final Endpoints endpoints;
    private List<Transport> transports =
        List.of(Transport.WEBSOCKET, Transport.SSE, Transport.STREAM, Transport.POLL);
    private HeraldListener listener = new HeraldListener() {};
    private Duration reconnectMin = Duration.ofMillis(500);
    private Duration reconnectMax = Duration.ofSeconds(30);
    private Supplier<String> token;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration idleTimeout = Duration.ofSeconds(45);
    private Duration pollTimeout = Duration.ofSeconds(25);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private Cursor resumeFrom = Cursor.empty();
    private HttpClient httpClient;
    private ObjectMapper mapper;

    private Builder(URI base) {
      this.endpoints = new Endpoints(Objects.requireNonNull(base, "base"));
    }

    /**
     * The transports to use, in order of preference; one forces it. Default: WebSocket, SSE,
     * streaming, long polling.
     *
     * @throws IllegalArgumentException if a transport is named twice
     */
    public Builder transports(Transport first, Transport... more) {
      List<Transport> list = new ArrayList<>();
      list.add(Objects.requireNonNull(first, "first"));
      for (Transport t : Objects.requireNonNull(more, "more")) {
        Objects.requireNonNull(t, "transports");
        if (list.contains(t)) {
          throw new IllegalArgumentException(
              "transports must not repeat, " + t + " is named twice");
        }
        list.add(t);
      }
      this.transports = List.copyOf(list);
      return this;
    }

    /** Hears connection events, on the client's callback thread; default none. */
    public Builder listener(HeraldListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * The reconnect backoff: attempt {@code n} waits a random time below {@code min(max, min *
     * 2^n)} (full jitter). Default 500 ms and 30 s.
     *
     * @throws IllegalArgumentException if {@code min} is under 1 ms or {@code max} is below {@code
     *     min}
     */
    public Builder reconnect(Duration min, Duration max) {
      Objects.requireNonNull(min, "min");
      Objects.requireNonNull(max, "max");
      if (min.toMillis() < 1) {
        throw new IllegalArgumentException("reconnect min must be at least 1 ms, was " + min);
      }
      if (max.compareTo(min) < 0) {
        throw new IllegalArgumentException(
            "reconnect max must be at least min (" + min + "), was " + max);
      }
      this.reconnectMin = min;
      this.reconnectMax = max;
      return this;
    }

    /** Sends {@code Authorization: Bearer token} with every request and WebSocket handshake. */
    public Builder bearerToken(String token) {
      Objects.requireNonNull(token, "token");
      if (token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
        throw new IllegalArgumentException(
            "token must be printable ASCII without spaces, was one of "
                + token.length()
                + " chars");
      }
      return bearerToken(() -> token);
    }

    /**
     * Asks {@code tokens} for the bearer token before every request and handshake, so that a
     * refreshed token is used on the next reconnect; {@code null} or blank sends none. It is called
     * on the client's I/O threads and must not block.
     */
    public Builder bearerToken(Supplier<String> tokens) {
      this.token = Objects.requireNonNull(tokens, "tokens");
      return this;
    }

    /**
     * How long a connection attempt may take until the server's {@code ready} frame (for long
     * polling: the first answer); default 10 s.
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = atLeast("connectTimeout", timeout, Duration.ofMillis(10));
      return this;
    }

    /**
     * How long an open WebSocket, SSE or streaming connection may stay silent before the client
     * drops it and reconnects; default 45 s. Servers send heartbeats every 15 s by default; over
     * WebSocket the client pings after a third of this.
     */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = atLeast("idleTimeout", timeout, Duration.ofMillis(100));
      return this;
    }

    /**
     * How long one long poll may wait for messages, in whole seconds from 1 to 3,600; the server
     * may cap it lower. Default 25 s.
     */
    public Builder pollTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "pollTimeout");
      if (timeout.toMillis() % 1000 != 0 || timeout.toSeconds() < 1 || timeout.toSeconds() > 3600) {
        throw new IllegalArgumentException(
            "pollTimeout must be whole seconds from 1 to 3600, was " + timeout);
      }
      this.pollTimeout = timeout;
      return this;
    }

    /** How long a publish may wait for its acknowledgement; default 30 s. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = atLeast("requestTimeout", timeout, Duration.ofMillis(10));
      return this;
    }

    /**
     * A cursor from {@link HeraldClient#cursor()}, saved earlier: each channel it holds resumes
     * from there when subscribed, receiving what it missed (or a reset).
     *
     * @throws IllegalArgumentException if the cursor is malformed
     */
    public Builder resumeFrom(String cursor) {
      Objects.requireNonNull(cursor, "cursor");
      try {
        this.resumeFrom = Cursor.decode(cursor);
      } catch (PushException e) {
        throw new IllegalArgumentException("bad cursor: " + e.getMessage(), e);
      }
      return this;
    }

    /**
     * The JDK client to make requests with, to share its connection pool, proxy, TLS and
     * authenticator settings; the client never closes it. Default a new HTTP/1.1 client.
     */
    public Builder httpClient(HttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "httpClient");
      return this;
    }

    /** The mapper that writes published data as JSON (a copy is used); default a plain one. */
    public Builder objectMapper(ObjectMapper mapper) {
      this.mapper = Objects.requireNonNull(mapper, "objectMapper").copy();
      return this;
    }

    /** Builds the client; over WebSocket it starts connecting at once. */
    public HeraldClient build() {
      HttpClient http =
          httpClient != null
              ? httpClient
              : HttpClient.newBuilder()
                  .version(HttpClient.Version.HTTP_1_1)
                  .connectTimeout(connectTimeout)
                  .build();
      return new HeraldClient(
          new Settings(
              endpoints,
              transports,
              listener,
              reconnectMin,
              reconnectMax,
              token,
              connectTimeout,
              idleTimeout,
              pollTimeout,
              requestTimeout,
              resumeFrom,
              http,
              mapper != null ? mapper : new ObjectMapper()));
    }

    private static Duration atLeast(String name, Duration value, Duration min) {
      Objects.requireNonNull(value, name);
      if (value.compareTo(min) < 0) {
        throw new IllegalArgumentException(
            name + " must be at least " + min.toMillis() + " ms, was " + value);
      }
      return value;
    }
  }
}
