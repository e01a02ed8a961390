package dev.herald.push;

import java.time.Instant;
import java.util.Objects;

/**
 * One connection subscribed to a channel, as presence reports it. Immutable.
 *
 * @param clientId the connection's client id
 * @param user the authenticated user, or {@code null}
 * @param since when it subscribed
 */
public record Member(String clientId, String user, Instant since) {
  /** Requires a client id and a time. */
  public Member {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(since, "since");
  }
}
