package dev.herald.push.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;

/** Ephemeral publishes and presence frames on the HTTP transports, on both containers. */
class EphemeralAndPresenceHttpTest {
  private static final String JSON = PublishTest.JSON;

  private static String member(String name) {
    return Http.enc("{\"name\":\"" + name + "\",\"color\":\"#3a6\"}");
  }

  @OnBothContainers
  void anEphemeralPublish_isAnswered202WithoutOffset_andReachesSseWithoutMovingTheId(
      TestServer server) throws Exception {
    String channel = TestServer.channel("chat");
    try (SseClient sse = SseClient.open(server, "/push/sse?channel=" + channel)) {
      sse.ready();
      Http.post(server, "/push/publish", JSON, PublishTest.body(channel, "stroke", "1"));
      String storedId = sse.next("message").id();

      HttpResponse<String> response =
          Http.post(
              server,
              "/push/publish",
              JSON,
              "{\"channel\":\""
                  + channel
                  + "\",\"event\":\"cursor\",\"data\":{\"x\":3},"
                  + "\"ephemeral\":true}");
      assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
      JsonNode ack = Http.json(response.body());
      assertThat(ack.get("channel").asText()).isEqualTo(channel);
      assertThat(ack.get("ephemeral").asBoolean()).isTrue();
      assertThat(ack.has("offset")).isFalse();

      SseClient.Event e = sse.next("message");
      assertThat(e.json().get("ephemeral").asBoolean()).isTrue();
      assertThat(e.json().get("data").get("x").asInt()).isEqualTo(3);
      assertThat(e.json().has("offset")).isFalse();
      // No id: line came, so the last event id is still the stored message's cursor.
      assertThat(e.id()).isEqualTo(storedId);
      assertThat(server.hub.channel(channel).position().toCompletableFuture().join().offset())
          .isEqualTo(1);
    }
  }

  @OnBothContainers
  void ephemeral_mustBeABoolean(TestServer server) throws Exception {
    String channel = TestServer.channel("chat");
    HttpResponse<String> response =
        Http.post(
            server,
            "/push/publish",
            JSON,
            "{\"channel\":\"" + channel + "\",\"data\":1,\"ephemeral\":\"yes\"}");
    Http.assertError(response, 400, "bad_request");
  }

  @OnBothContainers
  void sseWithMemberAndPresence_getsTheMembers_thenJoinsAndLeaves(TestServer server)
      throws Exception {
    String channel = TestServer.channel("chat");
    String query = "?channel=" + channel + "&presence=" + channel;
    try (SseClient ann = SseClient.open(server, "/push/sse" + query + "&member=" + member("Ann"))) {
      ann.ready();
      SseClient.Event members = ann.next("members");
      assertThat(members.json().get("members")).hasSize(1);
      assertThat(members.json().get("members").get(0).get("data").get("name").asText())
          .isEqualTo("Ann");

      String bobId;
      try (NdjsonClient bob =
          NdjsonClient.open(
              server, "/push/stream?channel=" + channel + "&member=" + member("Bob"))) {
        bobId = bob.next().get("clientId").asText();
        SseClient.Event join = ann.next("join");
        assertThat(join.json().get("member").get("clientId").asText()).isEqualTo(bobId);
        assertThat(join.json().get("member").get("data").get("name").asText()).isEqualTo("Bob");
      }
      SseClient.Event leave = ann.next("leave");
      assertThat(leave.json().get("member").get("clientId").asText()).isEqualTo(bobId);
    }
  }

  @OnBothContainers
  void aPollWithPresence_doesNotAnswerForTheSnapshotAlone_butCarriesItWithTheNextMessage(
      TestServer server) throws Exception {
    String channel = TestServer.channel("chat");
    String start =
        Http.json(Http.get(server, "/push/poll?channel=" + channel + "&timeout=0").body())
            .get("cursor")
            .asText();
    Thread publisher =
        new Thread(
            () -> {
              try {
                // Once the poll waits on the channel: then only this message can answer it.
                org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> server.hub.channel(channel).subscriberCount() == 1);
                Http.post(
                    server,
                    "/push/publish",
                    JSON,
                    "{\"channel\":\""
                        + channel
                        + "\",\"event\":\"cursor\",\"data\":1,"
                        + "\"ephemeral\":true}");
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
    publisher.start();
    HttpResponse<String> poll =
        Http.get(
            server,
            "/push/poll?channel="
                + channel
                + "&presence="
                + channel
                + "&member="
                + member("P")
                + "&since="
                + start
                + "&timeout=10");
    publisher.join();
    assertThat(poll.statusCode()).as(poll.body()).isEqualTo(200);
    JsonNode answer = Http.json(poll.body());
    JsonNode frames = answer.get("messages");
    assertThat(frames.get(0).get("type").asText()).isEqualTo("members");
    assertThat(frames.get(0).get("members").get(0).get("data").get("name").asText()).isEqualTo("P");
    // The message was published while the poll waited: had the snapshot answered it, it would be
    // missing.
    JsonNode last = frames.get(frames.size() - 1);
    assertThat(last.get("type").asText()).isEqualTo("message");
    assertThat(last.get("ephemeral").asBoolean()).isTrue();
    // Neither frame moved the cursor.
    assertThat(answer.get("cursor").asText()).isEqualTo(start);
  }

  @OnBothContainers
  void badMemberData_orPresenceForAnotherChannel_isA400(TestServer server) throws Exception {
    String channel = TestServer.channel("chat");
    Http.assertError(
        Http.get(server, "/push/poll?channel=" + channel + "&timeout=0&member=" + Http.enc("{")),
        400,
        "bad_json");
    Http.assertError(
        Http.get(
            server,
            "/push/poll?channel=" + channel + "&timeout=0&presence=" + TestServer.channel("x")),
        400,
        "bad_request");
  }
}
