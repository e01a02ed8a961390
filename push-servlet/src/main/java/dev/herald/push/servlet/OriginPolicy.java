package dev.herald.push.servlet;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which browser origins may use the transports, and the CORS headers they get. Same-origin requests
 * (the {@code Origin}'s host and port equal the request's {@code Host}) and requests without an
 * {@code Origin} (non-browser clients) are always allowed; other origins only if listed. Immutable.
 */
final class OriginPolicy {
  /** The request headers a cross-origin request may carry, as a preflight answer lists them. */
  static final String ALLOWED_HEADERS =
      "Authorization, Content-Type, Last-Event-ID, Cache-Control, X-Requested-With";

  private static final String ANY = "*";

  private final Set<String> allowed;
  private final boolean any;

  private OriginPolicy(Set<String> allowed, boolean any) {
    this.allowed = allowed;
    this.any = any;
  }

  /**
   * A policy allowing these cross-origin origins; {@code "*"} allows every origin (without
   * credentials).
   *
   * @throws IllegalArgumentException naming the first entry that is not an origin
   */
  static OriginPolicy of(Collection<String> origins) {
    Set<String> set = new LinkedHashSet<>();
    boolean any = false;
    for (String origin : origins) {
      if (ANY.equals(origin)) {
        any = true;
      } else {
        set.add(normalize(origin));
      }
    }
    return new OriginPolicy(Set.copyOf(set), any);
  }

  /** What the policy says of a request. */
  enum Verdict {
    /** No {@code Origin} header: not a browser's cross-origin request. */
    NO_ORIGIN,
    /** The origin is the request's own host and port. */
    SAME_ORIGIN,
    /** Another origin that is allowed: CORS headers go on the response. */
    ALLOWED,
    /** Another origin that is not allowed. */
    REFUSED
  }

  Verdict check(HttpServletRequest request) {
    String origin = request.getHeader("Origin");
    if (origin == null || origin.isEmpty()) {
      return Verdict.NO_ORIGIN;
    }
    URI uri = parse(origin);
    if (uri != null && isSameOrigin(uri, request)) {
      return Verdict.SAME_ORIGIN;
    }
    if (any) {
      return Verdict.ALLOWED;
    }
    if (uri != null && allowed.contains(canonical(uri))) {
      return Verdict.ALLOWED;
    }
    return Verdict.REFUSED;
  }

  /** Adds the CORS headers of an allowed cross-origin response. */
  void addCorsHeaders(HttpServletRequest request, HttpServletResponse response) {
    response.addHeader("Vary", "Origin");
    if (any) {
      response.setHeader("Access-Control-Allow-Origin", "*");
    } else {
      response.setHeader("Access-Control-Allow-Origin", request.getHeader("Origin"));
      response.setHeader("Access-Control-Allow-Credentials", "true");
    }
  }

  /** Adds the headers that answer an allowed preflight. */
  void addPreflightHeaders(
      HttpServletRequest request, HttpServletResponse response, String methods) {
    addCorsHeaders(request, response);
    response.setHeader("Access-Control-Allow-Methods", methods);
    response.setHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS);
    response.setHeader("Access-Control-Max-Age", "600");
  }

  /**
   * The canonical form of an allow-list entry, {@code scheme://host:port}.
   *
   * @throws IllegalArgumentException if it is not an origin such as {@code https://app.example.com}
   */
  static String normalize(String origin) {
    URI uri = origin == null ? null : parse(origin);
    if (uri == null) {
      throw new IllegalArgumentException(
          "allowedOrigins entries must be origins such as https://app.example.com or \"*\", was "
              + (origin == null ? "null" : "\"" + origin + "\""));
    }
    return canonical(uri);
  }

  /** Parses {@code scheme://host[:port]} with nothing else, or returns {@code null}. */
  private static URI parse(String origin) {
    try {
      URI uri = new URI(origin);
      String scheme = uri.getScheme();
      if (scheme == null
          || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          || uri.getHost() == null
          || uri.getRawUserInfo() != null
          || !(uri.getRawPath() == null || uri.getRawPath().isEmpty())
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null) {
        return null;
      }
      return uri;
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private static String canonical(URI uri) {
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    int port = uri.getPort() >= 0 ? uri.getPort() : defaultPort(scheme);
    return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
  }

  private static boolean isSameOrigin(URI origin, HttpServletRequest request) {
    String host = request.getHeader("Host");
    String hostName;
    int port;
    int defaultPort = defaultPort(request.getScheme());
    if (host == null || host.isEmpty()) {
      hostName = request.getServerName();
      port = request.getServerPort();
    } else {
      int colon = host.lastIndexOf(':');
      int bracket = host.lastIndexOf(']');
      if (colon > bracket) {
        hostName = host.substring(0, colon);
        try {
          port = Integer.parseInt(host.substring(colon + 1));
        } catch (NumberFormatException e) {
          return false;
        }
      } else {
        hostName = host;
        port = defaultPort;
      }
    }
    int originPort =
        origin.getPort() >= 0
            ? origin.getPort()
            : defaultPort(origin.getScheme().toLowerCase(Locale.ROOT));
    return origin.getHost().equalsIgnoreCase(hostName) && originPort == port;
  }

  private static int defaultPort(String scheme) {
    return "https".equalsIgnoreCase(scheme) ? 443 : 80;
  }
}
