package dev.herald.push;

import java.time.Instant;
import java.util.Objects;

/**
 * One connection subscribed to a channel, as presence reports it. Immutable.
 *
 * @param clientId the connection's client id
 * @param user the authenticated user, or {@code null}
 * @param since when it subscribed
 * @param data the member's presence data the client gave when it subscribed (a display name, a
 *     colour), as compact JSON text; {@code null} if it gave none
 */
public record Member(String clientId, String user, Instant since, String data) {
  /** Requires a client id and a time. */
  public Member {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(since, "since");
  }

  /** A member without presence data. */
  public Member(String clientId, String user, Instant since) {
    this(clientId, user, since, null);
  }
}
