package dev.herald.push;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.push.spi.Broker;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.HubObserver;
import dev.herald.push.spi.TransportContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The heart of Herald in one application: channels, their subscribers and their history. Build one
 * per application, share it with the transports, and close it on shutdown. Thread-safe.
 *
 * <pre>{@code
 * PushHub hub = PushHub.builder()
 *     .acceptClientMessages("chat/*", msg -> msg)   // browsers may publish to chat rooms
 *     .build();
 * hub.channel("prices/EURUSD").publish("tick", Map.of("bid", 1.0842));
 * // … later
 * hub.close();
 * }</pre>
 *
 * <p>There are no static singletons: two hubs in one JVM are fully independent.
 */
public final class PushHub implements AutoCloseable {
  private final Hub hub;
  private final JsonCodec codec;
  private final TransportContext transportContext;

  private PushHub(HubSettings settings) {
    this.codec = settings.codec();
    this.hub = new Hub(settings);
    this.transportContext = new HubTransportContext(hub);
  }

  /** Starts configuring a hub. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The channel of that name; channels need no declaring.
   *
   * @throws PushException with {@link ErrorCode#BAD_CHANNEL} for a bad name
   */
  public Channel channel(String name) {
    return new Channel(name, hub, codec);
  }

  /**
   * The operations that only transport modules (push-servlet, push-websocket and the like) use:
   * opening connections, publishing on a client's behalf, and the wire settings. Applications do
   * not need it; they hand the hub itself to a transport.
   */
  public TransportContext transportContext() {
    return transportContext;
  }

  /** Open connections on this node. */
  public int connectionCount() {
    return hub.connectionCount();
  }

  /** Channels with subscribers on this node. */
  public int activeChannelCount() {
    return hub.activeChannels();
  }

  /**
   * Closes every open connection with reason {@code reconnect}, so that clients reconnect and
   * resume from their cursors: to drain a node before a restart, or to make clients pick up a new
   * configuration. The hub stays open.
   *
   * @return how many connections were closed
   */
  public int disconnectAll() {
    return hub.disconnectAll(CloseReason.RECONNECT);
  }

  /** What the hub has done since it started: connections, deliveries, publishes, replays. */
  public HubStats stats() {
    return hub.stats();
  }

  /** Whether the hub takes new clients, and its broker's health; for readiness checks. */
  public HubHealth health() {
    return hub.health();
  }

  /**
   * Drains the node before it stops: from now on new connections are refused (transports answer
   * {@code 503} with {@code Retry-After}), {@link #health()} reports {@code DOWN}, and the open
   * connections are closed in random order spread evenly over the window, each with reason {@code
   * server_restart} (WebSocket close code 1012) and a reconnect-delay hint, so that clients come
   * back to other nodes a few at a time and resume from their cursors instead of all at once. HTTP
   * publishes are still taken. Call {@link #close()} once the stage completes. Calling it again
   * returns the first drain's stage.
   *
   * @param window how long to spread the closes over; {@code Duration.ZERO} closes all at once
   * @return completes with the number of connections closed once the last one is
   */
  public CompletionStage<Integer> drain(Duration window) {
    Objects.requireNonNull(window, "window");
    if (window.isNegative()) {
      throw new IllegalArgumentException("window must not be negative, was " + window);
    }
    return hub.drain(window);
  }

  /** Whether {@link #drain} was called. */
  public boolean isDraining() {
    return hub.isDraining();
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return hub.isClosed();
  }

  /**
   * Closes every connection with reason {@code server_shutdown}, then the broker if the hub made
   * it, then the hub's threads. Idempotent.
   */
  @Override
  public void close() {
    hub.close();
  }

  /** Configures a {@link PushHub}. Each setter checks its argument at once. Not thread-safe. */
  public static final class Builder {
    private static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration MAX_CLOSE_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration DEFAULT_MAX_BATCH_DELAY = Duration.ofMillis(50);
    private static final Duration MAX_BATCH_DELAY = Duration.ofSeconds(1);

    private Broker broker;
    private Authorizer authorizer = Authorizer.ALLOW_ALL;
    private Authenticator authenticator = Authenticator.NONE;
    private ObjectMapper objectMapper;
    private int maxMessageBytes = 64 * 1024;
    private int maxJsonDepth = 32;
    private int maxQueuedFrames = 1024;
    private long maxQueuedBytes = 1 << 20;
    private OverflowPolicy overflowPolicy = OverflowPolicy.CLOSE;
    private int maxChannelsPerConnection = 64;
    private int replayBatchSize = 500;
    private Duration heartbeatInterval = Duration.ofSeconds(15);
    private Executor executor;
    private final List<HubSettings.ClientRule> clientRules = new ArrayList<>();
    private final List<String> ephemeralPatterns = new ArrayList<>();
    private int maxMemberDataBytes = 1024;
    private final List<PresenceListener> presenceListeners = new ArrayList<>();
    private HubObserver observer = HubObserver.NONE;
    private OriginList allowedOrigins = OriginList.NONE;
    private ProxyList trustedProxies = ProxyList.NONE;
    private int maxConnections = 10_000;
    private int maxConnectionsPerAddress = 500;
    private int openRate = 20;
    private int openBurst = 100;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
    private Duration maxBatchDelay = DEFAULT_MAX_BATCH_DELAY;

    private Builder() {}

    /**
     * Where history lives and how messages reach other nodes; default an {@link InMemoryBroker}.
     */
    public Builder broker(Broker broker) {
      this.broker = Objects.requireNonNull(broker, "broker");
      return this;
    }

    /** Decides subscribes and client publishes; default {@link Authorizer#ALLOW_ALL}. */
    public Builder authorizer(Authorizer authorizer) {
      this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
      return this;
    }

    /** Turns bearer tokens into users; default {@link Authenticator#NONE}. */
    public Builder authenticator(Authenticator authenticator) {
      this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
      return this;
    }

    /**
     * Lets pages of these other origins use every transport, such as {@code
     * https://app.example.com}; {@code "*"} allows every origin (HTTP answers then carry no
     * credentials). Pages of the server's own origin and clients that send no {@code Origin} are
     * always allowed; by default no other origin is. Calls add up.
     *
     * @throws IllegalArgumentException naming the first entry that is not an origin
     */
    public Builder allowedOrigins(String... origins) {
      Objects.requireNonNull(origins, "origins");
      this.allowedOrigins = allowedOrigins.plus(Arrays.asList(origins));
      return this;
    }

    /**
     * The reverse proxies whose {@code Forwarded} and {@code X-Forwarded-Host}, {@code
     * X-Forwarded-Proto}, {@code X-Forwarded-Port} and {@code X-Forwarded-For} headers are
     * believed, as IP addresses or CIDR ranges such as {@code "127.0.0.1"} or {@code "10.0.0.0/8"}:
     * the same-origin check then compares with the scheme and host the client used, and {@link
     * Client#remoteAddress()} is the client's. By default no proxy is trusted and those headers are
     * ignored, since any client can send them. Calls add up.
     *
     * @throws IllegalArgumentException naming the first entry that is not an address or range
     */
    public Builder trustedProxies(String... proxies) {
      Objects.requireNonNull(proxies, "proxies");
      this.trustedProxies = trustedProxies.plus(Arrays.asList(proxies));
      return this;
    }

    /** The application's mapper for payloads; Herald uses a copy. Default a plain mapper. */
    public Builder objectMapper(ObjectMapper mapper) {
      this.objectMapper = Objects.requireNonNull(mapper, "objectMapper");
      return this;
    }

    /** The largest JSON payload or client frame, in UTF-8 bytes; default 64 KiB. */
    public Builder maxMessageBytes(int bytes) {
      this.maxMessageBytes = positive("maxMessageBytes", bytes);
      return this;
    }

    /** The deepest JSON nesting accepted from clients; default 32. */
    public Builder maxJsonDepth(int depth) {
      this.maxJsonDepth = positive("maxJsonDepth", depth);
      return this;
    }

    /** How many frames a connection's outbox holds before its overflow policy applies; 1,024. */
    public Builder maxQueuedFrames(int frames) {
      this.maxQueuedFrames = positive("maxQueuedFrames", frames);
      return this;
    }

    /** How many bytes a connection's outbox holds before its overflow policy applies; 1 MiB. */
    public Builder maxQueuedBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxQueuedBytes must be > 0, was " + bytes);
      }
      this.maxQueuedBytes = bytes;
      return this;
    }

    /** What a full outbox does; default {@link OverflowPolicy#CLOSE}. */
    public Builder overflowPolicy(OverflowPolicy policy) {
      this.overflowPolicy = Objects.requireNonNull(policy, "overflowPolicy");
      return this;
    }

    /** The most channels one connection may subscribe to; default 64. */
    public Builder maxChannelsPerConnection(int channels) {
      this.maxChannelsPerConnection = positive("maxChannelsPerConnection", channels);
      return this;
    }

    /** How many messages one replay call fetches; default 500. */
    public Builder replayBatchSize(int messages) {
      this.replayBatchSize = positive("replayBatchSize", messages);
      return this;
    }

    /** How often idle SSE and streaming connections get a heartbeat; default 15 seconds. */
    public Builder heartbeatInterval(Duration interval) {
      Objects.requireNonNull(interval, "heartbeatInterval");
      if (interval.toMillis() <= 0) {
        throw new IllegalArgumentException(
            "heartbeatInterval must be at least 1 ms, was " + interval);
      }
      this.heartbeatInterval = interval;
      return this;
    }

    /**
     * How long a connection the server closes (a slow consumer, a protocol error, a drain, a
     * shutdown) may take to close gracefully, writing its last notice and close frame; after it the
     * transport aborts the connection (drops the TCP connection without waiting for the peer), so
     * that a client that stopped reading holds no socket, file descriptor or kernel send queue.
     * Default 5 seconds; at least 1 ms, at most 10 minutes.
     */
    public Builder closeTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "closeTimeout");
      if (timeout.toMillis() < 1 || timeout.compareTo(MAX_CLOSE_TIMEOUT) > 0) {
        throw new IllegalArgumentException(
            "closeTimeout must be between 1 ms and " + MAX_CLOSE_TIMEOUT + ", was " + timeout);
      }
      this.closeTimeout = timeout;
      return this;
    }

    /**
     * The longest a channel's live messages may wait for more of its messages to go out with them,
     * one write per subscriber. A channel waits only when delivering to its subscribers takes long:
     * its next walk over them starts no sooner than four times as long as the last one took,
     * counted from that one's start, and never later than this; a walk that took less than a
     * quarter of a millisecond (a channel with up to a few hundred subscribers on a node that is
     * not busy) lets the next start at once. So a busy channel with many subscribers spends at most
     * about a quarter of the time delivering, and gets cheaper per message as it gets busier, while
     * a quiet one or a small one is never delayed. Default 50 ms; at most 1 s; {@link
     * Duration#ZERO} starts each walk as soon as the last one ended.
     */
    public Builder maxBatchDelay(Duration delay) {
      Objects.requireNonNull(delay, "maxBatchDelay");
      if (delay.isNegative() || delay.compareTo(MAX_BATCH_DELAY) > 0) {
        throw new IllegalArgumentException(
            "maxBatchDelay must be between 0 and " + MAX_BATCH_DELAY + ", was " + delay);
      }
      this.maxBatchDelay = delay;
      return this;
    }

    /**
     * Where outboxes drain and channel handlers run; default a pool of one thread per core (at
     * least two) that the hub shuts down on close. An executor handed in here is not shut down.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Lets clients publish to channels matching {@code pattern} (an exact name, or a prefix
     * followed by {@code *}, such as {@code chat/*}); each message passes the authorizer, then
     * {@code handler}. Channels that match no pattern refuse client messages. The first matching
     * pattern wins.
     */
    public Builder acceptClientMessages(String pattern, ClientMessageHandler handler) {
      Objects.requireNonNull(pattern, "pattern");
      Objects.requireNonNull(handler, "handler");
      String name = pattern.endsWith("*") ? pattern.substring(0, pattern.length() - 1) : pattern;
      if (!name.isEmpty()) {
        try {
          Names.checkChannel(name);
        } catch (PushException e) {
          throw new IllegalArgumentException("bad pattern \"" + pattern + "\": " + e.getMessage());
        }
      }
      clientRules.add(new HubSettings.ClientRule(pattern, handler));
      return this;
    }

    /**
     * Makes client publishes to channels matching the patterns (an exact name, or a prefix followed
     * by {@code *}) ephemeral unless the publish says {@code "ephemeral":false}: delivered live to
     * the connections subscribed at that moment, never stored, without an offset, so a resume
     * neither replays them nor sees a gap (see {@link EphemeralMessage}). The channel's handler
     * sees the choice ({@link ClientMessage#ephemeral()}) and may change it. By default every
     * client publish that does not say is stored. Server publishes say which they are: {@link
     * Channel#publish} stores, {@link Channel#publishEphemeral} does not.
     */
    public Builder ephemeralChannels(String... patterns) {
      for (String pattern : patterns) {
        Objects.requireNonNull(pattern, "pattern");
        String name = pattern.endsWith("*") ? pattern.substring(0, pattern.length() - 1) : pattern;
        if (!name.isEmpty()) {
          try {
            Names.checkChannel(name);
          } catch (PushException e) {
            throw new IllegalArgumentException(
                "bad pattern \"" + pattern + "\": " + e.getMessage());
          }
        }
        ephemeralPatterns.add(pattern);
      }
      return this;
    }

    /**
     * The largest presence data a member may carry (a display name, a colour: see {@link
     * Member#data()}), in UTF-8 bytes of compact JSON; default 1,024. A subscribe with more is
     * refused with {@code too_large}.
     */
    public Builder maxMemberDataBytes(int bytes) {
      this.maxMemberDataBytes = positive("maxMemberDataBytes", bytes);
      return this;
    }

    /** Hears every join and leave on this node's channels. */
    public Builder presenceListener(PresenceListener listener) {
      presenceListeners.add(Objects.requireNonNull(listener, "presenceListener"));
      return this;
    }

    /**
     * Hears connections, deliveries, publishes, replays and the broker's health, for metrics or
     * tracing; {@code push-micrometer} brings one. The hub's own counters ({@link PushHub#stats()})
     * are kept either way.
     */
    public Builder observer(HubObserver observer) {
      this.observer = Objects.requireNonNull(observer, "observer");
      return this;
    }

    /**
     * The most connections open at once on this node, over every transport: WebSockets, SSE and
     * NDJSON streams, and long polls while they wait. Over it, new ones are refused with {@code
     * 503} and {@code Retry-After} (a WebSocket at its handshake; SSE as when draining), so that
     * clients go to another node; open ones are untouched. Default 10,000. {@link
     * Integer#MAX_VALUE} means no cap.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxConnections(int connections) {
      this.maxConnections = positive("maxConnections", connections);
      return this;
    }

    /**
     * The most connections open at once from one client address (an IPv6 client's /64 network), the
     * address {@link Client#remoteAddress()} names: the peer's, or the one a {@linkplain
     * #trustedProxies trusted proxy} forwards. Over it, new ones are refused with {@code 429
     * rate_limited} and {@code Retry-After}. Default 500, enough for an office behind one NAT
     * address. {@link Integer#MAX_VALUE} means no cap.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxConnectionsPerAddress(int connections) {
      this.maxConnectionsPerAddress = positive("maxConnectionsPerAddress", connections);
      return this;
    }

    /**
     * How fast one client address may open connections (WebSocket handshakes, SSE and NDJSON
     * streams, long polls without a cursor): {@code burst} at once, then {@code perSecond} a
     * second, as a token bucket. A long poll that carries a cursor continues its loop and is not
     * counted, so a polling client is never refused for polling. Over it, opens are refused with
     * {@code 429 rate_limited} and a {@code Retry-After} of when the next is allowed. Default 20 a
     * second with bursts of 100. {@code perSecond} {@link Integer#MAX_VALUE} means no limit.
     *
     * @throws IllegalArgumentException if either is not positive
     */
    public Builder openRate(int perSecond, int burst) {
      this.openRate = positive("openRate", perSecond);
      this.openBurst = positive("openBurst", burst);
      return this;
    }

    /**
     * No connection limits at all: no node cap, no per-address cap and no open rate, for a node
     * whose gateway enforces them or a load test from one machine. Later calls to the limit setters
     * apply again.
     */
    public Builder noConnectionLimits() {
      this.maxConnections = ConnectionLimits.UNLIMITED;
      this.maxConnectionsPerAddress = ConnectionLimits.UNLIMITED;
      this.openRate = ConnectionLimits.UNLIMITED;
      this.openBurst = ConnectionLimits.UNLIMITED;
      return this;
    }

    /** Builds and starts the hub. */
    public PushHub build() {
      boolean ownsBroker = broker == null;
      return new PushHub(
          new HubSettings(
              ownsBroker ? InMemoryBroker.create() : broker,
              ownsBroker,
              authorizer,
              authenticator,
              new JsonCodec(objectMapper, maxMessageBytes, maxJsonDepth),
              maxQueuedFrames,
              maxQueuedBytes,
              overflowPolicy,
              maxChannelsPerConnection,
              replayBatchSize,
              heartbeatInterval,
              executor,
              clientRules,
              presenceListeners,
              observer,
              allowedOrigins,
              trustedProxies,
              maxConnections,
              maxConnectionsPerAddress,
              openRate,
              openBurst,
              closeTimeout,
              ephemeralPatterns,
              maxMemberDataBytes,
              maxBatchDelay));
    }

    private static int positive(String name, int value) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + " must be > 0, was " + value);
      }
      return value;
    }
  }
}
