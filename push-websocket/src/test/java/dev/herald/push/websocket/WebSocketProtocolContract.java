package dev.herald.push.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.Cursor;
import dev.herald.push.Position;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The WebSocket frame protocol of DESIGN §3, run against a real container by each subclass: frames
 * in and out, resume by cursor, client publish, and every kind of bad client input.
 */
abstract class WebSocketProtocolContract extends ContainerContract {
  private static final AtomicInteger CHANNELS = new AtomicInteger();

  WebSocketProtocolContract(TestServer.Kind kind) {
    super(kind);
  }

  private TestSocket open() {
    return open("/push/ws");
  }

  private TestSocket open(String path) {
    return track(TestSocket.open(app.ws(path)));
  }

  private static String channel(String prefix) {
    return prefix + "/c" + CHANNELS.incrementAndGet();
  }

  private void publish(String channel, int n) {
    app.hub.channel(channel).publish("tick", Map.of("n", n)).toCompletableFuture().join();
  }

  @Test
  void connect_withoutChannels_sendsReadyWithClientIdAndCursorFirst() {
    TestSocket socket = open();

    JsonNode ready = socket.next("ready");

    assertThat(ready.path("clientId").asText()).hasSize(16);
    assertThat(Cursor.decode(ready.path("cursor").asText()).size()).isZero();
    socket.assertNothingElse();
  }

  @Test
  void subscribe_thenServerPublishes_deliversSubscribedThenMessageWithCursor() {
    String channel = channel("news");
    TestSocket socket = open();
    socket.next("ready");

    JsonNode subscribed = socket.subscribe(channel);
    publish(channel, 1);
    JsonNode message = socket.next("message");

    String epoch = subscribed.path("epoch").asText();
    assertThat(subscribed.path("offset").asLong()).isZero();
    assertThat(message.path("channel").asText()).isEqualTo(channel);
    assertThat(message.path("event").asText()).isEqualTo("tick");
    assertThat(message.path("offset").asLong()).isEqualTo(1);
    assertThat(message.path("epoch").asText()).isEqualTo(epoch);
    assertThat(message.path("data").path("n").asInt()).isEqualTo(1);
    assertThat(Cursor.decode(message.path("cursor").asText()).position(channel))
        .isEqualTo(new Position(epoch, 1));
    socket.assertNothingElse();
  }

  @Test
  void subscribe_manyChannelsOnOneSocket_deliversEveryMessageInOrderPerChannel() {
    String a = channel("multi");
    String b = channel("multi");
    String c = channel("multi");
    TestSocket socket = open();
    socket.next("ready");
    // Back to back: each subscribe goes out before the previous one is confirmed.
    for (String channel : List.of(a, b, c)) {
      socket.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
    }
    assertThat(socket.next(3))
        .allSatisfy(f -> assertThat(f.path("type").asText()).isEqualTo("subscribed"))
        .extracting(f -> f.path("channel").asText())
        .containsExactlyInAnyOrder(a, b, c);
    // `subscribed` comes before a new channel's feed is live: a message published at once may
    // still arrive through the catch-up, after later messages of other channels. One message per
    // channel first, so that every subscription is live when the order is checked.
    publish(a, 0);
    publish(b, 0);
    publish(c, 0);
    assertThat(socket.next(3))
        .extracting(m -> m.path("channel").asText() + "#" + m.path("offset").asLong())
        .containsExactlyInAnyOrder(a + "#1", b + "#1", c + "#1");

    publish(a, 1);
    publish(b, 2);
    publish(a, 3);
    publish(c, 4);
    publish(b, 5);
    List<JsonNode> messages = socket.next(5);

    // Each channel's messages in offset order. Across channels the protocol promises no order: a
    // channel whose last walk took long gathers its next messages for a moment (at most the hub's
    // maxBatchDelay), so a later message of another channel may come first.
    List<String> seen =
        messages.stream()
            .map(m -> m.path("channel").asText() + "#" + m.path("offset").asLong())
            .toList();
    assertThat(seen).containsExactlyInAnyOrder(a + "#2", b + "#2", a + "#3", c + "#2", b + "#3");
    assertThat(seen).containsSubsequence(a + "#2", a + "#3");
    assertThat(seen).containsSubsequence(b + "#2", b + "#3");
    // The last frame's cursor covers every channel: each frame carries the cursor as it was queued.
    Cursor last = Cursor.decode(messages.get(4).path("cursor").asText());
    assertThat(last.size()).isEqualTo(3);
    assertThat(last.position(a).offset()).isEqualTo(3);
    assertThat(last.position(b).offset()).isEqualTo(3);
    assertThat(last.position(c).offset()).isEqualTo(2);
    socket.assertNothingElse();
  }

  @Test
  void resume_afterDroppedConnection_replaysMissedMessagesInOrderThenGoesLive() {
    String a = channel("resume");
    String b = channel("resume");
    TestSocket first = open();
    first.next("ready");
    first.subscribe(a);
    first.subscribe(b);
    publish(a, 1);
    publish(b, 2);
    first.next("message");
    String cursor = first.next("message").path("cursor").asText();

    first.abort();
    publish(a, 3);
    publish(b, 4);
    publish(a, 5);
    TestSocket second = open();
    second.next("ready");
    second.subscribe(a, cursor);
    List<JsonNode> replayedA = second.next(2);
    second.subscribe(b, cursor);
    JsonNode replayedB = second.next("message");
    publish(b, 6);
    JsonNode live = second.next("message");

    assertThat(replayedA)
        .extracting(m -> m.path("channel").asText() + "#" + m.path("data").path("n").asInt())
        .containsExactly(a + "#3", a + "#5");
    assertThat(replayedB.path("data").path("n").asInt()).isEqualTo(4);
    assertThat(live.path("data").path("n").asInt()).isEqualTo(6);
    assertThat(live.path("offset").asLong()).isEqualTo(3);
    second.assertNothingElse();
  }

  @Test
  void resume_droppedBeforeFirstMessage_resumesFromTheSubscribedCursor() {
    String channel = channel("early");
    publish(channel, 0);
    TestSocket first = open();
    first.next("ready");
    String cursor = first.subscribe(channel).path("cursor").asText();

    first.abort();
    publish(channel, 1);
    TestSocket second = open();
    second.next("ready");
    JsonNode subscribed = second.subscribe(channel, cursor);
    JsonNode message = second.next("message");

    assertThat(subscribed.path("offset").asLong()).isEqualTo(1);
    assertThat(message.path("offset").asLong()).isEqualTo(2);
    assertThat(message.path("data").path("n").asInt()).isEqualTo(1);
    second.assertNothingElse();
  }

  @Test
  void resume_cursorOfAnotherEpoch_sendsResetThenEveryMessageHeldThenLive() {
    String channel = channel("stale");
    publish(channel, 1);
    String stale = Cursor.empty().with(channel, new Position("gone", 7)).encode();
    TestSocket socket = open();
    socket.next("ready");

    socket.subscribe(channel, stale);
    JsonNode reset = socket.next("reset");
    JsonNode held = socket.next("message");
    publish(channel, 2);
    JsonNode live = socket.next("message");

    assertThat(reset.path("channel").asText()).isEqualTo(channel);
    assertThat(reset.path("epoch").asText()).isNotEqualTo("gone");
    // The start of what the history holds: the message published before follows the reset.
    assertThat(reset.path("offset").asLong()).isZero();
    assertThat(held.path("offset").asLong()).isEqualTo(1);
    assertThat(held.path("epoch").asText()).isEqualTo(reset.path("epoch").asText());
    assertThat(live.path("offset").asLong()).isEqualTo(2);
    assertThat(live.path("epoch").asText()).isEqualTo(reset.path("epoch").asText());
    socket.assertNothingElse();
  }

  @Test
  void publish_withRef_isAckedWithSameRefAndDeliveredToSubscribers() {
    String channel = channel("chat");
    TestSocket reader = open();
    reader.next("ready");
    reader.subscribe(channel);
    TestSocket writer = open();
    String writerId = writer.next("ready").path("clientId").asText();

    writer.send(
        "{\"type\":\"publish\",\"channel\":\""
            + channel
            + "\",\"event\":\"say\",\"data\":{\"text\":\"hi\"},\"ref\":\"r-1\"}");
    JsonNode ack = writer.next("ack");
    JsonNode message = reader.next("message");

    assertThat(ack.path("ref").asText()).isEqualTo("r-1");
    assertThat(ack.path("channel").asText()).isEqualTo(channel);
    assertThat(ack.path("offset").asLong()).isEqualTo(1);
    assertThat(ack.path("epoch").asText()).isEqualTo(message.path("epoch").asText());
    assertThat(message.path("event").asText()).isEqualTo("say");
    assertThat(message.path("data").path("text").asText()).isEqualTo("hi");
    assertThat(message.path("publisher").asText()).isEqualTo(writerId);
    writer.assertNothingElse();
    reader.assertNothingElse();
  }

  @Test
  void publish_ephemeral_isAckedWithoutOffset_deliveredLive_andNeverReplayed() {
    String channel = channel("chat");
    TestSocket reader = open();
    reader.next("ready");
    reader.subscribe(channel);
    TestSocket writer = open();
    writer.next("ready");

    writer.send(
        "{\"type\":\"publish\",\"channel\":\""
            + channel
            + "\",\"event\":\"cursor\",\"data\":{\"x\":1},\"ephemeral\":true,\"ref\":\"e-1\"}");
    JsonNode ack = writer.next("ack");
    JsonNode message = reader.next("message");

    assertThat(ack.path("ref").asText()).isEqualTo("e-1");
    assertThat(ack.path("ephemeral").asBoolean()).isTrue();
    assertThat(ack.has("offset")).isFalse();
    assertThat(message.path("ephemeral").asBoolean()).isTrue();
    assertThat(message.path("data").path("x").asInt()).isEqualTo(1);
    assertThat(message.has("offset")).isFalse();
    assertThat(message.has("cursor")).isFalse();

    // A socket that subscribes from the start replays nothing: the message was never stored.
    TestSocket late = open();
    late.next("ready");
    JsonNode subscribed = late.subscribe(channel);
    assertThat(subscribed.path("offset").asLong()).isZero();
    late.assertNothingElse();
    writer.assertNothingElse();
    reader.assertNothingElse();
  }

  @Test
  void subscribe_withMemberAndPresence_getsTheSnapshot_thenOthersJoinAndLeave() {
    String channel = channel("chat");
    TestSocket ann = open();
    String annId = ann.next("ready").path("clientId").asText();
    ann.send(
        "{\"type\":\"subscribe\",\"channel\":\""
            + channel
            + "\",\"member\":{\"name\":\"Ann\"},\"presence\":true}");
    ann.next("subscribed");
    JsonNode members = ann.next("members");
    assertThat(members.path("members")).hasSize(1);
    assertThat(members.path("members").get(0).path("clientId").asText()).isEqualTo(annId);
    assertThat(members.path("members").get(0).path("data").path("name").asText()).isEqualTo("Ann");

    TestSocket bob = open();
    String bobId = bob.next("ready").path("clientId").asText();
    bob.send(
        "{\"type\":\"subscribe\",\"channel\":\"" + channel + "\",\"member\":{\"name\":\"Bob\"}}");
    bob.next("subscribed");
    JsonNode join = ann.next("join");
    assertThat(join.path("member").path("clientId").asText()).isEqualTo(bobId);
    assertThat(join.path("member").path("data").path("name").asText()).isEqualTo("Bob");
    bob.send("{\"type\":\"unsubscribe\",\"channel\":\"" + channel + "\"}");
    JsonNode leave = ann.next("leave");
    assertThat(leave.path("member").path("clientId").asText()).isEqualTo(bobId);
    // Bob asked for no presence frames.
    bob.assertNothingElse();
  }

  @Test
  void subscribe_withMemberDataOverTheLimit_isRefusedWithTooLargeAndItsRef() {
    String channel = channel("chat");
    TestSocket socket = open();
    socket.next("ready");
    socket.send(
        "{\"type\":\"subscribe\",\"channel\":\""
            + channel
            + "\",\"member\":{\"name\":\""
            + "x".repeat(1100)
            + "\"},\"ref\":\"m-1\"}");
    JsonNode error = socket.next("error");
    assertThat(error.path("code").asText()).isEqualTo("too_large");
    assertThat(error.path("ref").asText()).isEqualTo("m-1");
    socket.assertNothingElse();
  }

  @Test
  void publish_toChannelWithoutClientMessages_isRefusedWithForbiddenAndSameRef() {
    String channel = channel("news");
    TestSocket socket = open();
    socket.next("ready");

    socket.send(
        "{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"data\":1,\"ref\":\"r-2\"}");
    JsonNode error = socket.next("error");

    assertThat(error.path("code").asText()).isEqualTo("forbidden");
    assertThat(error.path("ref").asText()).isEqualTo("r-2");
    socket.assertNothingElse();
  }

  @Test
  void publish_rejectedByChannelHandler_getsRejectedErrorWithSameRef() {
    String channel = channel("chat");
    TestSocket socket = open();
    socket.next("ready");
    socket.subscribe(channel);

    socket.send(
        "{\"type\":\"publish\",\"channel\":\""
            + channel
            + "\",\"data\":{\"reject\":true},\"ref\":\"r-3\"}");
    JsonNode error = socket.next("error");

    assertThat(error.path("code").asText()).isEqualTo("rejected");
    assertThat(error.path("message").asText()).isEqualTo("no rejects here");
    assertThat(error.path("ref").asText()).isEqualTo("r-3");
    socket.assertNothingElse();
  }

  @Test
  void unsubscribe_stopsThatChannelOnly() {
    String kept = channel("unsub");
    String dropped = channel("unsub");
    TestSocket socket = open();
    socket.next("ready");
    socket.subscribe(kept);
    socket.subscribe(dropped);

    socket.send("{\"type\":\"unsubscribe\",\"channel\":\"" + dropped + "\"}");
    socket.assertNothingElse();
    publish(dropped, 1);
    publish(kept, 2);
    JsonNode message = socket.next("message");

    assertThat(message.path("channel").asText()).isEqualTo(kept);
    assertThat(Cursor.decode(message.path("cursor").asText()).position(dropped)).isNull();
    socket.assertNothingElse();
    assertThat(app.hub.channel(dropped).subscriberCount()).isZero();
  }

  @Test
  void subscribe_sameChannelTwice_getsErrorAndKeepsTheFirstSubscription() {
    String channel = channel("twice");
    TestSocket socket = open();
    socket.next("ready");
    socket.subscribe(channel);

    socket.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\",\"ref\":\"s-2\"}");
    JsonNode error = socket.next("error");
    publish(channel, 1);

    assertThat(error.path("code").asText()).isEqualTo("bad_request");
    assertThat(error.path("ref").asText()).isEqualTo("s-2");
    assertThat(socket.next("message").path("offset").asLong()).isEqualTo(1);
    socket.assertNothingElse();
  }

  static Stream<Arguments> badFrames() {
    return Stream.of(
        Arguments.of("not JSON", "hello there", "bad_json", null),
        Arguments.of("truncated JSON", "{\"type\":\"subscribe\",", "bad_json", null),
        Arguments.of("JSON that is not an object", "[1,2,3]", "bad_json", null),
        Arguments.of("no type", "{\"channel\":\"a\",\"ref\":\"x1\"}", "bad_request", "x1"),
        Arguments.of("unknown type", "{\"type\":\"dance\",\"ref\":\"x2\"}", "bad_request", "x2"),
        Arguments.of(
            "missing channel", "{\"type\":\"subscribe\",\"ref\":\"x3\"}", "bad_channel", "x3"),
        Arguments.of(
            "invalid channel",
            "{\"type\":\"subscribe\",\"channel\":\"no spaces!\",\"ref\":\"x4\"}",
            "bad_channel",
            "x4"),
        Arguments.of(
            "channel of the wrong kind",
            "{\"type\":\"unsubscribe\",\"channel\":42,\"ref\":\"x5\"}",
            "bad_channel",
            "x5"),
        Arguments.of(
            "garbage cursor",
            "{\"type\":\"subscribe\",\"channel\":\"ok\",\"since\":\"garbage\",\"ref\":\"x6\"}",
            "bad_cursor",
            "x6"),
        Arguments.of(
            "tampered cursor",
            "{\"type\":\"subscribe\",\"channel\":\"ok\",\"since\":\"1~abc.E.1~zzz\",\"ref\":\"x7\"}",
            "bad_cursor",
            "x7"),
        Arguments.of(
            "bad event name",
            "{\"type\":\"publish\",\"channel\":\"chat/x\",\"event\":\"\",\"ref\":\"x8\"}",
            "bad_request",
            "x8"));
  }

  @ParameterizedTest(name = "badInput_{0}_getsErrorFrameAndStaysOpen")
  @MethodSource("badFrames")
  void badInput_getsErrorFrameWithCodeAndRef_andConnectionStaysOpen(
      String what, String frame, String code, String ref) {
    TestSocket socket = open();
    socket.next("ready");

    socket.send(frame);
    JsonNode error = socket.next("error");

    assertThat(error.path("code").asText()).as(what).isEqualTo(code);
    assertThat(error.path("message").asText()).isNotBlank();
    if (ref == null) {
      assertThat(error.has("ref")).isFalse();
    } else {
      assertThat(error.path("ref").asText()).isEqualTo(ref);
    }
    socket.assertNothingElse();
    assertThat(Cursor.decode(socket.subscribe(channel("after")).path("cursor").asText()).size())
        .isEqualTo(1);
  }

  @Test
  void badInput_frameOverSizeLimit_closesWith1009() {
    TestSocket socket = open();
    socket.next("ready");

    String big = "{\"type\":\"ping\",\"pad\":\"" + "x".repeat(64 * 1024) + "\"}";
    socket.send(big);

    assertThat(socket.awaitClosed().code()).isEqualTo(1009);
    await().atMost(Duration.ofSeconds(5)).until(() -> app.main.openSockets() == 0);
  }

  @Test
  void badInput_multiByteFrameOverByteLimit_closesWith1009() {
    TestSocket socket = open();
    socket.next("ready");

    // Under the limit in characters, over it in UTF-8 bytes.
    String big = "{\"type\":\"ping\",\"pad\":\"" + "é".repeat(40 * 1024) + "\"}";
    socket.send(big);

    assertThat(socket.awaitClosed().code()).isEqualTo(1009);
  }

  @Test
  void badInput_frameJustUnderSizeLimit_isAccepted() {
    String channel = channel("chat");
    TestSocket socket = open();
    socket.next("ready");

    String text = "y".repeat(60 * 1024);
    socket.send(
        "{\"type\":\"publish\",\"channel\":\""
            + channel
            + "\",\"data\":\""
            + text
            + "\",\"ref\":\"big\"}");

    assertThat(socket.next("ack").path("ref").asText()).isEqualTo("big");
    socket.assertNothingElse();
  }

  @ParameterizedTest(name = "badInput_binaryFrameOf{0}Bytes_closesWith1003")
  @ValueSource(ints = {3, 5000})
  void badInput_binaryFrame_closesWith1003(int size) {
    TestSocket socket = open();
    socket.next("ready");

    socket.sendBinary(new byte[size]);

    TestSocket.Closed closed = socket.awaitClosed();
    assertThat(closed.code()).isEqualTo(1003);
    assertThat(closed.reason()).isEqualTo("binary_frame");
  }

  @Test
  void handshake_plainHttpGet_isAnswered426WithJsonError() throws Exception {
    HttpResponse<String> response =
        TestSocket.HTTP.send(
            HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + app.port() + "/push/ws"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(426);
    assertThat(response.headers().firstValue("Upgrade")).hasValue("websocket");
    assertThat(TestSocket.JSON.readTree(response.body()).path("type").asText()).isEqualTo("error");
  }

  @Test
  void shutdown_hubClosed_closesSocketsWith1001AndRefusesNewOnesWith503() {
    TestSocket socket = open("/shutdown/ws");
    socket.next("ready");
    socket.subscribe(channel("bye"));

    app.shutdownHub.close();

    TestSocket.Closed closed = socket.awaitClosed();
    assertThat(closed.code()).isEqualTo(1001);
    assertThat(closed.reason()).isEqualTo("server_shutdown");
    assertThat(TestSocket.refusedStatus(app.ws("/shutdown/ws"), Map.of())).isEqualTo(503);
  }

  @Test
  void drain_sendsARestartHintThenCloses1012_andRefusesNewSocketsWith503RetryAfter() {
    TestSocket first = open("/drain/ws");
    TestSocket second = open("/drain/ws");
    for (TestSocket socket : List.of(first, second)) {
      socket.next("ready");
      socket.subscribe(channel("drain"));
    }

    assertThat(app.drainHub.drain(Duration.ofMillis(300)).toCompletableFuture().join())
        .isEqualTo(2);

    for (TestSocket socket : List.of(first, second)) {
      JsonNode notice = socket.next("error");
      assertThat(notice.path("code").asText()).isEqualTo("server_restart");
      assertThat(notice.path("retry").asLong()).isBetween(100L, 1000L);
      TestSocket.Closed closed = socket.awaitClosed();
      assertThat(closed.code()).isEqualTo(1012);
      assertThat(closed.reason()).isEqualTo("server_restart");
    }
    HttpResponse<?> refused = TestSocket.refused(app.ws("/drain/ws"), Map.of());
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("2");
    assertThat(app.drainHub.stats().closes("server_restart")).isEqualTo(2);
  }
}
