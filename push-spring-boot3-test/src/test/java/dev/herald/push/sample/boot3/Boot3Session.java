package dev.herald.push.sample.boot3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.push.client.HeraldClient;
import dev.herald.push.client.HeraldListener;
import dev.herald.push.client.Transport;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A user signed in through Spring Security's login form, as a browser would be: a JDK HTTP client
 * whose cookie store holds the session. Herald's Java client takes the same HTTP client, so its
 * requests and WebSocket handshakes carry the session cookie.
 */
final class Boot3Session {
  private static final Pattern CSRF_FIELD =
      Pattern.compile("<input[^>]*name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

  final URI base;
  final HttpClient http;

  private Boot3Session(URI base) {
    this.base = base;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .cookieHandler(new CookieManager())
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  /** A client with no session at all. */
  static Boot3Session anonymous(int port) {
    return new Boot3Session(URI.create("http://localhost:" + port + "/"));
  }

  /** Signs {@code user} in with the login form, CSRF token included. */
  static Boot3Session signIn(int port, String user) throws IOException, InterruptedException {
    Boot3Session session = anonymous(port);
    String form = session.get("login").body();
    Matcher csrf = CSRF_FIELD.matcher(form);
    assertThat(csrf.find()).as("the login form carries a CSRF token").isTrue();
    String body =
        "username="
            + URLEncoder.encode(user, StandardCharsets.UTF_8)
            + "&password="
            + URLEncoder.encode(user, StandardCharsets.UTF_8)
            + "&_csrf="
            + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8);
    HttpResponse<String> login =
        session.send(
            HttpRequest.newBuilder(session.base.resolve("login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    assertThat(login.statusCode()).as("login answers with a redirect").isEqualTo(302);
    assertThat(login.headers().firstValue("Location").orElse(""))
        .as("a successful login goes home, a failed one back to /login?error")
        .doesNotContain("error");
    return session;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET());
  }

  /** Herald's Java client on {@code transport} alone, as this user. */
  HeraldClient client(Transport transport) {
    return client(transport, new HeraldListener() {});
  }

  /** Herald's Java client on {@code transport} alone, as this user, telling {@code listener}. */
  HeraldClient client(Transport transport, HeraldListener listener) {
    return HeraldClient.builder(base.resolve("push"))
        .transports(transport)
        .httpClient(http)
        .reconnect(Duration.ofSeconds(5), Duration.ofSeconds(10))
        .listener(listener)
        .build();
  }

  private HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return http.send(
        request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
