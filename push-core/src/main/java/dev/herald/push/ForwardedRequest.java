package dev.herald.push;

import dev.herald.push.spi.RequestView;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The scheme, host and client address of a request as its client made it: the request's own, or,
 * when the peer is a trusted proxy, what that proxy's {@code Forwarded} header (RFC 7239) or, if it
 * sent none, its {@code X-Forwarded-*} headers say. Immutable.
 *
 * <p>Proxies append to {@code Forwarded} and {@code X-Forwarded-For}, so whatever a client sent
 * itself is on the left. The chain is read from the right: the element the peer added, then, while
 * the address it names is another trusted proxy, the one before. The element reached describes the
 * request as the outermost trusted proxy received it. {@code X-Forwarded-Host}, {@code
 * X-Forwarded-Proto} and {@code X-Forwarded-Port} are usually replaced rather than appended by
 * proxies; their last value counts.
 *
 * @param scheme {@code http} or {@code https}
 * @param host the host, lower case, IPv6 in brackets; {@code null} if unknown
 * @param port the port, the scheme's default if none was named; -1 if the host is unknown
 * @param clientAddress the client's address, or {@code null}
 */
record ForwardedRequest(String scheme, String host, int port, String clientAddress) {

  static ForwardedRequest of(RequestView request, ProxyList trusted) {
    String scheme = scheme(request.scheme());
    String peer = request.remoteAddress();
    if (trusted.trusts(peer)) {
      String forwarded = request.header("Forwarded");
      if (forwarded != null && !forwarded.isBlank()) {
        return fromForwarded(forwarded, scheme, request.header("Host"), peer, trusted);
      }
      String forwardedHost = last(request.header("X-Forwarded-Host"));
      String forwardedProto = last(request.header("X-Forwarded-Proto"));
      String forwardedPort = last(request.header("X-Forwarded-Port"));
      String forwardedFor = request.header("X-Forwarded-For");
      if (forwardedHost != null || forwardedProto != null || forwardedFor != null) {
        String s = forwardedProto == null ? scheme : scheme(forwardedProto);
        String authority = forwardedHost != null ? forwardedHost : request.header("Host");
        String client = forwardedFor == null ? peer : walk(split(forwardedFor), peer, trusted);
        ForwardedRequest r = withAuthority(s, authority, client);
        if (forwardedPort != null && r.host != null && !hasPort(authority)) {
          try {
            return new ForwardedRequest(s, r.host, Integer.parseInt(forwardedPort), client);
          } catch (NumberFormatException e) {
            return new ForwardedRequest(s, null, -1, client);
          }
        }
        return r;
      }
    }
    return withAuthority(scheme, request.header("Host"), peer);
  }

  private static ForwardedRequest fromForwarded(
      String header, String scheme, String hostHeader, String peer, ProxyList trusted) {
    List<String> elements = split(header);
    // From the right: the element the peer added, then on while its for= is a trusted proxy.
    int at = elements.size() - 1;
    while (at > 0 && trusted.trusts(parameter(elements.get(at), "for"))) {
      at--;
    }
    String element = elements.get(at);
    String forAddress = parameter(element, "for");
    String proto = parameter(element, "proto");
    String host = parameter(element, "host");
    return withAuthority(
        proto == null ? scheme : scheme(proto),
        host == null ? hostHeader : host,
        forAddress == null ? peer : ProxyList.stripPortAndBrackets(forAddress));
  }

  /** Walks an {@code X-Forwarded-For} list from the right past trusted proxies. */
  private static String walk(List<String> chain, String peer, ProxyList trusted) {
    String client = peer;
    for (int i = chain.size() - 1; i >= 0; i--) {
      client = chain.get(i);
      if (!trusted.trusts(client)) {
        break;
      }
    }
    return ProxyList.stripPortAndBrackets(client);
  }

  /** Parses a {@code host[:port]} authority; an unparseable one leaves the host unknown. */
  private static ForwardedRequest withAuthority(String scheme, String authority, String client) {
    if (authority == null || authority.isBlank()) {
      return new ForwardedRequest(scheme, null, -1, client);
    }
    String a = authority.trim().toLowerCase(Locale.ROOT);
    String host;
    String port;
    if (a.startsWith("[")) {
      int close = a.indexOf(']');
      if (close < 0) {
        return new ForwardedRequest(scheme, null, -1, client);
      }
      host = a.substring(0, close + 1);
      String rest = a.substring(close + 1);
      if (!rest.isEmpty() && !rest.startsWith(":")) {
        return new ForwardedRequest(scheme, null, -1, client);
      }
      port = rest.isEmpty() ? null : rest.substring(1);
    } else {
      int colon = a.indexOf(':');
      host = colon < 0 ? a : a.substring(0, colon);
      port = colon < 0 ? null : a.substring(colon + 1);
    }
    if (host.isEmpty()) {
      return new ForwardedRequest(scheme, null, -1, client);
    }
    if (port == null) {
      return new ForwardedRequest(scheme, host, OriginList.defaultPort(scheme), client);
    }
    try {
      int p = Integer.parseInt(port);
      return p < 0 || p > 65535
          ? new ForwardedRequest(scheme, null, -1, client)
          : new ForwardedRequest(scheme, host, p, client);
    } catch (NumberFormatException e) {
      return new ForwardedRequest(scheme, null, -1, client);
    }
  }

  private static boolean hasPort(String authority) {
    if (authority == null) {
      return false;
    }
    int bracket = authority.lastIndexOf(']');
    return authority.lastIndexOf(':') > bracket;
  }

  /** {@code https} for https or wss, whatever the case; else {@code http}. */
  private static String scheme(String s) {
    String lower = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
    return lower.equals("https") || lower.equals("wss") ? "https" : "http";
  }

  /** A parameter of one {@code Forwarded} element, unquoted; {@code null} if absent. */
  private static String parameter(String element, String name) {
    for (String pair : element.split(";")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).trim().equalsIgnoreCase(name)) {
        String value = pair.substring(eq + 1).trim();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        return value.isEmpty() ? null : value;
      }
    }
    return null;
  }

  /** Splits at commas outside quotes, trimming and dropping empty parts. */
  private static List<String> split(String header) {
    List<String> parts = new ArrayList<>();
    StringBuilder part = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      }
      if (c == ',' && !quoted) {
        add(parts, part);
      } else {
        part.append(c);
      }
    }
    add(parts, part);
    if (parts.isEmpty()) {
      parts.add("");
    }
    return parts;
  }

  private static void add(List<String> parts, StringBuilder part) {
    String s = part.toString().trim();
    if (!s.isEmpty()) {
      parts.add(s);
    }
    part.setLength(0);
  }

  private static String last(String header) {
    if (header == null) {
      return null;
    }
    List<String> values = split(header);
    String value = values.get(values.size() - 1);
    return value.isEmpty() ? null : value;
  }
}
