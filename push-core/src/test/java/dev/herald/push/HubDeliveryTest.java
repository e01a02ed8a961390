package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Connection;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.WireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HubDeliveryTest {
  private PushHub hub =
      PushHub.builder()
          .broker(InMemoryBroker.builder().historySize(20).build())
          .heartbeatInterval(Duration.ofHours(1))
          .build();

  @AfterEach
  void close() {
    hub.close();
  }

  private Connection connect(RecordingSink sink, Cursor cursor, String... channels) {
    return connect(WireFormat.NDJSON, sink, cursor, channels);
  }

  private Connection connect(
      WireFormat format, RecordingSink sink, Cursor cursor, String... channels) {
    return hub.transportContext()
        .connect(
            hub.transportContext().newClient(null, null), format, sink, List.of(channels), cursor);
  }

  private void publish(String channel, int n) {
    for (int i = 0; i < n; i++) {
      hub.channel(channel).publish("tick", i).toCompletableFuture().join();
    }
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  @Test
  void connect_withoutCursor_sendsReadyFirstThenOnlyLiveMessages() {
    publish("a", 3);
    RecordingSink sink = new RecordingSink();
    connect(sink, null, "a");
    await().until(() -> !sink.frames().isEmpty());
    Frame ready = sink.frames().get(0);
    assertThat(ready.type()).isEqualTo(Frame.Type.READY);
    JsonNode json = RecordingSink.parse(ready);
    assertThat(json.get("clientId").asText()).hasSize(16);
    assertThat(Cursor.decode(json.get("cursor").asText()).position("a").offset()).isEqualTo(3);

    await().until(() -> hub.channel("a").subscriberCount() == 1);
    publish("a", 2);
    await().until(() -> sink.messageCount() == 2);
    assertThat(sink.offsets("a")).containsExactly(4L, 5L);
  }

  @Test
  void messageFrame_carriesEveryFieldAndTheCursorAfterIt() {
    RecordingSink sink = new RecordingSink();
    connect(sink, null, "a");
    await().until(() -> hub.channel("a").subscriberCount() == 1);
    Message m =
        hub.channel("a")
            .publish("chat", java.util.Map.of("text", "hi"))
            .toCompletableFuture()
            .join();
    await().until(() -> sink.messageCount() == 1);
    Frame frame = sink.frames(Frame.Type.MESSAGE).get(0);
    JsonNode json = RecordingSink.parse(frame);
    assertThat(json.get("type").asText()).isEqualTo("message");
    assertThat(json.get("channel").asText()).isEqualTo("a");
    assertThat(json.get("event").asText()).isEqualTo("chat");
    assertThat(json.get("offset").asLong()).isEqualTo(1);
    assertThat(json.get("epoch").asText()).isEqualTo(m.epoch());
    assertThat(json.get("time").asText()).isEqualTo(m.time().toString());
    assertThat(json.get("data").get("text").asText()).isEqualTo("hi");
    assertThat(json.get("cursor").asText()).isEqualTo(frame.cursor());
    assertThat(Cursor.decode(frame.cursor()).position("a")).isEqualTo(m.position());
    assertThat(new String(frame.toBytes(), StandardCharsets.UTF_8)).endsWith("}\n");
  }

  @Test
  void resume_withCursor_replaysExactlyTheMissedMessagesThenGoesLive() {
    RecordingSink first = new RecordingSink();
    Connection c = connect(first, null, "a");
    await().until(() -> hub.channel("a").subscriberCount() == 1);
    publish("a", 5);
    await().until(() -> first.messageCount() == 5);
    String cursor = first.lastCursor();
    c.close(CloseReason.CLIENT_GONE);

    publish("a", 4); // missed while away: offsets 6..9

    RecordingSink second = new RecordingSink();
    connect(second, Cursor.decode(cursor), "a");
    await().until(() -> second.messageCount() == 4);
    publish("a", 2);
    await().until(() -> second.messageCount() == 6);
    assertThat(second.offsets("a")).containsExactlyElementsOf(range(6, 11));
    assertThat(second.frames().get(0).type()).isEqualTo(Frame.Type.READY);
    assertThat(second.frames(Frame.Type.RESET)).isEmpty();
  }

  @Test
  void resume_tooOld_sendsResetThenLive() {
    RecordingSink first = new RecordingSink();
    Connection c = connect(first, null, "a");
    await().until(() -> hub.channel("a").subscriberCount() == 1);
    publish("a", 1);
    await().until(() -> first.messageCount() == 1);
    String cursor = first.lastCursor();
    c.close(CloseReason.CLIENT_GONE);
    publish("a", 30); // history holds 20: offsets 2..11 are gone

    RecordingSink second = new RecordingSink();
    connect(second, Cursor.decode(cursor), "a");
    await().until(() -> second.frames(Frame.Type.RESET).size() == 1);
    JsonNode reset = second.json(Frame.Type.RESET).get(0);
    assertThat(reset.get("channel").asText()).isEqualTo("a");
    // It restarts before the oldest message held, and is handed every message held.
    assertThat(reset.get("offset").asLong()).isEqualTo(11);
    assertThat(Cursor.decode(reset.get("cursor").asText()).position("a").offset()).isEqualTo(11);
    await().until(() -> second.messageCount() == 20);
    await().until(() -> hub.channel("a").subscriberCount() == 1);
    publish("a", 1);
    await().until(() -> second.messageCount() == 21);
    assertThat(second.offsets("a")).containsExactlyElementsOf(range(12, 32));
    assertThat(second.frames().indexOf(second.frames(Frame.Type.RESET).get(0)))
        .isLessThan(second.frames().indexOf(second.frames(Frame.Type.MESSAGE).get(0)));
  }

  @Test
  void resume_otherEpoch_sendsReset() {
    Position foreign = new Position("OtherEpoch", 2);
    RecordingSink sink = new RecordingSink();
    publish("a", 3);
    connect(sink, Cursor.empty().with("a", foreign), "a");
    await().until(() -> sink.frames(Frame.Type.RESET).size() == 1);
    JsonNode reset = sink.json(Frame.Type.RESET).get(0);
    assertThat(reset.get("epoch").asText()).isNotEqualTo("OtherEpoch");
    assertThat(reset.get("offset").asLong()).isZero();
    await().until(() -> sink.messageCount() == 3);
    assertThat(sink.offsets("a")).containsExactly(1L, 2L, 3L);
  }

  @Test
  void resume_beyondHead_sendsReset() {
    publish("a", 3);
    Position head = hub.channel("a").position().toCompletableFuture().join();
    RecordingSink sink = new RecordingSink();
    connect(sink, Cursor.empty().with("a", head.withOffset(99)), "a");
    await().until(() -> sink.frames(Frame.Type.RESET).size() == 1);
    assertThat(sink.json(Frame.Type.RESET).get(0).get("offset").asLong()).isEqualTo(3);
  }

  @Test
  void multiChannelCursor_resumesEachChannelAtItsOwnPosition() {
    RecordingSink first = new RecordingSink();
    Connection c = connect(first, null, "a", "b");
    await()
        .until(
            () ->
                hub.channel("a").subscriberCount() == 1 && hub.channel("b").subscriberCount() == 1);
    publish("a", 3);
    publish("b", 1);
    await().until(() -> first.messageCount() == 4);
    String cursor = first.lastCursor();
    c.close(CloseReason.CLIENT_GONE);
    publish("b", 2);
    publish("a", 1);

    RecordingSink second = new RecordingSink();
    connect(second, Cursor.decode(cursor), "a", "b");
    await().until(() -> second.messageCount() == 3);
    assertThat(second.offsets("a")).containsExactly(4L);
    assertThat(second.offsets("b")).containsExactly(2L, 3L);
  }

  @Test
  void cursorOfEveryFrame_isThePositionAfterTheFramesBeforeIt() {
    RecordingSink sink = new RecordingSink();
    connect(sink, null, "a", "b");
    await()
        .until(
            () ->
                hub.channel("a").subscriberCount() == 1 && hub.channel("b").subscriberCount() == 1);
    for (int i = 0; i < 20; i++) {
      publish(i % 3 == 0 ? "b" : "a", 1);
    }
    await().until(() -> sink.messageCount() == 20);
    long a = 0;
    long b = 0;
    for (JsonNode m : sink.json(Frame.Type.MESSAGE)) {
      if (m.get("channel").asText().equals("a")) {
        a = m.get("offset").asLong();
      } else {
        b = m.get("offset").asLong();
      }
      Cursor cursor = Cursor.decode(m.get("cursor").asText());
      assertThat(cursor.position("a").offset()).isEqualTo(a);
      assertThat(cursor.position("b").offset()).isEqualTo(b);
    }
  }

  @Test
  void oneChannelCursor_isKeptThroughSubscribingAndUnsubscribingOthers() {
    // While a connection holds one channel its cursor is made from that channel's position when
    // asked for; a second channel, or leaving one, must start from the right cursor.
    RecordingSink sink = new RecordingSink();
    Connection c = connect(WireFormat.WEBSOCKET, sink, null, "a");
    await().until(() -> hub.channel("a").subscriberCount() == 1);
    publish("a", 3);
    await().until(() -> sink.messageCount() == 3);
    assertThat(c.cursor().position("a").offset()).isEqualTo(3);

    c.subscribe("b", null).toCompletableFuture().join();
    await().until(() -> hub.channel("b").subscriberCount() == 1);
    publish("b", 2);
    publish("a", 1);
    await().until(() -> sink.messageCount() == 6);
    List<JsonNode> messages = sink.json(Frame.Type.MESSAGE);
    Cursor afterB = Cursor.decode(messages.get(4).get("cursor").asText());
    assertThat(afterB.position("a").offset()).isEqualTo(3);
    assertThat(afterB.position("b").offset()).isEqualTo(2);
    Cursor afterA = Cursor.decode(messages.get(5).get("cursor").asText());
    assertThat(afterA.position("a").offset()).isEqualTo(4);
    assertThat(afterA.position("b").offset()).isEqualTo(2);

    assertThat(c.unsubscribe("b")).isTrue();
    publish("a", 1);
    await().until(() -> sink.messageCount() == 7);
    Cursor alone = Cursor.decode(sink.json(Frame.Type.MESSAGE).get(6).get("cursor").asText());
    assertThat(alone.position("a").offset()).isEqualTo(5);
    assertThat(alone.position("b")).isNull();
    assertThat(c.cursor().position("a").offset()).isEqualTo(5);
    assertThat(c.cursor().position("b")).isNull();

    assertThat(c.unsubscribe("a")).isTrue();
    assertThat(c.cursor().position("a")).isNull();
  }

  @Test
  void unsubscribe_stopsDeliveryAndReleasesTheChannel() {
    RecordingSink sink = new RecordingSink();
    Connection c = connect(sink, null, "a");
    await().until(() -> hub.channel("a").subscriberCount() == 1);
    assertThat(c.unsubscribe("a")).isTrue();
    assertThat(c.unsubscribe("a")).isFalse();
    assertThat(hub.channel("a").subscriberCount()).isZero();
    assertThat(hub.activeChannelCount()).isZero();
    assertThat(c.cursor().position("a")).isNull();
    publish("a", 3);
    assertThat(sink.messageCount()).isZero();
  }

  @Test
  void subscribe_onOpenConnection_sendsSubscribedOnWebSocketThenReplays() {
    publish("a", 3);
    Position p = hub.channel("a").position().toCompletableFuture().join().withOffset(1);
    RecordingSink sink = new RecordingSink();
    Connection c =
        hub.transportContext()
            .connect(
                hub.transportContext().newClient("ann", null),
                WireFormat.WEBSOCKET,
                sink,
                List.of(),
                null);
    c.subscribe("a", p).toCompletableFuture().join();
    await().until(() -> sink.messageCount() == 2);
    List<Frame> frames = sink.frames();
    assertThat(frames)
        .extracting(Frame::type)
        .containsExactly(
            Frame.Type.READY, Frame.Type.SUBSCRIBED, Frame.Type.MESSAGE, Frame.Type.MESSAGE);
    JsonNode subscribed = RecordingSink.parse(frames.get(1));
    assertThat(subscribed.get("channel").asText()).isEqualTo("a");
    assertThat(subscribed.get("offset").asLong()).isEqualTo(1);
    assertThat(sink.offsets("a")).containsExactly(2L, 3L);
  }

  @Test
  void subscribe_twice_isRefused() {
    RecordingSink sink = new RecordingSink();
    Connection c = connect(sink, null, "a");
    assertThatThrownBy(() -> c.subscribe("a", null))
        .isInstanceOf(PushException.class)
        .hasMessageContaining("already subscribed");
  }

  @Test
  void connect_badInput_isRefusedBeforeAnythingIsWritten() {
    RecordingSink sink = new RecordingSink();
    assertThatThrownBy(() -> connect(sink, null, "a", "bad name"))
        .satisfies(e -> assertThat(((PushException) e).code()).isEqualTo(ErrorCode.BAD_CHANNEL));
    assertThatThrownBy(() -> connect(sink, null, "a", "a"))
        .satisfies(e -> assertThat(((PushException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST));
    String[] many = new String[65];
    for (int i = 0; i < many.length; i++) {
      many[i] = "c" + i;
    }
    assertThatThrownBy(() -> connect(sink, null, many))
        .satisfies(
            e -> assertThat(((PushException) e).code()).isEqualTo(ErrorCode.TOO_MANY_CHANNELS));
    assertThat(sink.frames()).isEmpty();
    assertThat(hub.connectionCount()).isZero();
    assertThat(hub.activeChannelCount()).isZero();
  }

  @Test
  void tooManyChannels_onSubscribe_isRefused() {
    hub.close();
    hub = PushHub.builder().maxChannelsPerConnection(2).build();
    RecordingSink sink = new RecordingSink();
    Connection c = connect(sink, null, "a", "b");
    assertThatThrownBy(() -> c.subscribe("c", null))
        .satisfies(
            e -> assertThat(((PushException) e).code()).isEqualTo(ErrorCode.TOO_MANY_CHANNELS));
    assertThat(c.channels()).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void close_releasesSubscriptionsAndCallsTheSinkOnce() {
    RecordingSink sink = new RecordingSink();
    Connection c = connect(sink, null, "a", "b");
    await().until(() -> hub.channel("b").subscriberCount() == 1);
    c.close(CloseReason.CLIENT_GONE);
    c.close(CloseReason.SHUTDOWN);
    assertThat(c.isOpen()).isFalse();
    assertThat(sink.closeCalls()).isEqualTo(1);
    assertThat(sink.closedWith()).isEqualTo(CloseReason.CLIENT_GONE);
    assertThat(hub.connectionCount()).isZero();
    assertThat(hub.activeChannelCount()).isZero();
  }

  @Test
  void manyConnectCloseCycles_leaveNothingBehind() {
    for (int i = 0; i < 1000; i++) {
      RecordingSink sink = new RecordingSink();
      Connection c = connect(sink, null, "a", "b" + (i % 10));
      if (i % 2 == 0) {
        publish("a", 1);
      }
      c.close(CloseReason.CLIENT_GONE);
    }
    assertThat(hub.connectionCount()).isZero();
    assertThat(hub.activeChannelCount()).isZero();
  }

  @Test
  void hubClose_closesConnectionsWithShutdownAndRefusesNewOnes() {
    RecordingSink sink = new RecordingSink();
    connect(sink, null, "a");
    hub.close();
    assertThat(sink.closedWith()).isEqualTo(CloseReason.SHUTDOWN);
    assertThatThrownBy(() -> connect(new RecordingSink(), null, "a"))
        .satisfies(e -> assertThat(((PushException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE));
    assertThatThrownBy(() -> hub.channel("a").publish("e", 1).toCompletableFuture().join())
        .hasCauseInstanceOf(PushException.class);
  }

  @Test
  void disconnectAll_closesEveryConnectionWithReconnectAndTheClientsResume() {
    RecordingSink sink = new RecordingSink();
    connect(sink, null, "a");
    connect(new RecordingSink(), null, "b");
    await().until(() -> hub.channel("a").subscriberCount() == 1);
    publish("a", 2);
    await().until(() -> sink.messageCount() == 2);
    assertThat(hub.disconnectAll()).isEqualTo(2);
    assertThat(sink.closedWith()).isEqualTo(CloseReason.RECONNECT);
    assertThat(hub.connectionCount()).isZero();
    publish("a", 1);
    RecordingSink again = new RecordingSink();
    connect(again, Cursor.decode(sink.lastCursor()), "a");
    await().until(() -> again.messageCount() == 1);
    assertThat(again.offsets("a")).containsExactly(3L);
  }

  @Test
  void twoHubs_areIndependent() {
    try (PushHub other = PushHub.builder().build()) {
      RecordingSink sink = new RecordingSink();
      other
          .transportContext()
          .connect(
              other.transportContext().newClient(null, null),
              WireFormat.NDJSON,
              sink,
              List.of("a"),
              null);
      await().until(() -> other.channel("a").subscriberCount() == 1);
      publish("a", 3);
      other.channel("a").publish("e", 1).toCompletableFuture().join();
      await().until(() -> sink.messageCount() == 1);
      assertThat(sink.offsets("a")).containsExactly(1L);
    }
  }

  @Test
  void publish_serialisesObjectsAndValidatesJson() {
    Message m =
        hub.channel("a")
            .publish("e", java.util.Map.of("k", List.of(1, 2)))
            .toCompletableFuture()
            .join();
    assertThat(m.data()).isEqualTo("{\"k\":[1,2]}");
    Message s = hub.channel("a").publish("e", "text").toCompletableFuture().join();
    assertThat(s.data()).isEqualTo("\"text\"");
    Message raw = hub.channel("a").publishJson("e", "{ \"a\" :\n 1 }").toCompletableFuture().join();
    assertThat(raw.data()).isEqualTo("{\"a\":1}");
    assertThatThrownBy(() -> hub.channel("a").publishJson("e", "{oops"))
        .satisfies(e -> assertThat(((PushException) e).code()).isEqualTo(ErrorCode.BAD_JSON));
    assertThatThrownBy(() -> hub.channel("a").publish("bad\nevent", 1))
        .isInstanceOf(PushException.class);
    assertThatThrownBy(() -> hub.channel("no spaces")).isInstanceOf(PushException.class);
  }

  @Test
  void sseFormat_putsCursorInIdAndControlFramesInNamedEvents() {
    RecordingSink sink = new RecordingSink();
    hub.transportContext()
        .connect(
            hub.transportContext().newClient(null, null), WireFormat.SSE, sink, List.of("a"), null);
    await().until(() -> hub.channel("a").subscriberCount() == 1);
    hub.channel("a").publishJson("chat", "{\"t\":\"x\"}").toCompletableFuture().join();
    await().until(() -> sink.messageCount() == 1);
    String ready = sink.frames().get(0).text();
    assertThat(ready)
        .startsWith("event: ready\nid: ")
        .contains("\ndata: {\"type\":\"ready\"")
        .endsWith("}\n\n");
    Frame message = sink.frames(Frame.Type.MESSAGE).get(0);
    String text = message.text();
    assertThat(text).startsWith("id: " + message.cursor() + "\ndata: {\"type\":\"message\"");
    assertThat(text)
        .doesNotContain("event:")
        .doesNotContain("\"cursor\"")
        .endsWith("\"data\":{\"t\":\"x\"}}\n\n");
  }
}
