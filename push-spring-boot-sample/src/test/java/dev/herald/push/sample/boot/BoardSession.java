package dev.herald.push.sample.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.push.Message;
import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A user signed in through the board's form login, as a browser would be: a JDK HTTP client whose
 * cookie store holds the session and Spring Security's {@code XSRF-TOKEN}. Herald's Java client
 * takes the same HTTP client, so its requests and WebSocket handshakes carry the session cookie.
 */
final class BoardSession {
  private static final Pattern CSRF_FIELD =
      Pattern.compile("name=\"_csrf\" type=\"hidden\" value=\"([^\"]+)\"");

  final URI base;
  final HttpClient http;
  private final CookieManager cookies = new CookieManager();

  private BoardSession(URI base) {
    this.base = base;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .cookieHandler(cookies)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  /** A client with no session at all. */
  static BoardSession anonymous(int port) {
    return new BoardSession(URI.create("http://localhost:" + port + "/"));
  }

  /** Signs {@code user} in with the login form, CSRF token included. */
  static BoardSession signIn(int port, String user, String password)
      throws IOException, InterruptedException {
    BoardSession session = anonymous(port);
    String form = session.get("login").body();
    Matcher csrf = CSRF_FIELD.matcher(form);
    assertThat(csrf.find()).as("the login form carries a CSRF token").isTrue();
    String body =
        "username="
            + URLEncoder.encode(user, StandardCharsets.UTF_8)
            + "&password="
            + URLEncoder.encode(password, StandardCharsets.UTF_8)
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

  /**
   * Waits until a client hears on both the board and this user's own channel, by placing probe
   * orders until one arrives on each: a subscribe is live only once the server has it, which the
   * client does not announce.
   */
  void awaitLive(List<Message> board, List<Message> mine) {
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              postJson("orders", "{\"item\":\"probe\"}");
              return board.stream().anyMatch(m -> m.data().contains("probe"))
                  && mine.stream().anyMatch(m -> m.data().contains("probe"));
            });
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET());
  }

  /** A JSON POST of the board's own API, with the CSRF token echoed as the page does. */
  HttpResponse<String> postJson(String path, String json) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Content-Type", "application/json")
            .header("X-XSRF-TOKEN", xsrfToken())
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** A JSON POST without any CSRF token, as herald.js sends its publishes. */
  HttpResponse<String> postJsonWithoutCsrf(String path, String json)
      throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return http.send(
        request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private String xsrfToken() {
    return cookies.getCookieStore().getCookies().stream()
        .filter(c -> c.getName().equals("XSRF-TOKEN"))
        .map(HttpCookie::getValue)
        .findFirst()
        .orElseThrow(() -> new AssertionError("Spring Security set no XSRF-TOKEN cookie"));
  }
}
