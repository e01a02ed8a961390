package dev.herald.push.spi;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collection;
import java.util.Locale;

/**
 * The one origin and identity policy every transport applies, so that SSE, NDJSON, long polling,
 * HTTP publish and the WebSocket handshake cannot disagree. A transport gets it from {@link
 * TransportContext#accessPolicy()}, adapts each request to a {@link RequestView}, and answers a
 * refusal with the decision's status and code. Thread-safe.
 *
 * <p><b>Origin.</b> A request without {@code Origin} is not a browser's cross-origin request and
 * passes. A request whose {@code Origin} has the scheme, host and port the request was made to (its
 * scheme and {@code Host} header; a {@code Host} without port means the scheme's default port) is
 * same-origin and passes. Any other origin passes only if allowed ({@code
 * PushHub.Builder.allowedOrigins}). When the peer is one of the hub's trusted proxies, the scheme,
 * host and client address come from {@code Forwarded}, else {@code X-Forwarded-Proto}, {@code
 * X-Forwarded-Host}, {@code X-Forwarded-Port} and {@code X-Forwarded-For}; otherwise those headers
 * are ignored, because any client can forge them.
 *
 * <p><b>Identity.</b> The container's principal if there is one; else the user the hub's {@link
 * dev.herald.push.Authenticator} finds for a bearer token ({@code Authorization: Bearer}, else the
 * {@code access_token} parameter; an empty token counts as none); else anonymous. A token that is
 * not accepted, with or without an authenticator configured, is refused with {@code 401
 * unauthorized}; an authenticator that throws gets {@code 500 internal}, logged.
 */
public interface AccessPolicy {
  /** What the policy says of a request's {@code Origin}. */
  enum OriginVerdict {
    /** No {@code Origin} header: not a browser's cross-origin request. */
    NO_ORIGIN,
    /** The origin is the one the request was made to. */
    SAME_ORIGIN,
    /** Another origin that is allowed; HTTP answers carry CORS headers. */
    ALLOWED,
    /** Another origin that is not allowed: answer {@code 403 forbidden}. */
    REFUSED
  }

  /** Checks the request's {@code Origin}; logs a refusal. */
  OriginVerdict checkOrigin(RequestView request);

  /**
   * Finds the client behind a request whose origin was checked: allowed with the client (a new id,
   * the user, the client's address), or refused with {@code unauthorized} or {@code internal}.
   */
  AccessDecision identify(RequestView request);

  /** {@link #checkOrigin} and then {@link #identify}: refused with {@code forbidden} first. */
  AccessDecision decide(RequestView request);

  /** Whether every origin is allowed (CORS answers then say {@code *}, without credentials). */
  boolean allowsAnyOrigin();

  /**
   * This policy allowing these origins as well, for a transport's own additions; {@code "*"} allows
   * every origin. Returns this policy for an empty collection.
   *
   * @throws IllegalArgumentException naming the first entry that is not an origin
   */
  AccessPolicy withAllowedOrigins(Collection<String> origins);

  /**
   * The canonical form {@code scheme://host:port} of an origin, in lower case with the port spelled
   * out, or {@code null} if the text is not the origin of an http or https page. {@code ws} and
   * {@code wss} are read as {@code http} and {@code https}, the schemes of the pages that open such
   * sockets. Transports use it to check their own settings.
   */
  static String canonicalOrigin(String origin) {
    if (origin == null || origin.isEmpty() || origin.length() > 2048) {
      return null;
    }
    URI uri;
    try {
      uri = new URI(origin);
    } catch (URISyntaxException e) {
      return null;
    }
    String scheme = uri.getScheme();
    String host = uri.getHost();
    if (scheme == null
        || host == null
        || uri.getRawUserInfo() != null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || !(uri.getRawPath() == null || uri.getRawPath().isEmpty())) {
      return null;
    }
    scheme =
        switch (scheme.toLowerCase(Locale.ROOT)) {
          case "http", "ws" -> "http";
          case "https", "wss" -> "https";
          default -> null;
        };
    if (scheme == null) {
      return null;
    }
    int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    return scheme + "://" + host.toLowerCase(Locale.ROOT) + ":" + port;
  }
}
