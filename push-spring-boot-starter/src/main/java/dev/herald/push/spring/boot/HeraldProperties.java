package dev.herald.push.spring.boot;

import dev.herald.push.OverflowPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Herald's settings under {@code herald.*}. Every default is the library's own, so an application
 * that sets nothing gets the hub, transports and broker that {@code PushHub.builder()} and its
 * peers build. Bound once at start-up; not thread-safe while binding.
 */
@ConfigurationProperties("herald")
public class HeraldProperties {
  /** Whether Herald is set up at all. */
  private boolean enabled = true;

  /**
   * Where the endpoints live inside the application: SSE, NDJSON streaming, long polling, publish
   * and herald.js under {@code <path>/}, the WebSocket at {@code <path>/ws}.
   */
  private String path = "/push";

  /**
   * Origins, besides the application's own, whose pages may use every transport, such as {@code
   * https://app.example.com}; {@code *} allows every origin.
   */
  private List<String> allowedOrigins = new ArrayList<>();

  /**
   * Addresses or CIDR ranges of the reverse proxies whose {@code X-Forwarded-For} and {@code
   * Forwarded} headers are believed; none by default.
   */
  private List<String> trustedProxies = new ArrayList<>();

  /**
   * Channel patterns, such as {@code chat/*}, whose client messages are published as they came,
   * subject to the {@code Authorizer}. A {@code HeraldCustomizer} adds patterns with a handler.
   */
  private List<String> clientPublish = new ArrayList<>();

  /**
   * Channel patterns, such as {@code board/*}, whose client publishes are ephemeral (delivered
   * live, never stored) unless a publish says {@code "ephemeral":false}.
   */
  private List<String> ephemeralChannels = new ArrayList<>();

  /** The largest presence data a member may carry, as compact JSON. */
  private DataSize maxMemberDataSize = DataSize.ofBytes(1024);

  /** How often an idle connection gets a heartbeat. */
  private Duration heartbeatInterval = Duration.ofSeconds(15);

  /** How long closing a connection may take before it is aborted. */
  private Duration closeTimeout = Duration.ofSeconds(5);

  /**
   * The longest a busy channel's messages may wait for more of its messages to go out with them,
   * one write per subscriber; 0 for never.
   */
  private Duration maxBatchDelay = Duration.ofMillis(50);

  /** The largest message payload, client or server, as encoded JSON. */
  private DataSize maxMessageSize = DataSize.ofKilobytes(64);

  /** How deeply a client message's JSON may nest. */
  private int maxJsonDepth = 32;

  /** Frames queued for one slow connection before the overflow policy applies. */
  private int maxQueuedFrames = 1024;

  /** Bytes queued for one slow connection before the overflow policy applies. */
  private DataSize maxQueuedSize = DataSize.ofMegabytes(1);

  /** What happens to a connection whose queue is full. */
  private OverflowPolicy overflowPolicy = OverflowPolicy.CLOSE;

  /** Channels one connection may subscribe to. */
  private int maxChannelsPerConnection = 64;

  /** Messages per replay batch when a client resumes. */
  private int replayBatchSize = 500;

  private final Limits limits = new Limits();
  private final History history = new History();
  private final Http http = new Http();
  private final WebSocket websocket = new WebSocket();
  private final Redis redis = new Redis();
  private final Shutdown shutdown = new Shutdown();
  private final Security security = new Security();

  /** Connection limits that protect the node from floods. */
  public static class Limits {
    /** Whether the limits apply; off, a node takes every connection it is offered. */
    private boolean enabled = true;

    /** Open connections the node takes; beyond it new ones are answered 503. */
    private int maxConnections = 10_000;

    /** Open connections one client address may hold; beyond it new ones are answered 429. */
    private int maxConnectionsPerAddress = 500;

    /** New connections per second one client address may open, on average. */
    private int openRate = 20;

    /** New connections one client address may open at once before the rate applies. */
    private int openBurst = 100;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public int getMaxConnections() {
      return maxConnections;
    }

    public void setMaxConnections(int maxConnections) {
      this.maxConnections = maxConnections;
    }

    public int getMaxConnectionsPerAddress() {
      return maxConnectionsPerAddress;
    }

    public void setMaxConnectionsPerAddress(int maxConnectionsPerAddress) {
      this.maxConnectionsPerAddress = maxConnectionsPerAddress;
    }

    public int getOpenRate() {
      return openRate;
    }

    public void setOpenRate(int openRate) {
      this.openRate = openRate;
    }

    public int getOpenBurst() {
      return openBurst;
    }

    public void setOpenBurst(int openBurst) {
      this.openBurst = openBurst;
    }
  }

  /** What each channel keeps for clients that resume, in memory or in Redis. */
  public static class History {
    /** Messages each channel keeps for replay. */
    private int size = 1000;

    /** How long a message stays replayable. */
    private Duration maxAge = Duration.ofHours(1);

    /** Bytes each channel keeps for replay (in memory only; Redis counts messages). */
    private DataSize maxSize = DataSize.ofMegabytes(1);

    public int getSize() {
      return size;
    }

    public void setSize(int size) {
      this.size = size;
    }

    public Duration getMaxAge() {
      return maxAge;
    }

    public void setMaxAge(Duration maxAge) {
      this.maxAge = maxAge;
    }

    public DataSize getMaxSize() {
      return maxSize;
    }

    public void setMaxSize(DataSize maxSize) {
      this.maxSize = maxSize;
    }
  }

  /** The HTTP transports: SSE, NDJSON streaming, long polling and publish. */
  public static class Http {
    /** How long a long poll waits for a message; whole seconds. */
    private Duration pollTimeout = Duration.ofSeconds(25);

    /** The reconnect delay SSE clients are told. */
    private Duration sseRetry = Duration.ofSeconds(3);

    /** Whether {@code <path>/health} answers with the hub's health, for a load balancer. */
    private boolean healthEndpoint;

    public Duration getPollTimeout() {
      return pollTimeout;
    }

    public void setPollTimeout(Duration pollTimeout) {
      this.pollTimeout = pollTimeout;
    }

    public Duration getSseRetry() {
      return sseRetry;
    }

    public void setSseRetry(Duration sseRetry) {
      this.sseRetry = sseRetry;
    }

    public boolean isHealthEndpoint() {
      return healthEndpoint;
    }

    public void setHealthEndpoint(boolean healthEndpoint) {
      this.healthEndpoint = healthEndpoint;
    }
  }

  /** The WebSocket transport, at {@code <path>/ws}. */
  public static class WebSocket {
    /** Whether the WebSocket endpoint is registered; off, clients use the HTTP transports. */
    private boolean enabled = true;

    /** The largest frame a client may send. */
    private DataSize maxFrameSize = DataSize.ofKilobytes(64);

    /** Frames per second a client may send, on average. */
    private double maxFrameRate = 50;

    /** Frames a client may send at once before the rate applies. */
    private int frameBurst = 100;

    /** How often the server pings each socket, busy or idle. */
    private Duration pingInterval = Duration.ofSeconds(20);

    /** How long a socket may stay silent before it is closed. */
    private Duration idleTimeout = Duration.ofSeconds(60);

    /** How long one send may take before the socket is closed. */
    private Duration sendTimeout = Duration.ofSeconds(30);

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public DataSize getMaxFrameSize() {
      return maxFrameSize;
    }

    public void setMaxFrameSize(DataSize maxFrameSize) {
      this.maxFrameSize = maxFrameSize;
    }

    public double getMaxFrameRate() {
      return maxFrameRate;
    }

    public void setMaxFrameRate(double maxFrameRate) {
      this.maxFrameRate = maxFrameRate;
    }

    public int getFrameBurst() {
      return frameBurst;
    }

    public void setFrameBurst(int frameBurst) {
      this.frameBurst = frameBurst;
    }

    public Duration getPingInterval() {
      return pingInterval;
    }

    public void setPingInterval(Duration pingInterval) {
      this.pingInterval = pingInterval;
    }

    public Duration getIdleTimeout() {
      return idleTimeout;
    }

    public void setIdleTimeout(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
    }

    public Duration getSendTimeout() {
      return sendTimeout;
    }

    public void setSendTimeout(Duration sendTimeout) {
      this.sendTimeout = sendTimeout;
    }
  }

  /** The Redis broker, which shares history and live messages between nodes. */
  public static class Redis {
    /**
     * Where Redis is, such as {@code redis://host:6379}, {@code
     * rediss://user:password@host:6380/0}, {@code redis-sentinel://host:26379#mymaster}, or a Redis
     * Cluster as {@code redis-cluster://host:port,host:port}. Set, Herald uses Redis (push-redis
     * must be on the class path); unset, history stays in this node's memory.
     */
    private String url;

    /** What every key and Pub/Sub channel name starts with. */
    private String keyPrefix = "herald:";

    /** How long a Redis command, and the connect, may take. */
    private Duration commandTimeout = Duration.ofSeconds(2);

    /** How long the members of a node that stopped without leaving still count in presence. */
    private Duration presenceTimeout = Duration.ofSeconds(15);

    public String getUrl() {
      return url;
    }

    public void setUrl(String url) {
      this.url = url;
    }

    public String getKeyPrefix() {
      return keyPrefix;
    }

    public void setKeyPrefix(String keyPrefix) {
      this.keyPrefix = keyPrefix;
    }

    public Duration getCommandTimeout() {
      return commandTimeout;
    }

    public void setCommandTimeout(Duration commandTimeout) {
      this.commandTimeout = commandTimeout;
    }

    public Duration getPresenceTimeout() {
      return presenceTimeout;
    }

    public void setPresenceTimeout(Duration presenceTimeout) {
      this.presenceTimeout = presenceTimeout;
    }
  }

  /** What happens to open connections when the application stops. */
  public static class Shutdown {
    /**
     * With {@code server.shutdown=graceful} (Spring Boot's default), how long the drain spreads the
     * closing of open connections over, so that clients come back to other nodes a few at a time;
     * it must fit in {@code spring.lifecycle.timeout-per-shutdown-phase}.
     */
    private Duration drainWindow = Duration.ofSeconds(5);

    public Duration getDrainWindow() {
      return drainWindow;
    }

    public void setDrainWindow(Duration drainWindow) {
      this.drainWindow = drainWindow;
    }
  }

  /** How Herald fits Spring Security, when it is present. */
  public static class Security {
    /**
     * Whether Spring Security's CSRF protection leaves {@code <path>/**} alone. Herald's publish
     * endpoint takes only JSON and refuses other origins' pages, which is what CSRF protection is
     * there for. Off, Spring Security refuses herald.js's publishes over HTTP (herald.js sends no
     * CSRF token); publishes over the WebSocket are not affected.
     */
    private boolean csrfExempt = true;

    public boolean isCsrfExempt() {
      return csrfExempt;
    }

    public void setCsrfExempt(boolean csrfExempt) {
      this.csrfExempt = csrfExempt;
    }
  }

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  public List<String> getAllowedOrigins() {
    return allowedOrigins;
  }

  public void setAllowedOrigins(List<String> allowedOrigins) {
    this.allowedOrigins = allowedOrigins;
  }

  public List<String> getTrustedProxies() {
    return trustedProxies;
  }

  public void setTrustedProxies(List<String> trustedProxies) {
    this.trustedProxies = trustedProxies;
  }

  public List<String> getClientPublish() {
    return clientPublish;
  }

  public void setClientPublish(List<String> clientPublish) {
    this.clientPublish = clientPublish;
  }

  public List<String> getEphemeralChannels() {
    return ephemeralChannels;
  }

  public void setEphemeralChannels(List<String> ephemeralChannels) {
    this.ephemeralChannels = ephemeralChannels;
  }

  public DataSize getMaxMemberDataSize() {
    return maxMemberDataSize;
  }

  public void setMaxMemberDataSize(DataSize maxMemberDataSize) {
    this.maxMemberDataSize = maxMemberDataSize;
  }

  public Duration getHeartbeatInterval() {
    return heartbeatInterval;
  }

  public void setHeartbeatInterval(Duration heartbeatInterval) {
    this.heartbeatInterval = heartbeatInterval;
  }

  public Duration getCloseTimeout() {
    return closeTimeout;
  }

  public void setCloseTimeout(Duration closeTimeout) {
    this.closeTimeout = closeTimeout;
  }

  public Duration getMaxBatchDelay() {
    return maxBatchDelay;
  }

  public void setMaxBatchDelay(Duration maxBatchDelay) {
    this.maxBatchDelay = maxBatchDelay;
  }

  public DataSize getMaxMessageSize() {
    return maxMessageSize;
  }

  public void setMaxMessageSize(DataSize maxMessageSize) {
    this.maxMessageSize = maxMessageSize;
  }

  public int getMaxJsonDepth() {
    return maxJsonDepth;
  }

  public void setMaxJsonDepth(int maxJsonDepth) {
    this.maxJsonDepth = maxJsonDepth;
  }

  public int getMaxQueuedFrames() {
    return maxQueuedFrames;
  }

  public void setMaxQueuedFrames(int maxQueuedFrames) {
    this.maxQueuedFrames = maxQueuedFrames;
  }

  public DataSize getMaxQueuedSize() {
    return maxQueuedSize;
  }

  public void setMaxQueuedSize(DataSize maxQueuedSize) {
    this.maxQueuedSize = maxQueuedSize;
  }

  public OverflowPolicy getOverflowPolicy() {
    return overflowPolicy;
  }

  public void setOverflowPolicy(OverflowPolicy overflowPolicy) {
    this.overflowPolicy = overflowPolicy;
  }

  public int getMaxChannelsPerConnection() {
    return maxChannelsPerConnection;
  }

  public void setMaxChannelsPerConnection(int maxChannelsPerConnection) {
    this.maxChannelsPerConnection = maxChannelsPerConnection;
  }

  public int getReplayBatchSize() {
    return replayBatchSize;
  }

  public void setReplayBatchSize(int replayBatchSize) {
    this.replayBatchSize = replayBatchSize;
  }

  public Limits getLimits() {
    return limits;
  }

  public History getHistory() {
    return history;
  }

  public Http getHttp() {
    return http;
  }

  public WebSocket getWebsocket() {
    return websocket;
  }

  public Redis getRedis() {
    return redis;
  }

  public Shutdown getShutdown() {
    return shutdown;
  }

  public Security getSecurity() {
    return security;
  }
}
