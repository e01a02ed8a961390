package dev.herald.push.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The demo apps' server side over plain HTTP: history, login, the authorizer, answers. */
class DemoEndpointsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static DemoServer demo;

  @BeforeAll
  static void start() throws Exception {
    demo = DemoServer.start(new DemoOptions(0, null, false));
  }

  @AfterAll
  static void stop() throws Exception {
    demo.close();
  }

  /** The status and JSON body of a GET, or of a POST when {@code body} is given. */
  static Map.Entry<Integer, JsonNode> call(int port, String path, Object body, String token)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .timeout(Duration.ofSeconds(30));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      request
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    }
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return Map.entry(response.statusCode(), JSON.readTree(response.body()));
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static Map.Entry<Integer, JsonNode> call(String path, Object body, String token)
      throws Exception {
    return call(demo.port(), path, body, token);
  }

  @Test
  void chatHistory_returnsTheLast50AndACursorThatContinuesExactlyAfterThem() throws Exception {
    for (int i = 1; i <= 60; i++) {
      demo.hub().channel("chat/history").publish("chat", Map.of("nick", "n", "text", "m" + i));
    }
    JsonNode history = call("/demo/chat/history?room=history", null, null).getValue();
    List<Long> offsets = new ArrayList<>();
    history.get("messages").forEach(m -> offsets.add(m.get("offset").asLong()));
    assertThat(offsets).hasSize(50).startsWith(11L).endsWith(60L);
    assertThat(history.get("messages").get(49).get("data").get("text").asText()).isEqualTo("m60");

    demo.hub().channel("chat/history").publish("chat", Map.of("nick", "n", "text", "m61"));
    JsonNode poll =
        call(
                "/push/poll?channel=chat/history&channel=presence/chat/history&timeout=5&since="
                    + enc(history.get("cursor").asText()),
                null,
                null)
            .getValue();
    // The poll's own join may also bring a presence count; the chat channel must continue at 61.
    List<Long> chat = new ArrayList<>();
    poll.get("messages")
        .forEach(
            m -> {
              if (m.get("channel").asText().equals("chat/history")) {
                chat.add(m.get("offset").asLong());
              }
            });
    assertThat(chat).containsExactly(61L);
  }

  @Test
  void chatHistory_refusesABadRoom() throws Exception {
    assertThat(call("/demo/chat/history?room=" + enc("<script>"), null, null).getKey())
        .isEqualTo(400);
  }

  @Test
  void notifications_onlyTheUserReadsTheirChannel_andOnlyTheServerWritesIt() throws Exception {
    String alice =
        call("/demo/notifications/login", Map.of("name", "alice"), null)
            .getValue()
            .get("token")
            .asText();
    String bob =
        call("/demo/notifications/login", Map.of("name", "bob"), null)
            .getValue()
            .get("token")
            .asText();
    assertThat(call("/push/poll?channel=user/alice&timeout=0", null, bob).getKey()).isEqualTo(403);
    assertThat(call("/push/poll?channel=user/alice&timeout=0", null, null).getKey()).isEqualTo(403);
    assertThat(call("/push/poll?channel=user/alice&timeout=0", null, "alice.forged").getKey())
        .isEqualTo(401);
    assertThat(
            call("/push/publish", Map.of("channel", "user/alice", "event", "x", "data", 1), bob)
                .getKey())
        .isEqualTo(403);
    assertThat(call("/demo/notifications/send", Map.of("to", "alice", "text", "hi"), null).getKey())
        .isEqualTo(401);

    String cursor =
        call("/push/poll?channel=user/alice&timeout=0", null, alice)
            .getValue()
            .get("cursor")
            .asText();
    Map.Entry<Integer, JsonNode> sent =
        call("/demo/notifications/send", Map.of("to", "alice", "text", " see you "), bob);
    assertThat(sent.getKey()).isEqualTo(202);
    JsonNode got =
        call("/push/poll?channel=user/alice&timeout=5&since=" + enc(cursor), null, alice)
            .getValue();
    assertThat(got.get("messages")).hasSize(1);
    JsonNode data = got.get("messages").get(0).get("data");
    assertThat(data.get("from").asText()).isEqualTo("bob");
    assertThat(data.get("text").asText()).isEqualTo("see you");
    assertThat(call("/demo/notifications/login", Map.of("name", "a b"), null).getKey())
        .isEqualTo(400);
  }

  /**
   * Polls the answer's channel from its cursor until the {@code done} event; returns the frames.
   */
  private static List<JsonNode> readAnswer(JsonNode start) throws Exception {
    List<JsonNode> frames = new ArrayList<>();
    String channel = start.get("channel").asText();
    String[] cursor = {start.get("cursor").asText()};
    await()
        .atMost(Duration.ofSeconds(20))
        .pollDelay(Duration.ZERO)
        .until(
            () -> {
              String path = "/push/poll?channel=" + channel + "&timeout=5&since=" + enc(cursor[0]);
              JsonNode poll = call(path, null, null).getValue();
              poll.get("messages").forEach(frames::add);
              cursor[0] = poll.get("cursor").asText();
              return !frames.isEmpty()
                  && frames.get(frames.size() - 1).get("event").asText().equals("done");
            });
    return frames;
  }

  @Test
  void answers_streamEveryWordInOrderFromTheCursor_thenDone() throws Exception {
    JsonNode start =
        call("/demo/answers/start", Map.of("prompt", "What is a cursor?"), null).getValue();
    List<JsonNode> frames = readAnswer(start);
    List<String> words = AnswerGenerator.answer("What is a cursor?");
    assertThat(frames).hasSize(words.size() + 1);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < words.size(); i++) {
      assertThat(frames.get(i).get("offset").asLong()).isEqualTo(i + 1);
      text.append(frames.get(i).get("data").get("text").asText());
    }
    assertThat(text.toString()).isEqualTo(String.join(" ", words));
    assertThat(frames.get(words.size()).get("data").get("reason").asText()).isEqualTo("complete");
    assertThat(AnswerGenerator.answer("What is a cursor?")).isEqualTo(words);
  }

  @Test
  void answers_cancel_stopsTheGeneratorAndSaysSo() throws Exception {
    JsonNode start = call("/demo/answers/start", Map.of("prompt", "cancel me"), null).getValue();
    assertThat(
            call("/demo/answers/cancel", Map.of("id", start.get("id").asText()), null)
                .getValue()
                .get("cancelled")
                .asBoolean())
        .isTrue();
    List<JsonNode> frames = readAnswer(start);
    JsonNode done = frames.get(frames.size() - 1);
    assertThat(done.get("data").get("reason").asText()).isEqualTo("cancelled");
    assertThat(frames.size() - 1)
        .isEqualTo(done.get("data").get("words").asInt())
        .isLessThan(AnswerGenerator.answer("cancel me").size());
    assertThat(
            call("/demo/answers/cancel", Map.of("id", start.get("id").asText()), null)
                .getValue()
                .get("cancelled")
                .asBoolean())
        .isFalse();
    assertThat(call("/demo/answers/start", Map.of("prompt", " "), null).getKey()).isEqualTo(400);
  }
}
