package dev.herald.push.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A query string the container cannot decode is refused with {@code 400} and a JSON error naming
 * the parameter, on every transport and both containers, never served as if the parameter were
 * absent (Tomcat drops such a parameter; Jetty keeps the bad text). The requests go out on a bare
 * socket, since a URI class would re-encode them; valid encodings still decode.
 */
class QueryStringTest {

  /** A query string with a malformed part, and the error code it must get. */
  private record Broken(String query, String code, String parameter) {}

  private static List<Broken> broken(String channel) {
    return List.of(
        new Broken("channel=" + channel + "&since=AAAA%ZZ", "bad_cursor", "since"),
        new Broken("channel=" + channel + "&since=AAAA%A", "bad_cursor", "since"),
        new Broken("channel=" + channel + "&since=%C3%28", "bad_cursor", "since"),
        new Broken("channel=chat%ZZ", "bad_channel", "channel"),
        new Broken("channel=%C3%28", "bad_channel", "channel"),
        new Broken("channel=" + channel + "&channel=chat%A", "bad_channel", "channel"),
        new Broken("channel=" + channel + "&access_token=%ZZ", "bad_request", "access_token"),
        new Broken("channel=" + channel + "&timeout=1%", "bad_request", "timeout"),
        new Broken("channel=" + channel + "&_=%FF", "bad_request", "_"));
  }

  /** Sends a request as raw bytes; asserts a 400 JSON answer and returns its body. */
  private static JsonNode send(TestServer server, String method, String target, String... headers)
      throws Exception {
    StringBuilder request =
        new StringBuilder(method + " " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\n");
    for (int i = 0; i < headers.length; i += 2) {
      request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    String body = method.equals("POST") ? "{\"channel\":\"chat/query\",\"data\":1}" : "";
    if (method.equals("POST")) {
      request.append("Content-Type: application/json\r\nContent-Length: ").append(body.length());
      request.append("\r\n");
    }
    request.append("\r\n").append(body);
    try (RawHttp raw =
        RawHttp.send(server.port(), request.toString().getBytes(StandardCharsets.US_ASCII))) {
      // A stream served by mistake never ends: look at its head before reading to the end.
      String head = raw.readUntil("\r\n\r\n");
      assertThat(head).as("answer to %s %s", method, target).startsWith("HTTP/1.1 400 ");
      assertThat(head.toLowerCase(Locale.ROOT)).contains("content-type: application/json");
      String all = raw.readToEnd();
      return Http.json(all.substring(all.indexOf("\r\n\r\n") + 4));
    }
  }

  private static void assertRefused(JsonNode error, String code, String parameter) {
    assertThat(error.get("type").asText()).isEqualTo("error");
    assertThat(error.get("code").asText()).isEqualTo(code);
    assertThat(error.get("message").asText())
        .startsWith("the query parameter \"" + parameter + "\" is malformed");
  }

  @OnBothContainers
  void streamsAndPoll_malformedQuery_answer400NamingTheParameter(TestServer server)
      throws Exception {
    String channel = TestServer.channel("q");
    for (String transport : List.of("sse", "stream", "poll")) {
      for (Broken b : broken(channel)) {
        JsonNode answer = send(server, "GET", "/push/" + transport + "?" + b.query());
        assertRefused(answer, b.code(), b.parameter());
      }
    }
  }

  @OnBothContainers
  void rawBytesOutsideAscii_areRefusedWith400(TestServer server) throws Exception {
    String channel = TestServer.channel("q");
    for (byte[] bad : List.of(new byte[] {(byte) 0xC3, (byte) 0xA9}, new byte[] {(byte) 0xFF})) {
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      request.writeBytes(
          ("GET /push/poll?channel=" + channel + "&timeout=0&since=AAAA")
              .getBytes(StandardCharsets.US_ASCII));
      request.writeBytes(bad);
      request.writeBytes(
          " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      try (RawHttp raw = RawHttp.send(server.port(), request.toByteArray())) {
        String answer = raw.readToEnd();
        // Tomcat refuses the request line itself; Jetty passes the bytes on, decoded.
        assertThat(answer).startsWith("HTTP/1.1 400");
        if (server.name.equals("jetty")) {
          assertThat(answer).contains("\"code\":\"bad_cursor\"", "must be percent-encoded");
        }
      }
    }
  }

  @OnBothContainers
  void sse_malformedSinceBesideAGoodLastEventId_isStillRefused(TestServer server) throws Exception {
    String channel = TestServer.channel("q");
    String cursor = PollTransportTest.startCursor(server, channel);

    JsonNode answer =
        send(
            server,
            "GET",
            "/push/sse?channel=" + channel + "&since=AAAA%ZZ",
            "Last-Event-ID",
            cursor);

    assertRefused(answer, "bad_cursor", "since");
  }

  @OnBothContainers
  void publish_malformedQuery_isRefusedAndNothingIsStored(TestServer server) throws Exception {
    // With a bearer header the policy never reads access_token: the query is refused all the same.
    for (String query : List.of("access_token=%ZZ", "x=%C3%28", "access_token=ok&since=%A")) {
      JsonNode answer =
          send(
              server,
              "POST",
              "/push/publish?" + query,
              "Authorization",
              "Bearer " + TestServer.GOOD_TOKEN);
      assertThat(answer.get("code").asText())
          .isEqualTo(query.contains("since") ? "bad_cursor" : "bad_request");
    }
    assertThat(server.hub.channel("chat/query").position().toCompletableFuture().join().offset())
        .isZero();
  }

  @OnBothContainers
  void poll_percentEncodedChannel_decodes(TestServer server) throws Exception {
    String channel = TestServer.channel("q");
    String encoded = channel.replace("/", "%2F");
    String cursor = PollTransportTest.startCursor(server, channel);
    Http.publish(server.hub, channel, "e", "\"hi\"");

    JsonNode answer =
        Http.json(
            Http.get(
                    server,
                    "/push/poll?channel=" + encoded + "&since=" + Http.enc(cursor) + "&timeout=0")
                .body());

    assertThat(answer.get("messages")).hasSize(1);
    assertThat(answer.get("messages").get(0).get("channel").asText()).isEqualTo(channel);
  }

  @OnBothContainers
  void everyTransport_tokenWithPlusAndMultiByteUtf8_authenticates(TestServer server)
      throws Exception {
    // "odd tøken+/€": a space as +, a multi-byte character, an escaped + and /.
    String token = "odd+t%C3%B8ken%2B%2F%E2%82%AC";
    String channel = TestServer.channel("secret");
    String query = "?channel=" + channel + "&channel=" + channel + "x&access_token=" + token;

    HttpResponse<String> poll = Http.get(server, "/push/poll" + query + "&timeout=0");
    assertThat(poll.statusCode()).as(poll.body()).isEqualTo(200);
    try (SseClient sse = SseClient.open(server, "/push/sse" + query)) {
      assertThat(sse.response.statusCode()).isEqualTo(200);
      sse.ready();
    }
    try (NdjsonClient ndjson = NdjsonClient.open(server, "/push/stream" + query)) {
      assertThat(ndjson.response.statusCode()).isEqualTo(200);
      assertThat(ndjson.nextFrame().get("type").asText()).isEqualTo("ready");
    }
    HttpResponse<String> forged =
        Http.get(server, "/push/poll" + query.replace("odd+", "odd%2B") + "&timeout=0");
    Http.assertError(forged, 401, "unauthorized");
  }
}
