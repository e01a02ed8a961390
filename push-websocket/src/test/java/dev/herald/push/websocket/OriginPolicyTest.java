package dev.herald.push.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OriginPolicyTest {
  private final OriginPolicy sameOnly = new OriginPolicy(PushWebSocketOptions.defaults());

  @Test
  void allows_missingOrigin_asNonBrowserClient() {
    assertThat(sameOnly.allows(null, "example.com")).isTrue();
  }

  @Test
  void allows_sameHostAndPort_ignoringCase() {
    assertThat(sameOnly.allows("http://Example.COM:8080", "example.com:8080")).isTrue();
    assertThat(sameOnly.allows("http://127.0.0.1:8080", "127.0.0.1:8080")).isTrue();
  }

  @Test
  void allows_hostWithoutPort_matchesTheOriginSchemesDefaultPort() {
    assertThat(sameOnly.allows("https://example.com", "example.com")).isTrue();
    assertThat(sameOnly.allows("http://example.com", "example.com")).isTrue();
    assertThat(sameOnly.allows("https://example.com:8443", "example.com")).isFalse();
  }

  @Test
  void allows_ipv6Literal_comparedWithBrackets() {
    assertThat(sameOnly.allows("http://[::1]:8080", "[::1]:8080")).isTrue();
    assertThat(sameOnly.allows("http://[::1]:8080", "[::1]:9090")).isFalse();
  }

  @Test
  void refuses_otherHostPortOrLookalike() {
    assertThat(sameOnly.allows("http://evil.example", "example.com")).isFalse();
    assertThat(sameOnly.allows("http://example.com:81", "example.com:80")).isFalse();
    assertThat(sameOnly.allows("http://example.com.evil.example", "example.com")).isFalse();
    assertThat(sameOnly.allows("http://evil.example/example.com", "example.com")).isFalse();
  }

  @Test
  void refuses_nullOpaqueAndMalformedOrigins() {
    assertThat(sameOnly.allows("null", "example.com")).isFalse();
    assertThat(sameOnly.allows("", "example.com")).isFalse();
    assertThat(sameOnly.allows("not an origin", "example.com")).isFalse();
    assertThat(sameOnly.allows("file:///etc/passwd", "example.com")).isFalse();
    assertThat(sameOnly.allows("http://user@example.com", "example.com")).isFalse();
  }

  @Test
  void refuses_anyOriginWhenHostIsMissingOrBroken() {
    assertThat(sameOnly.allows("http://example.com", null)).isFalse();
    assertThat(sameOnly.allows("http://example.com", "example.com:http")).isFalse();
    assertThat(sameOnly.allows("http://[::1]:80", "[::1")).isFalse();
  }

  @Test
  void allows_listedOrigins_withDefaultPortsNormalised() {
    OriginPolicy listed =
        new OriginPolicy(
            PushWebSocketOptions.builder()
                .allowedOrigins("https://app.example.com", "http://localhost:3000")
                .build());

    assertThat(listed.allows("https://app.example.com:443", "api.example.com")).isTrue();
    assertThat(listed.allows("HTTPS://APP.EXAMPLE.COM", "api.example.com")).isTrue();
    assertThat(listed.allows("http://localhost:3000", "api.example.com")).isTrue();
    assertThat(listed.allows("http://app.example.com", "api.example.com")).isFalse();
    assertThat(listed.allows("http://localhost:3001", "api.example.com")).isFalse();
    assertThat(listed.allows("https://api.example.com", "api.example.com")).isTrue();
  }

  @Test
  void allows_everything_whenAnyOriginIsAllowed() {
    OriginPolicy any = new OriginPolicy(PushWebSocketOptions.builder().allowAnyOrigin().build());

    assertThat(any.allows("http://evil.example", "example.com")).isTrue();
    assertThat(any.allows("null", "example.com")).isTrue();
  }
}
