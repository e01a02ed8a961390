package dev.herald.push.spi;

import java.util.Objects;

/**
 * Why a connection closed. Immutable.
 *
 * @param code a short machine-readable reason such as {@code slow_consumer}
 * @param message a human-readable explanation, safe to send to the client
 * @param retryMillis a hint for the client: reconnect after a random delay of up to this many
 *     milliseconds; {@code 0} for no hint
 */
public record CloseReason(String code, String message, long retryMillis) {
  /** The client read slower than messages arrived and its outbox filled up. */
  public static final CloseReason SLOW_CONSUMER =
      new CloseReason("slow_consumer", "the client read too slowly; resume from the cursor");

  /** The hub is shutting down. */
  public static final CloseReason SHUTDOWN =
      new CloseReason("server_shutdown", "the server is shutting down");

  /** The client went away or the transport could not write to it. */
  public static final CloseReason CLIENT_GONE =
      new CloseReason("client_gone", "the client went away");

  /** The transport's work with this connection is done, such as an answered long poll. */
  public static final CloseReason COMPLETED = new CloseReason("completed", "the response is done");

  /**
   * The server asked the client to reconnect, for example to drain a node before a restart; the
   * client resumes from its cursor, on this node or another.
   */
  public static final CloseReason RECONNECT =
      new CloseReason("reconnect", "the server asked the client to reconnect");

  /** The broker failed in a way the connection cannot recover from. */
  public static final CloseReason UNAVAILABLE =
      new CloseReason("unavailable", "the message broker is unavailable; retry later");

  /**
   * The node is draining before a restart ({@code PushHub.drain}): reconnect, to this node's
   * replacement or another, after a random delay of up to {@link #retryMillis()}, and resume from
   * the cursor. WebSocket closes with 1012 (Service Restart).
   */
  public static final CloseReason RESTART =
      new CloseReason(
          "server_restart", "the server is restarting; reconnect and resume from the cursor", 1000);

  /** Requires both texts and a retry hint of at least 0. */
  public CloseReason {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
    if (retryMillis < 0) {
      throw new IllegalArgumentException("retryMillis must be >= 0, was " + retryMillis);
    }
  }

  /** A reason without a retry hint. */
  public CloseReason(String code, String message) {
    this(code, message, 0);
  }

  /** This reason with another retry hint. */
  public CloseReason withRetry(long millis) {
    return new CloseReason(code, message, millis);
  }
}
