package dev.herald.push.spi;

/**
 * The few parts of an HTTP request (or WebSocket handshake) that decide who is calling and from
 * which origin, so that one {@link AccessPolicy} serves every transport and container. A transport
 * adapts its request to it; the policy reads only what it needs, and reads the {@code access_token}
 * parameter only when no {@code Authorization: Bearer} header was sent. Implementations are used on
 * one container thread and need not be thread-safe.
 */
public interface RequestView {
  /** The request's scheme as the server received it, {@code http} or {@code https}. */
  String scheme();

  /**
   * Every value of a request header, joined with {@code ", "} in the order received, or {@code
   * null} if it is absent. Header names are case-insensitive.
   */
  String header(String name);

  /** The address of the peer that opened the connection, such as {@code 127.0.0.1}, or null. */
  String remoteAddress();

  /** The name of the container's authenticated user, or {@code null}. */
  String principal();

  /** The {@code access_token} query parameter, or {@code null}. */
  String accessToken();
}
