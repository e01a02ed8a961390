package dev.herald.push.servlet;

import static dev.herald.push.servlet.Http.enc;
import static dev.herald.push.servlet.Http.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@code GET …/sse} on both containers. */
class SseTransportTest {

  @OnBothContainers
  void sse_connect_sendsHeadersRetryAndReadyEventWithCursorId(TestServer server) throws Exception {
    String channel = TestServer.channel("news");
    try (SseClient sse = SseClient.open(server, "/push/sse?channel=" + channel)) {
      assertThat(sse.response.statusCode()).isEqualTo(200);
      assertThat(sse.response.headers().firstValue("Content-Type").orElseThrow())
          .startsWith("text/event-stream");
      assertThat(sse.response.headers().firstValue("Cache-Control"))
          .hasValue("no-cache, no-transform");
      assertThat(sse.response.headers().firstValue("X-Accel-Buffering")).hasValue("no");

      SseClient.Event ready = sse.next("ready");
      assertThat(sse.retry()).as("retry: comes before the first event").isEqualTo("1500");
      JsonNode frame = ready.json();
      assertThat(frame.get("type").asText()).isEqualTo("ready");
      assertThat(frame.get("clientId").asText()).isNotBlank();
      assertThat(ready.id()).isEqualTo(frame.get("cursor").asText()).matches("[A-Za-z0-9._~-]+");
    }
  }

  @OnBothContainers
  void sse_publish_deliversMessageAsUnnamedEventWithCursorId(TestServer server) throws Exception {
    String channel = TestServer.channel("chat");
    try (SseClient sse = SseClient.open(server, "/push/sse?channel=" + channel)) {
      sse.ready();
      Message sent = publish(server.hub, channel, "chat", "{\"text\":\"hello\"}");

      SseClient.Event event = sse.next("message");
      JsonNode frame = event.json();
      assertThat(frame.get("type").asText()).isEqualTo("message");
      assertThat(frame.get("channel").asText()).isEqualTo(channel);
      assertThat(frame.get("event").asText()).isEqualTo("chat");
      assertThat(frame.get("offset").asLong()).isEqualTo(sent.offset());
      assertThat(frame.get("epoch").asText()).isEqualTo(sent.epoch());
      assertThat(frame.get("data").get("text").asText()).isEqualTo("hello");
      assertThat(frame.has("cursor")).as("on SSE the cursor is the id").isFalse();
      assertThat(event.id()).isNotBlank().doesNotContain("\n", "\r");
    }
  }

  @OnBothContainers
  void sse_twoChannels_deliversBothOverOneConnection(TestServer server) throws Exception {
    String a = TestServer.channel("multi");
    String b = TestServer.channel("multi");
    try (SseClient sse = SseClient.open(server, "/push/sse?channel=" + a + "&channel=" + b)) {
      sse.ready();
      publish(server.hub, a, "e", "1");
      publish(server.hub, b, "e", "2");
      publish(server.hub, a, "e", "3");

      List<String> got = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        JsonNode f = sse.next("message").json();
        got.add(f.get("channel").asText() + "=" + f.get("data").asText());
      }
      assertThat(got).containsExactly(a + "=1", b + "=2", a + "=3");
    }
  }

  @OnBothContainers
  void sse_resumeWithLastEventId_replaysMissedMessagesInOrderWithoutDuplicates(TestServer server)
      throws Exception {
    String channel = TestServer.channel("resume");
    String lastId;
    try (SseClient sse = SseClient.open(server, "/push/sse?channel=" + channel)) {
      sse.ready();
      publish(server.hub, channel, "e", "1");
      lastId = sse.next("message").id();
    }
    for (int i = 2; i <= 4; i++) {
      publish(server.hub, channel, "e", Integer.toString(i));
    }
    try (SseClient sse =
        SseClient.open(server, "/push/sse?channel=" + channel, "Last-Event-ID", lastId)) {
      sse.ready();
      for (int i = 2; i <= 4; i++) {
        assertThat(sse.next("message").json().get("data").asInt()).isEqualTo(i);
      }
      publish(server.hub, channel, "e", "5");
      // The next event is the live one: nothing was repeated in between.
      assertThat(sse.next("message").json().get("data").asInt()).isEqualTo(5);
    }
  }

  @OnBothContainers
  void sse_lastEventIdHeader_winsOverSinceParameter(TestServer server) throws Exception {
    String channel = TestServer.channel("resume");
    String early;
    String late;
    try (SseClient sse = SseClient.open(server, "/push/sse?channel=" + channel)) {
      early = sse.ready();
      publish(server.hub, channel, "e", "1");
      publish(server.hub, channel, "e", "2");
      sse.next("message");
      late = sse.next("message").id();
    }
    publish(server.hub, channel, "e", "3");
    try (SseClient sse =
        SseClient.open(
            server,
            "/push/sse?channel=" + channel + "&since=" + enc(early),
            "Last-Event-ID",
            late)) {
      sse.ready();
      assertThat(sse.next("message").json().get("data").asInt()).isEqualTo(3);
    }
  }

  @OnBothContainers
  void sse_dropBeforeFirstMessage_resumesFromReadyCursor(TestServer server) throws Exception {
    String channel = TestServer.channel("resume");
    String cursor;
    try (SseClient sse = SseClient.open(server, "/push/sse?channel=" + channel)) {
      cursor = sse.ready();
    }
    publish(server.hub, channel, "e", "\"missed\"");
    try (SseClient sse =
        SseClient.open(server, "/push/sse?channel=" + channel + "&since=" + enc(cursor))) {
      sse.ready();
      assertThat(sse.next("message").json().get("data").asText()).isEqualTo("missed");
    }
  }

  @OnBothContainers
  void sse_cursorOlderThanHistory_sendsResetThenEveryMessageHeldThenLive(TestServer server)
      throws Exception {
    String channel = TestServer.channel("reset");
    String cursor;
    try (SseClient sse = SseClient.open(server, "/small/sse?channel=" + channel)) {
      cursor = sse.ready();
    }
    for (int i = 1; i <= 12; i++) {
      publish(server.small, channel, "e", Integer.toString(i));
    }
    try (SseClient sse =
        SseClient.open(server, "/small/sse?channel=" + channel, "Last-Event-ID", cursor)) {
      sse.ready();
      SseClient.Event reset = sse.next("reset");
      assertThat(reset.json().get("channel").asText()).isEqualTo(channel);
      // The history holds 8 to 12: the reset is just before them, and they follow it.
      assertThat(reset.json().get("offset").asLong()).isEqualTo(7);
      assertThat(reset.id()).isEqualTo(reset.json().get("cursor").asText());
      for (int i = 8; i <= 12; i++) {
        SseClient.Event held = sse.next("message");
        assertThat(held.json().get("offset").asLong()).isEqualTo(i);
        assertThat(held.json().get("data").asInt()).isEqualTo(i);
      }
      publish(server.small, channel, "e", "13");
      assertThat(sse.next("message").json().get("data").asInt()).isEqualTo(13);
    }
  }

  @OnBothContainers
  void sse_payloadsWithLineBreaksNulAndNonAscii_reconstructedExactly(TestServer server)
      throws Exception {
    String channel = TestServer.channel("text");
    List<String> texts =
        List.of(
            "a\r\nb",
            "c\rd",
            "e\nf",
            "\r\n\r\n",
            "nul\u0000byte",
            "data: fake\n\nid: 1",
            "h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c \ud83d\ude00",
            "line\u2028separator");
    try (SseClient sse = SseClient.open(server, "/push/sse?channel=" + channel)) {
      sse.ready();
      for (String text : texts) {
        publish(server.hub, channel, "text", Http.MAPPER.writeValueAsString(text));
      }
      for (String text : texts) {
        assertThat(sse.next("message").json().get("data").asText()).isEqualTo(text);
      }
    }
  }

  @OnBothContainers
  void sse_idleConnection_receivesCommentHeartbeats(TestServer server) throws Exception {
    try (SseClient sse =
        SseClient.open(server, "/push/sse?channel=" + TestServer.channel("idle"))) {
      sse.ready();
      await().atMost(Duration.ofSeconds(10)).until(() -> sse.comments.get() >= 2);
    }
  }

  /**
   * One client stops reading while messages keep coming: the hub closes it as a slow consumer (its
   * outbox on {@code /small} holds 64 KiB) while a reading client on the same channel gets every
   * message; when the slow client reads again it finds its backlog, then an {@code error} event
   * naming {@code slow_consumer}, then the end of the stream.
   */
  @OnBothContainers
  void sse_slowReader_closedWithSlowConsumerWhileOthersKeepReceiving(TestServer server)
      throws Exception {
    String channel = TestServer.channel("slow");
    String payload = Http.MAPPER.writeValueAsString("x".repeat(16 * 1024));
    try (RawHttp slow = RawHttp.get(server.port(), "/small/sse?channel=" + channel, 4096);
        SseClient fast = SseClient.open(server, "/small/sse?channel=" + channel)) {
      slow.readUntil("event: ready");
      fast.ready();
      await().until(() -> server.small.channel(channel).subscriberCount() == 2);

      // Lock-step with the fast reader, so only the slow one ever falls behind.
      int published = 0;
      while (server.small.channel(channel).subscriberCount() == 2 && published < 5000) {
        publish(server.small, channel, "bulk", payload);
        published++;
        assertThat(fast.next("message").json().get("offset").asInt()).isEqualTo(published);
      }
      assertThat(server.small.channel(channel).subscriberCount())
          .as("the slow reader was closed after %d messages", published)
          .isEqualTo(1);

      publish(server.small, channel, "bulk", "\"after\"");
      assertThat(fast.next("message").json().get("data").asText()).isEqualTo("after");

      String rest = slow.readToEnd();
      String tail = rest.substring(Math.max(0, rest.length() - 300));
      assertThat(tail)
          .contains("event: error\ndata: {\"type\":\"error\",\"code\":\"slow_consumer\"");
      assertThat(tail).doesNotContain("after");
    }
  }

  @OnBothContainers
  void sse_clientDrops_releasesItsSubscription(TestServer server) throws Exception {
    String channel = TestServer.channel("drop");
    SseClient sse = SseClient.open(server, "/push/sse?channel=" + channel);
    sse.ready();
    assertThat(server.hub.channel(channel).subscriberCount()).isEqualTo(1);
    sse.close();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.hub.channel(channel).subscriberCount() == 0);
  }

  @OnBothContainers
  void sse_manyPublishersAtOnce_eachMessageArrivesOnceInOffsetOrder(TestServer server)
      throws Exception {
    String channel = TestServer.channel("burst");
    int count = 400;
    try (SseClient sse = SseClient.open(server, "/push/sse?channel=" + channel)) {
      sse.ready();
      BlockingQueue<Throwable> errors = new ArrayBlockingQueue<>(4);
      AtomicBoolean go = new AtomicBoolean();
      List<Thread> publishers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread thread =
            new Thread(
                () -> {
                  try {
                    await().untilTrue(go);
                    for (int i = 0; i < count / 4; i++) {
                      publish(server.hub, channel, "e", "0");
                    }
                  } catch (Throwable e) {
                    errors.add(e);
                  }
                });
        thread.start();
        publishers.add(thread);
      }
      go.set(true);
      for (int i = 1; i <= count; i++) {
        assertThat(sse.next("message").json().get("offset").asInt()).isEqualTo(i);
      }
      for (Thread thread : publishers) {
        thread.join(TimeUnit.SECONDS.toMillis(10));
      }
      assertThat(errors).isEmpty();
    }
  }

  /**
   * Over HTTP/1.1 the stream is the connection's last response: {@code Connection: close} and no
   * chunking, so each frame reaches the socket as it is. The body starts with the frames
   * themselves, and when the server ends the stream the connection ends with it.
   */
  @OnBothContainers
  void sse_overHttp11_isUnchunkedAndEndsWithItsConnection(TestServer server) throws Exception {
    String channel = TestServer.channel("plain");
    try (RawHttp raw = RawHttp.get11(server.port(), "/small/sse?channel=" + channel)) {
      String ready = raw.readUntil("event: ready");
      assertThat(RawHttp.head(ready)).startsWith("http/1.1 200").contains("\r\nconnection: close");
      assertThat(RawHttp.head(ready)).doesNotContain("transfer-encoding");
      assertThat(RawHttp.body(ready)).startsWith("retry: ");
      await().until(() -> server.small.channel(channel).subscriberCount() == 1);

      publish(server.small, channel, "e", "{\"n\":1}");
      raw.readUntil("\"data\":{\"n\":1}");

      server.small.disconnectAll();
      String body = RawHttp.body(raw.readToEnd());
      assertThat(body)
          .endsWith("\n\n")
          .contains("event: error\ndata: {\"type\":\"error\",\"code\":\"reconnect\"");
      // No chunk size line anywhere between the frames.
      assertThat(body.split("\n"))
          .allSatisfy(line -> assertThat(line).doesNotMatch("[0-9a-fA-F]+\r?"));
    }
  }
}
