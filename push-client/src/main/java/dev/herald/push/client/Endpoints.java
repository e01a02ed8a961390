package dev.herald.push.client;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Locale;

/**
 * The URIs of a server's transports below one base URI such as {@code http://host/push}. Immutable.
 */
final class Endpoints {
  private final String base;
  private final String webSocketBase;

  /**
   * @throws IllegalArgumentException if the base is not an absolute http(s) URI without query or
   *     fragment
   */
  Endpoints(URI base) {
    String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")
        || base.getRawAuthority() == null
        || base.getRawQuery() != null
        || base.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "base must be an absolute http or https URI without query or fragment, such as"
              + " http://localhost:8080/push, was "
              + base);
    }
    String text = base.toString();
    while (text.endsWith("/")) {
      text = text.substring(0, text.length() - 1);
    }
    this.base = text;
    this.webSocketBase = (scheme.equals("https") ? "wss" : "ws") + text.substring(scheme.length());
  }

  /** {@code <base>/sse}, {@code /stream} or {@code /poll} with channels, cursor and timeout. */
  URI stream(Transport transport, Collection<String> channels, String since, int timeoutSeconds) {
    StringBuilder sb = new StringBuilder(base).append(transport.path());
    char sep = '?';
    for (String channel : channels) {
      sb.append(sep).append("channel=").append(encode(channel));
      sep = '&';
    }
    if (since != null) {
      sb.append(sep).append("since=").append(encode(since));
      sep = '&';
    }
    if (timeoutSeconds >= 0) {
      sb.append(sep).append("timeout=").append(timeoutSeconds);
    }
    return URI.create(sb.toString());
  }

  /** {@code ws(s)://…/ws}. */
  URI webSocket() {
    return URI.create(webSocketBase + Transport.WEBSOCKET.path());
  }

  /** {@code <base>/publish}. */
  URI publish() {
    return URI.create(base + "/publish");
  }

  @Override
  public String toString() {
    return base;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
