package dev.herald.push.servlet;

import static dev.herald.push.servlet.PublishTest.JSON;
import static dev.herald.push.servlet.PublishTest.body;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/** Origin checks and CORS on both containers: same origin by default, an allow-list beyond. */
class CorsTest {
  static final String OTHER = "https://evil.example";

  static HttpResponse<String> options(TestServer server, String path, String... headers)
      throws Exception {
    return Http.send(
        server,
        HttpRequest.newBuilder(server.uri(path))
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .headers(headers)
            .build());
  }

  @OnBothContainers
  void cors_noOriginOrSameOrigin_servedWithoutCorsHeaders(TestServer server) throws Exception {
    String channel = TestServer.channel("chat");
    HttpResponse<String> plain = Http.get(server, "/push/poll?channel=" + channel + "&timeout=0");
    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(plain.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

    String self = "http://127.0.0.1:" + server.port();
    HttpResponse<String> same =
        Http.post(server, "/push/publish", JSON, body(channel, "e", "1"), "Origin", self);
    assertThat(same.statusCode()).as(same.body()).isEqualTo(202);
    assertThat(same.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @OnBothContainers
  void cors_allowedOrigin_getsCorsHeadersOnAnswersAndErrors(TestServer server) throws Exception {
    String channel = TestServer.channel("chat");
    HttpResponse<String> ok =
        Http.get(
            server,
            "/push/poll?channel=" + channel + "&timeout=0",
            "Origin",
            TestServer.ALLOWED_ORIGIN);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.headers().firstValue("Access-Control-Allow-Origin"))
        .hasValue(TestServer.ALLOWED_ORIGIN);
    assertThat(ok.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
    assertThat(ok.headers().allValues("Vary")).anySatisfy(v -> assertThat(v).contains("Origin"));

    HttpResponse<String> error =
        Http.get(server, "/push/poll?channel=bad%20name", "Origin", TestServer.ALLOWED_ORIGIN);
    Http.assertError(error, 400, "bad_channel");
    assertThat(error.headers().firstValue("Access-Control-Allow-Origin"))
        .hasValue(TestServer.ALLOWED_ORIGIN);

    try (SseClient sse =
        SseClient.open(
            server, "/push/sse?channel=" + channel, "Origin", TestServer.ALLOWED_ORIGIN)) {
      assertThat(sse.response.headers().firstValue("Access-Control-Allow-Origin"))
          .hasValue(TestServer.ALLOWED_ORIGIN);
      sse.ready();
    }
  }

  @OnBothContainers
  void cors_otherOrigin_refusedWith403(TestServer server) throws Exception {
    String channel = TestServer.channel("chat");
    String sameHostOtherPort = "http://127.0.0.1:" + (server.port() == 1 ? 2 : 1);
    for (String origin :
        List.of(OTHER, sameHostOtherPort, "null", "https://app.example.com.evil")) {
      Http.assertError(
          Http.get(server, "/push/sse?channel=" + channel, "Origin", origin), 403, "forbidden");
      Http.assertError(
          Http.get(server, "/push/poll?channel=" + channel, "Origin", origin), 403, "forbidden");
      HttpResponse<String> publish =
          Http.post(server, "/push/publish", JSON, body(channel, "e", "1"), "Origin", origin);
      Http.assertError(publish, 403, "forbidden");
      assertThat(publish.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }
    assertThat(server.hub.channel(channel).position().toCompletableFuture().join().offset())
        .isZero();
  }

  @OnBothContainers
  void cors_preflightFromAllowedOrigin_answers204WithMethodAndHeaders(TestServer server)
      throws Exception {
    HttpResponse<String> response =
        options(
            server,
            "/push/publish",
            "Origin",
            TestServer.ALLOWED_ORIGIN,
            "Access-Control-Request-Method",
            "POST",
            "Access-Control-Request-Headers",
            "content-type, authorization");
    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(response.headers().firstValue("Access-Control-Allow-Origin"))
        .hasValue(TestServer.ALLOWED_ORIGIN);
    assertThat(response.headers().firstValue("Access-Control-Allow-Methods")).hasValue("POST");
    assertThat(response.headers().firstValue("Access-Control-Allow-Headers").orElseThrow())
        .contains("Content-Type", "Authorization", "Last-Event-ID");
    assertThat(response.headers().firstValue("Access-Control-Max-Age")).isPresent();

    HttpResponse<String> sse =
        options(
            server,
            "/push/sse?channel=a",
            "Origin",
            TestServer.ALLOWED_ORIGIN,
            "Access-Control-Request-Method",
            "GET",
            "Access-Control-Request-Headers",
            "last-event-id");
    assertThat(sse.statusCode()).isEqualTo(204);
    assertThat(sse.headers().firstValue("Access-Control-Allow-Methods")).hasValue("GET");
  }

  @OnBothContainers
  void cors_preflightFromOtherOriginOrForWrongMethod_refused(TestServer server) throws Exception {
    Http.assertError(
        options(server, "/push/publish", "Origin", OTHER, "Access-Control-Request-Method", "POST"),
        403,
        "forbidden");
    HttpResponse<String> wrong =
        options(
            server,
            "/push/publish",
            "Origin",
            TestServer.ALLOWED_ORIGIN,
            "Access-Control-Request-Method",
            "PUT");
    Http.assertError(wrong, 405, "method_not_allowed");
    assertThat(wrong.headers().firstValue("Access-Control-Allow-Methods")).isEmpty();
  }

  @OnBothContainers
  void cors_webXmlServlet_takesItsAllowListAndTimeoutFromInitParameters(TestServer server)
      throws Exception {
    String channel = TestServer.channel("chat");
    for (String origin : List.of("https://other.example.com", "https://third.example.com:8443")) {
      HttpResponse<String> ok =
          Http.get(server, "/webxml/poll?channel=" + channel + "&timeout=0", "Origin", origin);
      assertThat(ok.statusCode()).as(origin).isEqualTo(200);
      assertThat(ok.headers().firstValue("Access-Control-Allow-Origin")).hasValue(origin);
    }
    Http.assertError(
        Http.get(server, "/webxml/poll?channel=" + channel, "Origin", TestServer.ALLOWED_ORIGIN),
        403,
        "forbidden");
    // Its poll timeout is 2 s (the main servlet's is 30 s, past this client's 10 s patience).
    HttpResponse<String> idle = Http.get(server, "/webxml/poll?channel=" + channel);
    assertThat(idle.statusCode()).isEqualTo(200);
    assertThat(Http.json(idle.body()).get("messages")).isEmpty();
  }
}
