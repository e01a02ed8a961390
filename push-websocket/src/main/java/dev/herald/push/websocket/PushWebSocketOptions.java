package dev.herald.push.websocket;

import dev.herald.push.spi.AccessPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How a WebSocket endpoint treats its clients: how large and how frequent client frames may be, and
 * how dead peers are found. Which origins may open a socket and who the client is are the hub's
 * {@link dev.herald.push.spi.AccessPolicy}, shared with the HTTP transports ({@code
 * PushHub.Builder.allowedOrigins}, {@code trustedProxies}). Immutable; thread-safe.
 *
 * <pre>{@code
 * PushWebSocketOptions options = PushWebSocketOptions.builder()
 *     .idleTimeout(Duration.ofSeconds(90))
 *     .build();
 * }</pre>
 */
public final class PushWebSocketOptions {
  private static final PushWebSocketOptions DEFAULTS = builder().build();

  private final Set<String> allowedOrigins;
  private final boolean anyOrigin;
  private final int maxFrameBytes;
  private final Duration idleTimeout;
  private final Duration pingInterval;
  private final Duration sendTimeout;
  private final double maxFrameRate;
  private final int frameBurst;
  private final int maxRateLimitedFrames;

  private PushWebSocketOptions(Builder b) {
    this.allowedOrigins = Set.copyOf(b.allowedOrigins);
    this.anyOrigin = b.anyOrigin;
    this.maxFrameBytes = b.maxFrameBytes;
    this.idleTimeout = b.idleTimeout;
    this.pingInterval = b.pingInterval;
    this.sendTimeout = b.sendTimeout;
    this.maxFrameRate = b.maxFrameRate;
    this.frameBurst = b.frameBurst;
    this.maxRateLimitedFrames = b.maxRateLimitedFrames;
  }

  /** The defaults: same origin only, 64 KiB frames, 60 s idle timeout, a ping every 20 s. */
  public static PushWebSocketOptions defaults() {
    return DEFAULTS;
  }

  /** Starts configuring options; every setter checks its argument at once. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The origins this endpoint allows in addition to the hub's, each as {@code scheme://host:port}
   * with the port spelled out.
   *
   * @deprecated list origins once, on the hub ({@code PushHub.Builder.allowedOrigins})
   */
  @Deprecated
  public Set<String> allowedOrigins() {
    return allowedOrigins;
  }

  /**
   * Whether this endpoint lets every origin open a socket, whatever the hub allows.
   *
   * @deprecated allow {@code "*"} on the hub ({@code PushHub.Builder.allowedOrigins})
   */
  @Deprecated
  public boolean allowsAnyOrigin() {
    return anyOrigin;
  }

  /** The endpoint's own additions to the hub's allowed origins, {@code "*"} for any. */
  List<String> extraOrigins() {
    List<String> extra = new ArrayList<>(allowedOrigins);
    if (anyOrigin) {
      extra.add("*");
    }
    return extra;
  }

  /** The largest client frame, in UTF-8 bytes; a larger one closes the socket with 1009. */
  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /** How long a socket may go without hearing from its peer (a frame or a pong) before closing. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** How often the server pings each socket. */
  public Duration pingInterval() {
    return pingInterval;
  }

  /** How long one write may wait for the peer to take it before the socket closes. */
  public Duration sendTimeout() {
    return sendTimeout;
  }

  /** The sustained number of client frames per second a socket may send. */
  public double maxFrameRate() {
    return maxFrameRate;
  }

  /** How many client frames a socket may send at once above the sustained rate. */
  public int frameBurst() {
    return frameBurst;
  }

  /**
   * How many frames of one socket may be refused for its rate before the socket closes with 1008;
   * the count starts again once the socket has paused long enough to regain its whole burst.
   */
  public int maxRateLimitedFrames() {
    return maxRateLimitedFrames;
  }

  @Override
  public String toString() {
    return "PushWebSocketOptions[origins="
        + (anyOrigin ? "*" : "same+" + allowedOrigins)
        + ", maxFrameBytes="
        + maxFrameBytes
        + ", idleTimeout="
        + idleTimeout
        + ", pingInterval="
        + pingInterval
        + ", sendTimeout="
        + sendTimeout
        + ", maxFrameRate="
        + maxFrameRate
        + ", frameBurst="
        + frameBurst
        + ", maxRateLimitedFrames="
        + maxRateLimitedFrames
        + "]";
  }

  /** The canonical form of an origin, or {@code null}: as the hub's policy reads origins. */
  static String canonicalOrigin(String origin) {
    return AccessPolicy.canonicalOrigin(origin);
  }

  /** Configures {@link PushWebSocketOptions}. Not thread-safe. */
  public static final class Builder {
    private final Set<String> allowedOrigins = new LinkedHashSet<>();
    private boolean anyOrigin;
    private int maxFrameBytes = 64 * 1024;
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration pingInterval = Duration.ofSeconds(20);
    private Duration sendTimeout = Duration.ofSeconds(30);
    private double maxFrameRate = 50;
    private int frameBurst = 100;
    private int maxRateLimitedFrames = 20;

    private Builder() {}

    /**
     * Lets pages of these origins open sockets, in addition to those the hub allows. Each origin is
     * {@code scheme://host[:port]}, such as {@code https://app.example.com}. Calls add up.
     *
     * @deprecated list origins once, on the hub ({@code PushHub.Builder.allowedOrigins}), so that
     *     every transport allows the same ones
     * @throws IllegalArgumentException naming an origin that is not of that form
     */
    @Deprecated
    public Builder allowedOrigins(String... origins) {
      Objects.requireNonNull(origins, "origins");
      for (String origin : origins) {
        String canonical = canonicalOrigin(origin);
        if (canonical == null) {
          throw new IllegalArgumentException(
              "allowedOrigins entries must be origins such as https://app.example.com, was "
                  + (origin == null ? "null" : "\"" + origin + "\""));
        }
        allowedOrigins.add(canonical);
      }
      return this;
    }

    /**
     * Lets pages of every origin open sockets. Only for endpoints that carry no user's credentials:
     * with cookies or container sessions, any web site could act as the user.
     *
     * @deprecated allow {@code "*"} on the hub ({@code PushHub.Builder.allowedOrigins})
     */
    @Deprecated
    public Builder allowAnyOrigin() {
      this.anyOrigin = true;
      return this;
    }

    /**
     * The largest client frame in UTF-8 bytes, 1 KiB to 16 MiB; default 64 KiB. A larger frame
     * closes the socket with 1009. Payloads must also fit the hub's {@code maxMessageBytes}.
     */
    public Builder maxFrameBytes(int bytes) {
      if (bytes < 1024 || bytes > 16 * 1024 * 1024) {
        throw new IllegalArgumentException(
            "maxFrameBytes must be between 1024 and 16777216, was " + bytes);
      }
      this.maxFrameBytes = bytes;
      return this;
    }

    /**
     * How long a socket may go without a frame or pong from its peer; default 60 s. Must exceed the
     * ping interval. A ping to a busy socket is queued with the data in flight, so its pong comes
     * once the peer has read what was ahead of it: a peer that reads steadily but stays behind
     * stays open as long as that takes less than this timeout.
     */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = atLeastMillis("idleTimeout", timeout, 100);
      return this;
    }

    /** How often each socket is pinged, busy or quiet; default 20 s. */
    public Builder pingInterval(Duration interval) {
      this.pingInterval = atLeastMillis("pingInterval", interval, 10);
      return this;
    }

    /** How long one write may wait for a peer that does not read; default 30 s. */
    public Builder sendTimeout(Duration timeout) {
      this.sendTimeout = atLeastMillis("sendTimeout", timeout, 100);
      return this;
    }

    /** The sustained client frames per second per socket, such as {@code 0.5}; default 50. */
    public Builder maxFrameRate(double framesPerSecond) {
      if (!(framesPerSecond > 0) || Double.isInfinite(framesPerSecond)) {
        throw new IllegalArgumentException(
            "maxFrameRate must be a positive finite number, was " + framesPerSecond);
      }
      this.maxFrameRate = framesPerSecond;
      return this;
    }

    /** How many frames a socket may send at once; default 100. */
    public Builder frameBurst(int frames) {
      if (frames <= 0) {
        throw new IllegalArgumentException("frameBurst must be > 0, was " + frames);
      }
      this.frameBurst = frames;
      return this;
    }

    /** How many rate-limited frames close the socket with 1008; default 20. */
    public Builder maxRateLimitedFrames(int frames) {
      if (frames <= 0) {
        throw new IllegalArgumentException("maxRateLimitedFrames must be > 0, was " + frames);
      }
      this.maxRateLimitedFrames = frames;
      return this;
    }

    /**
     * Builds the options.
     *
     * @throws IllegalArgumentException if the ping interval is not shorter than the idle timeout
     */
    public PushWebSocketOptions build() {
      if (pingInterval.compareTo(idleTimeout) >= 0) {
        throw new IllegalArgumentException(
            "pingInterval must be shorter than idleTimeout, was "
                + pingInterval
                + " with idleTimeout "
                + idleTimeout);
      }
      return new PushWebSocketOptions(this);
    }

    private static Duration atLeastMillis(String name, Duration value, long min) {
      Objects.requireNonNull(value, name);
      if (value.compareTo(Duration.ofMillis(min)) < 0) {
        throw new IllegalArgumentException(name + " must be at least " + min + " ms, was " + value);
      }
      return value;
    }
  }
}
