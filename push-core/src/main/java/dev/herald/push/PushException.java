package dev.herald.push;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A refusal that a transport reports to its client as an {@code error} frame or HTTP status. The
 * message is safe to send to the client: it never holds message bodies, tokens or stack traces.
 * Immutable.
 */
public class PushException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final Duration retryAfter;

  /** Creates an exception with the given code and client-facing message. */
  public PushException(ErrorCode code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
    this.retryAfter = null;
  }

  /** Creates an exception with the given code, client-facing message and cause. */
  public PushException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
    this.retryAfter = null;
  }

  /** A refusal for a while only, such as a connection limit: the client may try again later. */
  PushException(ErrorCode code, String message, Duration retryAfter) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
    this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
  }

  /** Why the request was refused. */
  public ErrorCode code() {
    return code;
  }

  /**
   * How long the client should wait before it tries again, when the refusal is for a while only (a
   * hub at one of its connection limits, closed or draining); transports answer it as {@code
   * Retry-After}. Empty for refusals that trying again will not cure.
   */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
