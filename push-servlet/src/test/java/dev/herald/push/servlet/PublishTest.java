package dev.herald.push.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/** {@code POST …/publish} on both containers; its bad-input cases are in {@link BadInputTest}. */
class PublishTest {
  static final String JSON = "application/json";

  static String body(String channel, String event, String data) {
    return "{\"channel\":\"" + channel + "\",\"event\":\"" + event + "\",\"data\":" + data + "}";
  }

  @OnBothContainers
  void publish_validBody_returns202WithOffsetAndReachesSubscribers(TestServer server)
      throws Exception {
    String channel = TestServer.channel("chat");
    try (SseClient sse = SseClient.open(server, "/push/sse?channel=" + channel)) {
      sse.ready();
      HttpResponse<String> response =
          Http.post(server, "/push/publish", JSON, body(channel, "chat", "{\"text\":\"hi\"}"));

      assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
      assertThat(response.headers().firstValue("Content-Type").orElseThrow())
          .startsWith("application/json");
      JsonNode ack = Http.json(response.body());
      assertThat(ack.get("channel").asText()).isEqualTo(channel);
      assertThat(ack.get("offset").asLong()).isEqualTo(1);
      assertThat(ack.get("epoch").asText()).isNotBlank();

      JsonNode frame = sse.next("message").json();
      assertThat(frame.get("event").asText()).isEqualTo("chat");
      assertThat(frame.get("data").get("text").asText()).isEqualTo("hi");
      assertThat(frame.get("offset").asLong()).isEqualTo(1);
      assertThat(frame.get("epoch").asText()).isEqualTo(ack.get("epoch").asText());
      assertThat(frame.get("publisher").asText()).as("the anonymous client's id").isNotBlank();
    }
  }

  @OnBothContainers
  void publish_withoutEvent_publishesAsMessage(TestServer server) throws Exception {
    String channel = TestServer.channel("chat");
    HttpResponse<String> response =
        Http.post(
            server,
            "/push/publish",
            "application/json; charset=UTF-8",
            "{\"channel\":\"" + channel + "\",\"data\":[1,2]}");
    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(
            server
                .hub
                .channel(channel)
                .history(
                    new dev.herald.push.Position(
                        Http.json(response.body()).get("epoch").asText(), 0),
                    10)
                .toCompletableFuture()
                .join()
                .messages())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.event()).isEqualTo("message");
              assertThat(m.data()).isEqualTo("[1,2]");
            });
  }

  @OnBothContainers
  void publish_channelTakingNoClientMessages_returns403(TestServer server) throws Exception {
    String channel = TestServer.channel("news");
    HttpResponse<String> response =
        Http.post(server, "/push/publish", JSON, body(channel, "e", "1"));
    Http.assertError(response, 403, "forbidden");
    assertThat(server.hub.channel(channel).position().toCompletableFuture().join().offset())
        .isZero();
  }

  @OnBothContainers
  void publish_authorizerRefusesAnonymous_returns403ButAcceptsBearerUser(TestServer server)
      throws Exception {
    String channel = TestServer.channel("chat/alice");
    Http.assertError(
        Http.post(server, "/push/publish", JSON, body(channel, "e", "1")), 403, "forbidden");

    HttpResponse<String> response =
        Http.post(
            server,
            "/push/publish",
            JSON,
            body(channel, "e", "1"),
            "Authorization",
            "Bearer " + TestServer.GOOD_TOKEN);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
  }

  @OnBothContainers
  void publish_invalidBearerToken_returns401(TestServer server) throws Exception {
    HttpResponse<String> response =
        Http.post(
            server,
            "/push/publish",
            JSON,
            body(TestServer.channel("chat"), "e", "1"),
            "Authorization",
            "Bearer forged");
    Http.assertError(response, 401, "unauthorized");
    assertThat(response.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
  }

  @OnBothContainers
  void publish_handlerRejects_returns422WithItsMessage(TestServer server) throws Exception {
    HttpResponse<String> response =
        Http.post(
            server, "/push/publish", JSON, body(TestServer.channel("strict"), "e", "\"spam!\""));
    Http.assertError(response, 422, "rejected");
    assertThat(Http.json(response.body()).get("message").asText()).isEqualTo("no spam, please");
  }

  @OnBothContainers
  void publish_handlerTransforms_publishesItsResult(TestServer server) throws Exception {
    String channel = TestServer.channel("strict");
    try (SseClient sse = SseClient.open(server, "/push/sse?channel=" + channel)) {
      sse.ready();
      HttpResponse<String> response =
          Http.post(server, "/push/publish", JSON, body(channel, "raw", "\"fine\""));
      assertThat(response.statusCode()).isEqualTo(202);
      assertThat(sse.next("message").json().get("event").asText()).isEqualTo("checked");
    }
  }

  /**
   * Publishes pipelined on one connection, each body sent with its headers: the usual publish, read
   * and answered on the container's thread. Each is answered in order, with its length, and the
   * connection stays open for the next.
   */
  @OnBothContainers
  void publish_pipelinedOnOneConnection_eachAnsweredInOrderWithItsLength(TestServer server)
      throws Exception {
    String channel = TestServer.channel("chat");
    StringBuilder requests = new StringBuilder();
    for (int i = 1; i <= 3; i++) {
      String body = body(channel, "n", Integer.toString(i));
      requests
          .append("POST /push/publish HTTP/1.1\r\nHost: 127.0.0.1\r\n")
          .append("Content-Type: application/json\r\nContent-Length: ")
          .append(body.getBytes(StandardCharsets.UTF_8).length)
          .append(i == 3 ? "\r\nConnection: close" : "")
          .append("\r\n\r\n")
          .append(body);
    }
    String answers;
    try (RawHttp raw =
        RawHttp.send(server.port(), requests.toString().getBytes(StandardCharsets.UTF_8))) {
      answers = raw.readToEnd();
    }
    String[] parts = answers.split("HTTP/1.1 ", -1);
    assertThat(parts).as(answers).hasSize(4);
    for (int i = 1; i <= 3; i++) {
      String answer = parts[i];
      assertThat(answer).as(answers).startsWith("202");
      assertThat(answer.toLowerCase(java.util.Locale.ROOT))
          .as(answers)
          .containsPattern("\r\ncontent-length: \\d+\r\n")
          .doesNotContain("transfer-encoding");
      assertThat(answer).as(answers).contains("\"offset\":" + i + ",");
    }
    assertThat(
            server
                .hub
                .channel(channel)
                .position()
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS)
                .offset())
        .isEqualTo(3);
  }

  /** A body that is still on its way when the request arrives is read as it comes. */
  @OnBothContainers
  void publish_bodyArrivingAfterItsHeaders_isReadAndPublished(TestServer server) throws Exception {
    String channel = TestServer.channel("chat");
    byte[] body = body(channel, "late", "\"body\"").getBytes(StandardCharsets.UTF_8);
    String head =
        "POST /push/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: "
            + body.length
            + "\r\nConnection: close\r\n\r\n";
    try (RawHttp raw = RawHttp.send(server.port(), head.getBytes(StandardCharsets.US_ASCII))) {
      // A slow sender, on purpose: the body must not be there yet when the servlet looks.
      Thread.sleep(300);
      raw.write(Arrays.copyOf(body, 10));
      Thread.sleep(200);
      raw.write(Arrays.copyOfRange(body, 10, body.length));
      String answer = raw.readToEnd();
      assertThat(answer).startsWith("HTTP/1.1 202").contains("\"offset\":1,");
    }
  }

  /**
   * A publish the hub finishes only after the request's thread has moved on (a handler on the
   * dispatch executor) is answered when it is done, with its result or its refusal.
   */
  @OnBothContainers
  void publish_finishedAfterTheRequestReturns_isAnsweredWhenDone(TestServer server)
      throws Exception {
    String channel = TestServer.channel("later");
    try (SseClient sse = SseClient.open(server, "/push/sse?channel=" + channel)) {
      sse.ready();
      HttpResponse<String> ok =
          Http.post(server, "/push/publish", JSON, body(channel, "e", "\"fine\""));
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(202);
      assertThat(Http.json(ok.body()).get("offset").asLong()).isEqualTo(1);
      assertThat(sse.next("message").json().get("data").asText()).isEqualTo("fine");

      HttpResponse<String> refused =
          Http.post(server, "/push/publish", JSON, body(channel, "e", "\"spam\""));
      Http.assertError(refused, 422, "rejected");
    }
  }
}
