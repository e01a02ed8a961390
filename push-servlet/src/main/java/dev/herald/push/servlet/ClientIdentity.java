package dev.herald.push.servlet;

import dev.herald.push.Authenticator;
import dev.herald.push.Client;
import dev.herald.push.ErrorCode;
import dev.herald.push.spi.TransportContext;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who makes a request: the container's principal; else the user of a bearer token (the {@code
 * Authorization: Bearer} header, or the {@code access_token} query parameter for browser APIs that
 * cannot set headers) as the hub's {@link Authenticator} names it; else anonymous. A token the
 * authenticator refuses is answered with 401, never taken as anonymous. With {@link
 * Authenticator#NONE} tokens are ignored. Thread-safe.
 */
final class ClientIdentity {
  private static final Logger LOG = LoggerFactory.getLogger(ClientIdentity.class);
  private static final String BEARER = "bearer ";

  private ClientIdentity() {}

  /**
   * The client behind the request, with a new id.
   *
   * @throws HttpError 401 for a token the authenticator refuses
   */
  static Client of(TransportContext transport, HttpServletRequest request) {
    String remote = request.getRemoteAddr();
    Principal principal = request.getUserPrincipal();
    if (principal != null) {
      return transport.newClient(principal.getName(), remote);
    }
    Authenticator authenticator = transport.authenticator();
    if (authenticator == Authenticator.NONE) {
      return transport.newClient(null, remote);
    }
    String token = bearerToken(request);
    if (token == null) {
      return transport.newClient(null, remote);
    }
    String user;
    try {
      user = authenticator.authenticate(token);
    } catch (RuntimeException e) {
      LOG.warn("The authenticator failed for a request from {}; refusing it", remote, e);
      user = null;
    }
    if (user == null) {
      LOG.info("Refused a bearer token from {}", remote);
      throw HttpError.of(ErrorCode.UNAUTHORIZED, "the bearer token is not valid")
          .header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    }
    return transport.newClient(user, remote);
  }

  private static String bearerToken(HttpServletRequest request) {
    String header = request.getHeader("Authorization");
    if (header != null
        && header.length() > BEARER.length()
        && header.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
      return header.substring(BEARER.length()).trim();
    }
    String param = request.getParameter("access_token");
    return param == null || param.isEmpty() ? null : param;
  }
}
