package dev.herald.push;

import java.util.Objects;

/**
 * A refusal that a transport reports to its client as an {@code error} frame or HTTP status. The
 * message is safe to send to the client: it never holds message bodies, tokens or stack traces.
 * Immutable.
 */
public class PushException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;

  /** Creates an exception with the given code and client-facing message. */
  public PushException(ErrorCode code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** Creates an exception with the given code, client-facing message and cause. */
  public PushException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** Why the request was refused. */
  public ErrorCode code() {
    return code;
  }
}
