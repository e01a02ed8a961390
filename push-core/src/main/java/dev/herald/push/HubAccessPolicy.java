package dev.herald.push;

import dev.herald.push.spi.AccessDecision;
import dev.herald.push.spi.AccessPolicy;
import dev.herald.push.spi.RequestView;
import java.util.Collection;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link AccessPolicy} of one hub: its allowed origins, trusted proxies and authenticator.
 * Immutable; thread-safe. The rules, and why each disagreement between the transports was settled
 * the way it was, are in docs/protocol.md ("Who is calling", "Origins").
 */
final class HubAccessPolicy implements AccessPolicy {
  private static final Logger LOG = LoggerFactory.getLogger(HubAccessPolicy.class);
  private static final String BEARER = "Bearer ";

  private final OriginList origins;
  private final ProxyList proxies;
  private final Authenticator authenticator;

  HubAccessPolicy(OriginList origins, ProxyList proxies, Authenticator authenticator) {
    this.origins = Objects.requireNonNull(origins, "origins");
    this.proxies = Objects.requireNonNull(proxies, "proxies");
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
  }

  @Override
  public OriginVerdict checkOrigin(RequestView request) {
    String origin = request.header("Origin");
    if (origin == null || origin.isEmpty()) {
      return OriginVerdict.NO_ORIGIN;
    }
    String canonical = OriginList.canonical(origin.trim());
    ForwardedRequest target = ForwardedRequest.of(request, proxies);
    if (canonical != null
        && target.host() != null
        && canonical.equals(target.scheme() + "://" + target.host() + ":" + target.port())) {
      return OriginVerdict.SAME_ORIGIN;
    }
    if (origins.any() || (canonical != null && origins.contains(canonical))) {
      return OriginVerdict.ALLOWED;
    }
    LOG.info(
        "Refused a request from {}: origin {} is neither {} nor allowed",
        target.clientAddress(),
        printable(origin),
        target.host() == null
            ? "the server's (no Host)"
            : printable(target.scheme() + "://" + target.host() + ":" + target.port()));
    return OriginVerdict.REFUSED;
  }

  @Override
  public AccessDecision identify(RequestView request) {
    String address = ForwardedRequest.of(request, proxies).clientAddress();
    String principal = request.principal();
    if (principal != null) {
      return AccessDecision.allow(client(principal, address));
    }
    String token = bearerToken(request);
    if (token == null) {
      return AccessDecision.allow(client(null, address));
    }
    String user;
    try {
      user = authenticator.authenticate(token);
    } catch (RuntimeException e) {
      LOG.warn("The authenticator failed on a bearer token from {}", address, e);
      return AccessDecision.refuse(ErrorCode.INTERNAL, "authentication failed");
    }
    if (user == null) {
      LOG.info("Refused a bearer token from {}", address);
      return AccessDecision.refuse(ErrorCode.UNAUTHORIZED, "the bearer token is not valid");
    }
    return AccessDecision.allow(client(user, address));
  }

  @Override
  public AccessDecision decide(RequestView request) {
    if (checkOrigin(request) == OriginVerdict.REFUSED) {
      return AccessDecision.refuse(ErrorCode.FORBIDDEN, "origin not allowed");
    }
    return identify(request);
  }

  @Override
  public boolean allowsAnyOrigin() {
    return origins.any();
  }

  @Override
  public AccessPolicy withAllowedOrigins(Collection<String> more) {
    Objects.requireNonNull(more, "origins");
    return more.isEmpty() ? this : new HubAccessPolicy(origins.plus(more), proxies, authenticator);
  }

  @Override
  public String toString() {
    return "AccessPolicy[allowedOrigins=" + origins + ", trustedProxies=" + proxies + "]";
  }

  private static Client client(String user, String address) {
    return new Client(Hub.newClientId(), user, address);
  }

  /** From the header, else the parameter; an empty token is no token. */
  private static String bearerToken(RequestView request) {
    String header = request.header("Authorization");
    if (header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      String token = header.substring(BEARER.length()).trim();
      if (!token.isEmpty()) {
        return token;
      }
    }
    String parameter = request.accessToken();
    if (parameter == null || parameter.isBlank()) {
      return null;
    }
    return parameter.trim();
  }

  /** A header value fit for a log line: no control characters, at most 100 characters. */
  private static String printable(String s) {
    String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
    return clean.length() > 100 ? clean.substring(0, 100) + "…" : clean;
  }
}
