package dev.herald.push;

/**
 * Turns a bearer token into a user name, for clients that do not come with a container principal.
 * Transports pass the token from the {@code Authorization: Bearer} header, or from the {@code
 * access_token} query parameter where a browser API cannot set headers (EventSource, WebSocket).
 * Implementations must be thread-safe; they run on container threads.
 */
@FunctionalInterface
public interface Authenticator {
  /**
   * Accepts no token: a client without a container principal is anonymous if it sends no token, and
   * refused with 401 if it sends one, on every transport, as for any token that is not accepted. A
   * client that believes it signed in must learn that it did not.
   */
  Authenticator NONE = token -> null;

  /**
   * Returns the user the token belongs to, or {@code null} if the token is not valid. A transport
   * answers an invalid token with 401 rather than treating the client as anonymous. An exception is
   * a failure of the authenticator, not a verdict on the token: it is logged and answered with 500.
   */
  String authenticate(String bearerToken);
}
