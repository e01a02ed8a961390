package dev.herald.push.servlet;

import dev.herald.push.Client;
import dev.herald.push.ErrorCode;
import dev.herald.push.spi.AccessDecision;
import dev.herald.push.spi.AccessPolicy;
import dev.herald.push.spi.RequestView;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.security.Principal;
import java.util.Enumeration;

/**
 * The servlet side of the hub's {@link AccessPolicy}: a request seen as a {@link RequestView}, a
 * refusal as an {@link HttpError}, and the CORS headers of an allowed cross-origin answer.
 * Stateless; thread-safe.
 */
final class ServletAccess {
  /** The request headers a cross-origin request may carry, as a preflight answer lists them. */
  static final String ALLOWED_HEADERS =
      "Authorization, Content-Type, Last-Event-ID, Cache-Control, X-Requested-With";

  private ServletAccess() {}

  /** The request as the policy reads it. */
  static RequestView view(HttpServletRequest request) {
    return new RequestView() {
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
        String first = values.nextElement();
        if (!values.hasMoreElements()) {
          return first;
        }
        StringBuilder all = new StringBuilder(first);
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
        return RequestParams.parameter(request, "access_token");
      }
    };
  }

  /**
   * The client behind a request whose origin was checked.
   *
   * @throws HttpError 401 for a token that is not accepted, 500 if the authenticator failed
   */
  static Client client(AccessPolicy policy, HttpServletRequest request) {
    AccessDecision decision = policy.identify(view(request));
    if (decision.isAllowed()) {
      return decision.client();
    }
    HttpError error = HttpError.of(decision.refusal(), decision.message());
    if (decision.refusal() == ErrorCode.UNAUTHORIZED) {
      error.header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    }
    throw error;
  }

  /** Adds the CORS headers of an allowed cross-origin response. */
  static void addCorsHeaders(
      AccessPolicy policy, HttpServletRequest request, HttpServletResponse response) {
    response.addHeader("Vary", "Origin");
    if (policy.allowsAnyOrigin()) {
      response.setHeader("Access-Control-Allow-Origin", "*");
    } else {
      response.setHeader("Access-Control-Allow-Origin", request.getHeader("Origin"));
      response.setHeader("Access-Control-Allow-Credentials", "true");
    }
  }

  /** Adds the headers that answer an allowed preflight. */
  static void addPreflightHeaders(
      AccessPolicy policy,
      HttpServletRequest request,
      HttpServletResponse response,
      String methods) {
    addCorsHeaders(policy, request, response);
    response.setHeader("Access-Control-Allow-Methods", methods);
    response.setHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS);
    response.setHeader("Access-Control-Max-Age", "600");
  }
}
