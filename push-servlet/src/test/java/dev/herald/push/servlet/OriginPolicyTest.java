package dev.herald.push.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.push.servlet.OriginPolicy.Verdict;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OriginPolicyTest {

  static HttpServletRequest request(String scheme, String host, String origin) {
    Map<String, String> headers = new java.util.HashMap<>();
    if (host != null) {
      headers.put("Host", host);
    }
    if (origin != null) {
      headers.put("Origin", origin);
    }
    return (HttpServletRequest)
        Proxy.newProxyInstance(
            OriginPolicyTest.class.getClassLoader(),
            new Class<?>[] {HttpServletRequest.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getHeader" -> headers.get((String) args[0]);
                  case "getScheme" -> scheme;
                  case "getServerName" -> "fallback.example";
                  case "getServerPort" -> 80;
                  default -> throw new AssertionError("unexpected call " + method.getName());
                });
  }

  static final OriginPolicy DEFAULT = OriginPolicy.of(List.of());

  @Test
  void check_noOrigin_isNotABrowserCrossOriginRequest() {
    assertThat(DEFAULT.check(request("http", "example.com", null))).isEqualTo(Verdict.NO_ORIGIN);
  }

  @Test
  void check_sameHostAndPort_isSameOriginWithDefaultPortsFilledIn() {
    assertThat(DEFAULT.check(request("http", "example.com:8080", "http://example.com:8080")))
        .isEqualTo(Verdict.SAME_ORIGIN);
    assertThat(DEFAULT.check(request("https", "Example.COM", "https://example.com")))
        .isEqualTo(Verdict.SAME_ORIGIN);
    assertThat(DEFAULT.check(request("http", "[::1]:8080", "http://[::1]:8080")))
        .isEqualTo(Verdict.SAME_ORIGIN);
    assertThat(DEFAULT.check(request("http", null, "http://fallback.example")))
        .isEqualTo(Verdict.SAME_ORIGIN);
  }

  @Test
  void check_otherPortHostOrJunk_isRefusedByDefault() {
    for (String origin :
        List.of(
            "http://example.com:8081",
            "http://example.com.evil:8080",
            "http://evil.example:8080",
            "null",
            "http://example.com:8080/path",
            "not an origin")) {
      assertThat(DEFAULT.check(request("http", "example.com:8080", origin)))
          .as(origin)
          .isEqualTo(Verdict.REFUSED);
    }
  }

  @Test
  void check_listedOrigin_isAllowedWhateverItsCaseOrDefaultPort() {
    OriginPolicy policy = OriginPolicy.of(List.of("https://App.Example.com"));
    assertThat(policy.check(request("http", "api.example.com", "https://app.example.com:443")))
        .isEqualTo(Verdict.ALLOWED);
    assertThat(policy.check(request("http", "api.example.com", "http://app.example.com")))
        .isEqualTo(Verdict.REFUSED);
  }

  @Test
  void check_wildcard_allowsEveryOrigin() {
    OriginPolicy any = OriginPolicy.of(List.of("*"));
    assertThat(any.check(request("http", "api.example.com", "null"))).isEqualTo(Verdict.ALLOWED);
    assertThat(any.check(request("http", "api.example.com", "https://x.example")))
        .isEqualTo(Verdict.ALLOWED);
  }

  @Test
  void normalize_entryThatIsNotAnOrigin_isRejectedNamingIt() {
    for (String bad :
        List.of("app.example.com", "https://app.example.com/", "ftp://x.example", "https://")) {
      assertThatThrownBy(() -> OriginPolicy.normalize(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageEndingWith("was \"" + bad + "\"");
    }
    assertThatThrownBy(() -> OriginPolicy.normalize(null)).hasMessageEndingWith("was null");
  }
}
