package dev.herald.push.servlet;

import static dev.herald.push.servlet.PublishTest.JSON;
import static dev.herald.push.servlet.PublishTest.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Every kind of bad input gets its 4xx status and a JSON error body, on both containers; none gets
 * a 5xx.
 */
class BadInputTest {

  private static HttpResponse<String> publish(TestServer server, String contentType, String body)
      throws Exception {
    return Http.post(server, "/push/publish", contentType, body);
  }

  /** A publish request's head over HTTP/1.1, for a raw socket. */
  private static String publishHead(String contentType, long contentLength) {
    return "POST /push/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
        + contentType
        + "\r\nContent-Length: "
        + contentLength
        + "\r\n\r\n";
  }

  @OnBothContainers
  void publish_malformedOrEmptyJson_returns400BadJson(TestServer server) throws Exception {
    for (String bad : List.of("{", "not json", "", "{\"channel\":\"chat/x\",}", "{} {}")) {
      Http.assertError(publish(server, JSON, bad), 400, "bad_json");
    }
  }

  @OnBothContainers
  void publish_jsonThatIsNotAnObject_returns400BadJson(TestServer server) throws Exception {
    for (String bad : List.of("[1,2]", "\"chat/x\"", "42", "null")) {
      Http.assertError(publish(server, JSON, bad), 400, "bad_json");
    }
  }

  @OnBothContainers
  void publish_missingOrBadChannel_returns400BadChannel(TestServer server) throws Exception {
    for (String bad :
        List.of(
            "{\"event\":\"e\",\"data\":1}",
            "{\"channel\":\"\",\"data\":1}",
            "{\"channel\":42,\"data\":1}",
            "{\"channel\":\"chat/has space\",\"data\":1}",
            "{\"channel\":\"chat/" + "x".repeat(300) + "\",\"data\":1}")) {
      Http.assertError(publish(server, JSON, bad), 400, "bad_channel");
    }
  }

  @OnBothContainers
  void publish_badEventName_returns400BadRequest(TestServer server) throws Exception {
    Http.assertError(
        publish(server, JSON, body(TestServer.channel("chat"), "line\\nbreak", "1")),
        400,
        "bad_request");
  }

  @OnBothContainers
  void publish_nestingPastTheLimit_returns400BadJson(TestServer server) throws Exception {
    String deep = "[".repeat(40) + "]".repeat(40);
    Http.assertError(
        publish(server, JSON, body(TestServer.channel("chat"), "e", deep)), 400, "bad_json");
  }

  @OnBothContainers
  void publish_invalidUtf8_returns400BadJson(TestServer server) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes(
        ("{\"channel\":\"" + TestServer.channel("chat") + "\",\"data\":\"")
            .getBytes(StandardCharsets.UTF_8));
    bytes.write(0xC3);
    bytes.write(0x28);
    bytes.writeBytes("\"}".getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> response =
        Http.send(
            server,
            HttpRequest.newBuilder(server.uri("/push/publish"))
                .header("Content-Type", JSON)
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes.toByteArray()))
                .build());
    Http.assertError(response, 400, "bad_json");
  }

  @OnBothContainers
  void publish_notJson_returns415(TestServer server) throws Exception {
    String valid = body(TestServer.channel("chat"), "e", "1");
    for (String type :
        List.of(
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/json; charset=ISO-8859-1")) {
      Http.assertError(publish(server, type, valid), 415, "unsupported_media_type");
    }
    Http.assertError(publish(server, null, valid), 415, "unsupported_media_type");
  }

  @OnBothContainers
  void publish_refusedBeforeItsBodyArrived_closesTheConnectionAndSaysSo(TestServer server)
      throws Exception {
    // The body is declared and never sent: the answer comes before it, so the connection cannot
    // serve another request (Jetty closes it), and a client that kept it would see its next
    // request fail.
    String request = publishHead("text/plain", 40);
    try (RawHttp raw = RawHttp.send(server.port(), request.getBytes(StandardCharsets.US_ASCII))) {
      String response = raw.readUntil("}");
      assertThat(RawHttp.head(response)).startsWith("http/1.1 415").contains("connection: close");
    }
  }

  @OnBothContainers
  void publish_refusedWithItsBodyRead_keepsTheConnection(TestServer server) throws Exception {
    // A channel that takes no client messages: 403, which neither container closes for by itself.
    String body = body(TestServer.channel("news"), "e", "1");
    String request = publishHead(JSON, body.length()) + body;
    byte[] bytes = request.getBytes(StandardCharsets.US_ASCII);
    try (RawHttp raw = RawHttp.send(server.port(), bytes)) {
      String first = raw.readUntil("}");
      assertThat(RawHttp.head(first)).startsWith("http/1.1 403").doesNotContain("connection:");
      // The same connection takes the next request.
      raw.write(bytes);
      assertThat(raw.readUntil(first + "HTTP/1.1 403")).startsWith(first);
    }
  }

  @OnBothContainers
  void publish_declaredLengthOverLimit_returns413WithoutReadingTheBody(TestServer server)
      throws Exception {
    String request = publishHead(JSON, 1_000_000) + "{\"channel\":";
    try (RawHttp raw = RawHttp.send(server.port(), request.getBytes(StandardCharsets.US_ASCII))) {
      String response = raw.readUntil("}");
      assertThat(response).startsWith("HTTP/1.1 413").contains("\"code\":\"too_large\"");
    }
  }

  @OnBothContainers
  void publish_chunkedBodyOverLimit_returns413(TestServer server) throws Exception {
    int size = 64 * 1024 + 1000;
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.writeBytes(
        ("POST /push/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(size)
                + "\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    String prefix = "{\"channel\":\"chat/big\",\"data\":\"";
    request.writeBytes(prefix.getBytes(StandardCharsets.US_ASCII));
    request.writeBytes("x".repeat(size - prefix.length()).getBytes(StandardCharsets.US_ASCII));
    request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    try (RawHttp raw = RawHttp.send(server.port(), request.toByteArray())) {
      String response = raw.readUntil("}");
      assertThat(response).startsWith("HTTP/1.1 413").contains("\"code\":\"too_large\"");
    }
    assertThat(server.hub.channel("chat/big").position().toCompletableFuture().join().offset())
        .isZero();
  }

  @OnBothContainers
  void wrongMethod_returns405WithAllow(TestServer server) throws Exception {
    HttpResponse<String> get = Http.get(server, "/push/publish");
    Http.assertError(get, 405, "method_not_allowed");
    assertThat(get.headers().firstValue("Allow")).hasValue("POST, OPTIONS");

    for (String path : List.of("/push/sse", "/push/stream", "/push/poll")) {
      HttpResponse<String> post = Http.post(server, path + "?channel=a", JSON, "{}");
      Http.assertError(post, 405, "method_not_allowed");
      assertThat(post.headers().firstValue("Allow")).hasValue("GET, OPTIONS");
    }
    HttpResponse<String> delete =
        Http.send(
            server, HttpRequest.newBuilder(server.uri("/push/poll?channel=a")).DELETE().build());
    Http.assertError(delete, 405, "method_not_allowed");
  }

  @OnBothContainers
  void unknownPath_returns404(TestServer server) throws Exception {
    for (String path :
        List.of("/push/nope", "/push/", "/push/sse/extra", "/push/SSE", "/push/publish/")) {
      Http.assertError(Http.get(server, path + "?channel=a"), 404, "not_found");
    }
  }

  @OnBothContainers
  void garbageCursor_returns400BadCursor(TestServer server) throws Exception {
    String channel = TestServer.channel("c");
    for (String transport : List.of("sse", "stream", "poll")) {
      for (String cursor :
          List.of("garbage", "1~abc~123", "1~zz.EPOCH.1~0", "1~" + "x".repeat(600))) {
        Http.assertError(
            Http.get(server, "/push/" + transport + "?channel=" + channel + "&since=" + cursor),
            400,
            "bad_cursor");
      }
    }
    Http.assertError(
        Http.get(server, "/push/sse?channel=" + channel, "Last-Event-ID", "garbage"),
        400,
        "bad_cursor");
  }

  @OnBothContainers
  void missingOrBadChannel_returns400BadChannel(TestServer server) throws Exception {
    for (String transport : List.of("sse", "stream", "poll")) {
      for (String query : List.of("", "?channel=", "?channel=has%20space", "?since=x")) {
        Http.assertError(Http.get(server, "/push/" + transport + query), 400, "bad_channel");
      }
    }
  }

  @OnBothContainers
  void tooManyOrRepeatedChannels_returns400(TestServer server) throws Exception {
    StringBuilder five = new StringBuilder("?channel=a1");
    for (int i = 2; i <= 5; i++) {
      five.append("&channel=a").append(i);
    }
    for (String transport : List.of("sse", "stream", "poll")) {
      Http.assertError(Http.get(server, "/push/" + transport + five), 400, "too_many_channels");
      Http.assertError(
          Http.get(server, "/push/" + transport + "?channel=a&channel=a"), 400, "bad_request");
    }
    // Refused before connecting: nothing lingers (other tests' dropped clients may, briefly).
    await().until(() -> server.hub.connectionCount() == 0);
  }

  @OnBothContainers
  void subscribeNotAllowed_returns403UnlessTheTokenAllowsIt(TestServer server) throws Exception {
    String channel = TestServer.channel("secret");
    Http.assertError(Http.get(server, "/push/sse?channel=" + channel), 403, "forbidden");
    Http.assertError(Http.get(server, "/push/poll?channel=" + channel), 403, "forbidden");
    Http.assertError(
        Http.get(server, "/push/stream?channel=" + channel + "&access_token=forged"),
        401,
        "unauthorized");
    try (SseClient sse =
        SseClient.open(
            server, "/push/sse?channel=" + channel + "&access_token=" + TestServer.GOOD_TOKEN)) {
      assertThat(sse.response.statusCode()).isEqualTo(200);
      sse.ready();
    }
  }

  @OnBothContainers
  void badPollTimeout_returns400BadRequest(TestServer server) throws Exception {
    for (String timeout : List.of("abc", "-1", "1.5", "99999", "3601")) {
      Http.assertError(
          Http.get(server, "/push/poll?channel=a&timeout=" + timeout), 400, "bad_request");
    }
  }

  @OnBothContainers
  void malformedQueryString_returns400(TestServer server) throws Exception {
    String request = "GET /push/poll?channel=%zz&timeout=0 HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    try (RawHttp raw = RawHttp.send(server.port(), request.getBytes(StandardCharsets.US_ASCII))) {
      assertThat(raw.readToEnd()).startsWith("HTTP/1.1 400");
    }
  }
}
