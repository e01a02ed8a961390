package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.push.spi.AccessDecision;
import dev.herald.push.spi.AccessPolicy;
import dev.herald.push.spi.AccessPolicy.OriginVerdict;
import dev.herald.push.spi.RequestView;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AccessPolicyTest {
  private static final AccessPolicy SAME_ONLY = policy(List.of(), List.of(), Authenticator.NONE);
  private static final AccessPolicy BEHIND_PROXY =
      policy(
          List.of("https://app.example.com"),
          List.of("127.0.0.1", "10.0.0.0/8", "fd00::/8"),
          token -> token.equals("good") ? "alice" : null);

  static AccessPolicy policy(
      List<String> origins, List<String> proxies, Authenticator authenticator) {
    return new HubAccessPolicy(
        OriginList.NONE.plus(origins), ProxyList.NONE.plus(proxies), authenticator);
  }

  /** A request from {@code peer} over {@code scheme} with headers given as name, value pairs. */
  static Request request(String scheme, String peer, String... headers) {
    return new Request(scheme, peer, headers);
  }

  static Stream<Arguments> origins() {
    return Stream.of(
        // policy, request, verdict
        row(
            SAME_ONLY,
            request("http", "192.0.2.1", "Host", "example.com"),
            OriginVerdict.NO_ORIGIN),
        row(
            SAME_ONLY,
            request(
                "http",
                "192.0.2.1",
                "Host",
                "Example.COM:8080",
                "Origin",
                "http://example.com:8080"),
            OriginVerdict.SAME_ORIGIN),
        row(
            SAME_ONLY,
            request("https", "192.0.2.1", "Host", "example.com", "Origin", "https://example.com"),
            OriginVerdict.SAME_ORIGIN),
        row(
            SAME_ONLY,
            request("http", "192.0.2.1", "Host", "[::1]:8080", "Origin", "http://[::1]:8080"),
            OriginVerdict.SAME_ORIGIN),
        // A Host without port means the request scheme's default port, not the Origin's.
        row(
            SAME_ONLY,
            request("http", "192.0.2.1", "Host", "example.com", "Origin", "https://example.com"),
            OriginVerdict.REFUSED),
        row(
            SAME_ONLY,
            request(
                "https", "192.0.2.1", "Host", "example.com", "Origin", "http://example.com:443"),
            OriginVerdict.REFUSED),
        row(
            SAME_ONLY,
            request(
                "http",
                "192.0.2.1",
                "Host",
                "example.com",
                "Origin",
                "http://example.com.evil.example"),
            OriginVerdict.REFUSED),
        row(
            SAME_ONLY,
            request("http", "192.0.2.1", "Host", "example.com", "Origin", "null"),
            OriginVerdict.REFUSED),
        row(
            SAME_ONLY,
            request(
                "http", "192.0.2.1", "Host", "example.com", "Origin", "http://user@example.com"),
            OriginVerdict.REFUSED),
        row(
            SAME_ONLY,
            request("http", "192.0.2.1", "Origin", "http://example.com"),
            OriginVerdict.REFUSED),
        row(
            SAME_ONLY,
            request(
                "http", "192.0.2.1", "Host", "example.com:http", "Origin", "http://example.com"),
            OriginVerdict.REFUSED),
        // Forwarded headers from an untrusted peer are ignored.
        row(
            SAME_ONLY,
            request(
                "http",
                "127.0.0.1",
                "Host",
                "backend:8080",
                "X-Forwarded-Host",
                "example.com",
                "X-Forwarded-Proto",
                "https",
                "Origin",
                "https://example.com"),
            OriginVerdict.REFUSED),
        row(
            BEHIND_PROXY,
            request(
                "http",
                "192.0.2.9",
                "Host",
                "backend:8080",
                "Forwarded",
                "host=example.com;proto=https",
                "Origin",
                "https://example.com"),
            OriginVerdict.REFUSED),
        // ... and believed from a trusted one.
        row(
            BEHIND_PROXY,
            request(
                "http",
                "127.0.0.1",
                "Host",
                "backend:8080",
                "X-Forwarded-Host",
                "example.com",
                "X-Forwarded-Proto",
                "https",
                "Origin",
                "https://example.com"),
            OriginVerdict.SAME_ORIGIN),
        row(
            BEHIND_PROXY,
            request(
                "http",
                "10.1.2.3",
                "Host",
                "backend:8080",
                "X-Forwarded-Host",
                "example.com",
                "X-Forwarded-Proto",
                "https",
                "X-Forwarded-Port",
                "8443",
                "Origin",
                "https://example.com:8443"),
            OriginVerdict.SAME_ORIGIN),
        row(
            BEHIND_PROXY,
            request(
                "http",
                "fd00::5",
                "Host",
                "backend",
                "Forwarded",
                "for=198.51.100.7;host=\"example.com:8443\";proto=https",
                "Origin",
                "https://example.com:8443"),
            OriginVerdict.SAME_ORIGIN),
        // A client's own Forwarded element, left of the trusted proxy's, does not count.
        row(
            BEHIND_PROXY,
            request(
                "http",
                "127.0.0.1",
                "Host",
                "backend",
                "Forwarded",
                "for=1.2.3.4;host=evil.example;proto=https, for=198.51.100.7;host=example.com;proto=https",
                "Origin",
                "https://evil.example"),
            OriginVerdict.REFUSED),
        row(
            BEHIND_PROXY,
            request(
                "http",
                "192.0.2.1",
                "Host",
                "api.example.com",
                "Origin",
                "https://APP.example.com:443"),
            OriginVerdict.ALLOWED),
        row(
            BEHIND_PROXY,
            request(
                "http", "192.0.2.1", "Host", "api.example.com", "Origin", "http://app.example.com"),
            OriginVerdict.REFUSED),
        row(
            SAME_ONLY.withAllowedOrigins(List.of("*")),
            request("http", "192.0.2.1", "Host", "example.com", "Origin", "null"),
            OriginVerdict.ALLOWED));
  }

  private static Arguments row(AccessPolicy policy, Request request, OriginVerdict verdict) {
    return Arguments.of(policy, request, verdict);
  }

  @ParameterizedTest(name = "{1} → {2}")
  @MethodSource("origins")
  void checkOrigin_followsTheOneTable(AccessPolicy policy, Request request, OriginVerdict verdict) {
    assertThat(policy.checkOrigin(request)).isEqualTo(verdict);
  }

  @Test
  void identify_principalFirst_thenBearerHeader_thenParameter_elseAnonymous() {
    assertThat(
            BEHIND_PROXY.identify(request("http", "192.0.2.1").principal("carol")).client().user())
        .isEqualTo("carol");
    assertThat(
            BEHIND_PROXY
                .identify(request("http", "192.0.2.1", "Authorization", "bearer good"))
                .client()
                .user())
        .isEqualTo("alice");
    assertThat(BEHIND_PROXY.identify(request("http", "192.0.2.1").token("good")).client().user())
        .isEqualTo("alice");
    AccessDecision anonymous = BEHIND_PROXY.identify(request("http", "192.0.2.1"));
    assertThat(anonymous.isAllowed()).isTrue();
    assertThat(anonymous.client().user()).isNull();
    assertThat(anonymous.client().remoteAddress()).isEqualTo("192.0.2.1");
  }

  @Test
  void identify_emptyTokens_countAsNone() {
    assertThat(BEHIND_PROXY.identify(request("http", "192.0.2.1").token("")).client().user())
        .isNull();
    assertThat(
            BEHIND_PROXY
                .identify(request("http", "192.0.2.1", "Authorization", "Bearer  "))
                .client()
                .user())
        .isNull();
  }

  @Test
  void identify_tokenNotAccepted_is401_withOrWithoutAnAuthenticator() {
    for (AccessPolicy policy : List.of(BEHIND_PROXY, SAME_ONLY)) {
      AccessDecision refused = policy.identify(request("http", "192.0.2.1").token("forged"));
      assertThat(refused.isAllowed()).isFalse();
      assertThat(refused.refusal()).isEqualTo(ErrorCode.UNAUTHORIZED);
      assertThat(refused.httpStatus()).isEqualTo(401);
    }
  }

  @Test
  void identify_authenticatorThrows_is500NotA401() {
    AccessPolicy failing =
        policy(
            List.of(),
            List.of(),
            token -> {
              throw new IllegalStateException("token store down");
            });
    AccessDecision decision = failing.identify(request("http", "192.0.2.1").token("any"));
    assertThat(decision.refusal()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(decision.httpStatus()).isEqualTo(500);
    assertThat(decision.message()).doesNotContain("token store down");
  }

  @Test
  void identify_clientAddress_isTheFirstUntrustedHopOnlyBehindATrustedProxy() {
    Request forwarded =
        request("http", "127.0.0.1", "X-Forwarded-For", "6.6.6.6, 198.51.100.7, 10.0.0.2");
    assertThat(BEHIND_PROXY.identify(forwarded).client().remoteAddress()).isEqualTo("198.51.100.7");
    assertThat(SAME_ONLY.identify(forwarded).client().remoteAddress()).isEqualTo("127.0.0.1");
    Request rfc7239 = request("http", "::1", "Forwarded", "for=\"[2001:db8::1]:4711\";proto=https");
    assertThat(
            policy(List.of(), List.of("::1"), Authenticator.NONE)
                .identify(rfc7239)
                .client()
                .remoteAddress())
        .isEqualTo("2001:db8::1");
  }

  @Test
  void decide_refusesAForeignOriginBeforeLookingAtTheToken() {
    AccessDecision decision =
        BEHIND_PROXY.decide(
            request("http", "192.0.2.1", "Host", "example.com", "Origin", "https://evil.example")
                .token("forged"));
    assertThat(decision.refusal()).isEqualTo(ErrorCode.FORBIDDEN);
  }

  @Test
  void builder_rejectsBadOriginsAndProxiesNamingThem() {
    PushHub.Builder b = PushHub.builder();
    assertThatThrownBy(() -> b.allowedOrigins("https://ok.example", "ok.example"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"ok.example\"");
    assertThatThrownBy(() -> b.allowedOrigins("https://app.example.com/path"))
        .hasMessageContaining("\"https://app.example.com/path\"");
    assertThatThrownBy(() -> b.trustedProxies("proxy.internal"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"proxy.internal\"");
    assertThatThrownBy(() -> b.trustedProxies("10.0.0.0/33")).hasMessageContaining("10.0.0.0/33");
    assertThatThrownBy(() -> b.trustedProxies("10.0.0.0/x")).hasMessageContaining("10.0.0.0/x");
  }

  @Test
  void trustedProxies_matchAddressesAndRanges_v4MappedIncluded() {
    ProxyList list =
        ProxyList.NONE.plus(List.of("127.0.0.1", "10.0.0.0/8", "fd00::/8", "192.168.1.128/25"));
    assertThat(list.trusts("127.0.0.1")).isTrue();
    assertThat(list.trusts("::ffff:127.0.0.1")).isTrue();
    assertThat(list.trusts("10.255.0.1")).isTrue();
    assertThat(list.trusts("11.0.0.1")).isFalse();
    assertThat(list.trusts("192.168.1.200")).isTrue();
    assertThat(list.trusts("192.168.1.100")).isFalse();
    assertThat(list.trusts("[fd12::1]:443")).isTrue();
    assertThat(list.trusts("fe80::1")).isFalse();
    assertThat(list.trusts("localhost")).isFalse();
    assertThat(list.trusts("unknown")).isFalse();
    assertThat(ProxyList.NONE.trusts("127.0.0.1")).isFalse();
  }

  @Test
  void canonicalOrigin_spellsOutThePortAndReadsWebSocketSchemesAsTheirPages() {
    assertThat(AccessPolicy.canonicalOrigin("HTTPS://App.Example.com"))
        .isEqualTo("https://app.example.com:443");
    assertThat(AccessPolicy.canonicalOrigin("wss://x.example")).isEqualTo("https://x.example:443");
    assertThat(AccessPolicy.canonicalOrigin("ws://x.example:8080"))
        .isEqualTo("http://x.example:8080");
    assertThat(AccessPolicy.canonicalOrigin("ftp://x.example")).isNull();
    assertThat(AccessPolicy.canonicalOrigin("http://x.example/")).isNull();
    assertThat(AccessPolicy.canonicalOrigin("http://x.example?q")).isNull();
    assertThat(AccessPolicy.canonicalOrigin("file:///etc/passwd")).isNull();
  }

  /** A request with headers, a principal and an {@code access_token}; shown by its headers. */
  static final class Request implements RequestView {
    private final String scheme;
    private final String peer;
    private final Map<String, String> headers = new HashMap<>();
    private String principal;
    private String token;

    Request(String scheme, String peer, String... headers) {
      this.scheme = scheme;
      this.peer = peer;
      for (int i = 0; i < headers.length; i += 2) {
        this.headers.put(headers[i].toLowerCase(Locale.ROOT), headers[i + 1]);
      }
    }

    Request principal(String name) {
      this.principal = name;
      return this;
    }

    Request token(String accessToken) {
      this.token = accessToken;
      return this;
    }

    @Override
    public String scheme() {
      return scheme;
    }

    @Override
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public String remoteAddress() {
      return peer;
    }

    @Override
    public String principal() {
      return principal;
    }

    @Override
    public String accessToken() {
      return token;
    }

    @Override
    public String toString() {
      return scheme + " from " + peer + " " + headers;
    }
  }
}
