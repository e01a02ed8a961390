package dev.herald.push.servlet;

import static dev.herald.push.servlet.Http.enc;
import static dev.herald.push.servlet.Http.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET …/poll} on both containers. The main servlet's poll timeout is 30 s and every client
 * request gives up after 10 s, so a poll that should answer at once but waits for its timeout fails
 * the test.
 */
class PollTransportTest {

  static JsonNode poll(TestServer server, String channel, String cursor, String extra)
      throws Exception {
    HttpResponse<String> response = Http.get(server, pollPath(channel, cursor, extra));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/json");
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    return Http.json(response.body());
  }

  static String pollPath(String channel, String cursor, String extra) {
    return "/push/poll?channel="
        + channel
        + (cursor == null ? "" : "&since=" + enc(cursor))
        + (extra == null ? "" : "&" + extra);
  }

  /** The channel's current cursor, from a poll that answers at once. */
  static String startCursor(TestServer server, String channel) throws Exception {
    JsonNode answer = poll(server, channel, null, "timeout=0");
    assertThat(answer.get("messages")).isEmpty();
    return answer.get("cursor").asText();
  }

  @OnBothContainers
  void poll_nothingNew_answersAfterTimeoutWithEmptyListAndStartCursor(TestServer server)
      throws Exception {
    String channel = TestServer.channel("quiet");
    JsonNode answer = poll(server, channel, null, "timeout=1");
    assertThat(answer.get("messages")).isEmpty();
    String cursor = answer.get("cursor").asText();
    assertThat(cursor).isNotBlank();

    publish(server.hub, channel, "e", "\"first\"");
    JsonNode next = poll(server, channel, cursor, null);
    assertThat(next.get("messages")).hasSize(1);
    assertThat(next.get("messages").get(0).get("data").asText()).isEqualTo("first");
  }

  @OnBothContainers
  void poll_messagesAfterCursor_answersAtOnceWithAllOfThemInOneBatch(TestServer server)
      throws Exception {
    String channel = TestServer.channel("batch");
    String cursor = startCursor(server, channel);
    for (int i = 1; i <= 50; i++) {
      publish(server.hub, channel, "e", Integer.toString(i));
    }
    JsonNode answer = poll(server, channel, cursor, null);
    JsonNode messages = answer.get("messages");
    assertThat(messages).hasSize(50);
    for (int i = 0; i < 50; i++) {
      assertThat(messages.get(i).get("type").asText()).isEqualTo("message");
      assertThat(messages.get(i).get("data").asInt()).isEqualTo(i + 1);
    }
    assertThat(answer.get("cursor").asText()).isEqualTo(messages.get(49).get("cursor").asText());
  }

  @OnBothContainers
  void poll_waiting_answersAsSoonAsAMessageIsPublished(TestServer server) throws Exception {
    String channel = TestServer.channel("wait");
    String cursor = startCursor(server, channel);
    CompletableFuture<HttpResponse<String>> pending =
        server.http.sendAsync(
            HttpRequest.newBuilder(server.uri(pollPath(channel, cursor, null)))
                .timeout(SseClient.WAIT)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    await().until(() -> server.hub.channel(channel).subscriberCount() == 1);
    assertThat(pending).isNotDone();

    publish(server.hub, channel, "e", "\"now\"");
    JsonNode answer = Http.json(pending.get().body());
    assertThat(answer.get("messages")).hasSize(1);
    assertThat(answer.get("messages").get(0).get("data").asText()).isEqualTo("now");
    await().until(() -> server.hub.channel(channel).subscriberCount() == 0);
  }

  @OnBothContainers
  void poll_loopUnderFasterPublisher_losesAndRepeatsNothing(TestServer server) throws Exception {
    String channel = TestServer.channel("firehose");
    int total = 600;
    String cursor = startCursor(server, channel);
    Thread publisher =
        new Thread(
            () -> {
              for (int i = 1; i <= total; i++) {
                publish(server.hub, channel, "e", Integer.toString(i));
              }
            });
    publisher.start();

    List<Integer> received = new ArrayList<>();
    int polls = 0;
    while (received.size() < total && polls < 2 * total) {
      JsonNode answer = poll(server, channel, cursor, null);
      polls++;
      for (JsonNode m : answer.get("messages")) {
        received.add(m.get("data").asInt());
      }
      cursor = answer.get("cursor").asText();
    }
    publisher.join();

    List<Integer> expected = new ArrayList<>();
    for (int i = 1; i <= total; i++) {
      expected.add(i);
    }
    assertThat(received).containsExactlyElementsOf(expected);
    assertThat(polls).as("polls answered in batches").isLessThan(total);
  }

  @OnBothContainers
  void poll_droppedPoll_nextPollWithSameCursorLosesNothing(TestServer server) throws Exception {
    String channel = TestServer.channel("dropped");
    String cursor = startCursor(server, channel);
    try (RawHttp dropped = RawHttp.get(server.port(), pollPath(channel, cursor, null), 0)) {
      await().until(() -> server.hub.channel(channel).subscriberCount() == 1);
    }
    publish(server.hub, channel, "e", "\"kept\"");
    await().until(() -> server.hub.channel(channel).subscriberCount() == 0);

    JsonNode answer = poll(server, channel, cursor, null);
    assertThat(answer.get("messages")).hasSize(1);
    assertThat(answer.get("messages").get(0).get("data").asText()).isEqualTo("kept");
  }

  @OnBothContainers
  void poll_cursorOlderThanHistory_answersWithResetThenEveryMessageHeld(TestServer server)
      throws Exception {
    String channel = TestServer.channel("reset");
    JsonNode first =
        Http.json(Http.get(server, "/small/poll?channel=" + channel + "&timeout=0").body());
    String cursor = first.get("cursor").asText();
    for (int i = 1; i <= 8; i++) {
      publish(server.small, channel, "e", Integer.toString(i));
    }
    JsonNode answer =
        Http.json(
            Http.get(server, "/small/poll?channel=" + channel + "&since=" + enc(cursor)).body());
    JsonNode reset = answer.get("messages").get(0);
    assertThat(reset.get("type").asText()).isEqualTo("reset");
    // The history holds 4 to 8: the reset is just before them, and they follow it, in this answer
    // or the next ones.
    assertThat(reset.get("offset").asLong()).isEqualTo(3);
    List<Long> held = new ArrayList<>();
    JsonNode frames = answer.get("messages");
    String next = answer.get("cursor").asText();
    for (int polls = 0; ; polls++) {
      for (int i = polls == 0 ? 1 : 0; i < frames.size(); i++) {
        assertThat(frames.get(i).get("type").asText()).isEqualTo("message");
        held.add(frames.get(i).get("offset").asLong());
      }
      if (held.size() >= 5 || polls == 5) {
        break;
      }
      JsonNode more =
          Http.json(
              Http.get(server, "/small/poll?channel=" + channel + "&since=" + enc(next)).body());
      frames = more.get("messages");
      next = more.get("cursor").asText();
    }
    assertThat(held).containsExactly(4L, 5L, 6L, 7L, 8L);

    publish(server.small, channel, "e", "9");
    JsonNode after =
        Http.json(
            Http.get(server, "/small/poll?channel=" + channel + "&since=" + enc(next)).body());
    assertThat(after.get("messages")).hasSize(1);
    assertThat(after.get("messages").get(0).get("data").asInt()).isEqualTo(9);
  }
}
