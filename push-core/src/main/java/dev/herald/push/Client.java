package dev.herald.push;

import java.util.Objects;

/**
 * Who is on the other end of a connection or an HTTP publish. Immutable.
 *
 * @param id a random id the hub gives each connection, also sent in the {@code ready} frame
 * @param user the authenticated user name, or {@code null} for an anonymous client
 * @param remoteAddress the peer's address as the container reports it, or {@code null}
 */
public record Client(String id, String user, String remoteAddress) {
  /** Requires an id. */
  public Client {
    Objects.requireNonNull(id, "id");
  }

  /** Whether the client authenticated. */
  public boolean isAuthenticated() {
    return user != null;
  }
}
