package dev.herald.push.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;

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
}
