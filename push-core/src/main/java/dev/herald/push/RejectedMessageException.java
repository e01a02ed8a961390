package dev.herald.push;

/**
 * Thrown by a {@link ClientMessageHandler} to refuse a client's message; the client receives an
 * {@code error} frame with code {@code rejected} and this exception's message, so write it for the
 * end user. Immutable.
 */
public class RejectedMessageException extends PushException {
  private static final long serialVersionUID = 1L;

  /** Creates a rejection whose message the client will see. */
  public RejectedMessageException(String message) {
    super(ErrorCode.REJECTED, message);
  }
}
