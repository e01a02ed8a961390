package dev.herald.push.websocket;

import dev.herald.push.spi.QueryParameters;
import dev.herald.push.spi.RequestView;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.Enumeration;

/** A handshake request as the hub's access policy reads it. Confined to the handshake's thread. */
final class HandshakeRequest implements RequestView {
  private final HttpServletRequest request;
  private final QueryParameters query;

  /**
   * Reads the request's query string strictly, never through the container, which may drop a
   * parameter it cannot decode.
   *
   * @throws dev.herald.push.PushException naming the parameter if the query string is malformed
   */
  HandshakeRequest(HttpServletRequest request) {
    this.request = request;
    this.query = QueryParameters.parse(request.getQueryString());
  }

  @Override
  public String scheme() {
    return request.getScheme();
  }

  @Override
  public String header(String name) {
    Enumeration<String> values = request.getHeaders(name);
    if (values == null || !values.hasMoreElements()) {
      return null;
    }
    StringBuilder all = new StringBuilder(values.nextElement());
    while (values.hasMoreElements()) {
      all.append(", ").append(values.nextElement());
    }
    return all.toString();
  }

  @Override
  public String remoteAddress() {
    return request.getRemoteAddr();
  }

  @Override
  public String principal() {
    Principal principal = request.getUserPrincipal();
    return principal == null ? null : principal.getName();
  }

  @Override
  public String accessToken() {
    return query.first("access_token");
  }
}
