package dev.herald.push.spi;

import dev.herald.push.Client;
import dev.herald.push.ErrorCode;
import java.util.Objects;

/**
 * What an {@link AccessPolicy} says of a request: the client it may serve, or why not. A refusal
 * carries the {@link ErrorCode} whose {@link ErrorCode#httpStatus() status} and {@link
 * ErrorCode#wireName() wire name} the transport answers with, and a message fit for the client
 * (never a token or an exception's text). Immutable.
 *
 * @param client the client to serve; {@code null} when refused
 * @param refusal why the request is refused; {@code null} when allowed
 * @param message a client-facing explanation of the refusal; {@code null} when allowed
 */
public record AccessDecision(Client client, ErrorCode refusal, String message) {
  /** Requires exactly one of a client and a refusal, and a message with a refusal. */
  public AccessDecision {
    if ((client == null) == (refusal == null)) {
      throw new IllegalArgumentException("exactly one of client and refusal must be given");
    }
    if (refusal != null) {
      Objects.requireNonNull(message, "message");
    }
  }

  /** A decision to serve the client. */
  public static AccessDecision allow(Client client) {
    return new AccessDecision(Objects.requireNonNull(client, "client"), null, null);
  }

  /** A refusal with its code and client-facing message. */
  public static AccessDecision refuse(ErrorCode code, String message) {
    return new AccessDecision(null, Objects.requireNonNull(code, "code"), message);
  }

  /** Whether the request may be served. */
  public boolean isAllowed() {
    return client != null;
  }

  /** The HTTP status of the answer: 200 when allowed, else the refusal's status. */
  public int httpStatus() {
    return refusal == null ? 200 : refusal.httpStatus();
  }
}
