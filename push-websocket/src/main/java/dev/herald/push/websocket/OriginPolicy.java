package dev.herald.push.websocket;

import java.util.Locale;
import java.util.Set;

/**
 * Decides from the {@code Origin} and {@code Host} headers whether a handshake may proceed: the
 * browser's defence against other sites opening sockets with the user's cookies. Immutable;
 * thread-safe.
 *
 * <p>A request without {@code Origin} comes from a non-browser client, which could forge the header
 * anyway, so it is allowed. A page of the server's own origin is allowed: its host equals the
 * {@code Host} header's, and its port equals the {@code Host} port or, when {@code Host} names
 * none, the default port of the page's scheme (which keeps same-origin pages working behind a proxy
 * that terminates TLS). Anything else must be listed.
 */
final class OriginPolicy {
  private final Set<String> allowed;
  private final boolean any;

  OriginPolicy(PushWebSocketOptions options) {
    this.allowed = options.allowedOrigins();
    this.any = options.allowsAnyOrigin();
  }

  /** Whether a handshake with these headers may proceed. */
  boolean allows(String origin, String host) {
    if (origin == null || any) {
      return true;
    }
    String canonical = PushWebSocketOptions.canonicalOrigin(origin.trim());
    if (canonical == null) {
      return false;
    }
    return allowed.contains(canonical) || sameOrigin(canonical, host);
  }

  private static boolean sameOrigin(String canonicalOrigin, String host) {
    if (host == null || host.isBlank()) {
      return false;
    }
    int schemeEnd = canonicalOrigin.indexOf("://");
    String scheme = canonicalOrigin.substring(0, schemeEnd);
    int portAt = canonicalOrigin.lastIndexOf(':');
    String originHost = canonicalOrigin.substring(schemeEnd + 3, portAt);
    int originPort = Integer.parseInt(canonicalOrigin.substring(portAt + 1));

    String h = host.trim().toLowerCase(Locale.ROOT);
    String hostName;
    String hostPort;
    if (h.startsWith("[")) {
      int close = h.indexOf(']');
      if (close < 0) {
        return false;
      }
      hostName = h.substring(0, close + 1);
      String rest = h.substring(close + 1);
      if (rest.isEmpty()) {
        hostPort = null;
      } else if (rest.startsWith(":")) {
        hostPort = rest.substring(1);
      } else {
        return false;
      }
    } else {
      int colon = h.indexOf(':');
      hostName = colon < 0 ? h : h.substring(0, colon);
      hostPort = colon < 0 ? null : h.substring(colon + 1);
    }
    int port;
    if (hostPort == null) {
      port = PushWebSocketOptions.defaultPort(scheme);
    } else {
      try {
        port = Integer.parseInt(hostPort);
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return hostName.equals(originHost) && port == originPort;
  }
}
