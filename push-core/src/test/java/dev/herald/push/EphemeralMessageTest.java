package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.spi.Connection;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.WireFormat;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Ephemeral messages: delivered live, never stored, invisible to a resume. */
class EphemeralMessageTest {
  private final PushHub hub =
      PushHub.builder()
          .acceptClientMessages("board/*", m -> m)
          .acceptClientMessages(
              "forced/*", m -> m.event().equals("cursor") ? m.withEphemeral(true) : m)
          .ephemeralChannels("board/cursors")
          .build();

  @AfterEach
  void close() {
    hub.close();
  }

  private RecordingSink connect(WireFormat format, String channel, Cursor since) {
    RecordingSink sink = new RecordingSink();
    hub.transportContext()
        .connect(
            hub.transportContext().newClient(null, "127.0.0.1"),
            format,
            sink,
            List.of(channel),
            since);
    await().until(() -> !sink.frames(Frame.Type.READY).isEmpty());
    await().until(() -> hub.channel(channel).subscriberCount() > 0);
    return sink;
  }

  @Test
  void anEphemeralMessage_reachesLiveSubscribers_withoutOffsetOrCursor_andIsNeverStored() {
    Channel board = hub.channel("board/a");
    RecordingSink ws = connect(WireFormat.WEBSOCKET, "board/a", null);
    board.publish("stroke", Map.of("n", 1)).toCompletableFuture().join();
    board.publishEphemeral("cursor", Map.of("x", 1)).toCompletableFuture().join();
    board.publish("stroke", Map.of("n", 2)).toCompletableFuture().join();

    await().until(() -> ws.messageCount() == 3);
    List<JsonNode> frames = ws.json(Frame.Type.MESSAGE);
    JsonNode cursor = frames.get(1);
    assertThat(cursor.get("ephemeral").asBoolean()).isTrue();
    assertThat(cursor.get("event").asText()).isEqualTo("cursor");
    assertThat(cursor.get("data").get("x").asInt()).isEqualTo(1);
    assertThat(cursor.has("offset")).isFalse();
    assertThat(cursor.has("epoch")).isFalse();
    assertThat(cursor.has("cursor")).isFalse();
    assertThat(ws.frames(Frame.Type.MESSAGE).get(1).cursor()).isNull();
    // The stored messages around it keep dense offsets.
    assertThat(frames.get(0).get("offset").asLong()).isEqualTo(1);
    assertThat(frames.get(2).get("offset").asLong()).isEqualTo(2);
    assertThat(board.position().toCompletableFuture().join().offset()).isEqualTo(2);
    assertThat(
            board
                .history(new Position(frames.get(0).get("epoch").asText(), 0), 10)
                .toCompletableFuture()
                .join()
                .messages())
        .extracting(Message::event)
        .containsExactly("stroke", "stroke");
  }

  @Test
  void aResume_onAChannelThatMixesBothKinds_replaysTheStoredOnes_onceAndWithoutReset() {
    Channel board = hub.channel("board/b");
    RecordingSink first = connect(WireFormat.NDJSON, "board/b", null);
    board.publish("stroke", 1).toCompletableFuture().join();
    await().until(() -> first.messageCount() == 1);
    String cursor = first.lastCursor();

    board.publishEphemeral("cursor", 1).toCompletableFuture().join();
    board.publish("stroke", 2).toCompletableFuture().join();
    board.publishEphemeral("cursor", 2).toCompletableFuture().join();
    board.publish("stroke", 3).toCompletableFuture().join();

    RecordingSink resumed = connect(WireFormat.NDJSON, "board/b", Cursor.decode(cursor));
    await().until(() -> resumed.messageCount() == 2);
    assertThat(resumed.offsets("board/b")).containsExactly(2L, 3L);
    assertThat(resumed.frames(Frame.Type.RESET)).isEmpty();
    board.publishEphemeral("cursor", 3).toCompletableFuture().join();
    await().until(() -> resumed.messageCount() == 3);
    assertThat(resumed.json(Frame.Type.MESSAGE).get(2).get("ephemeral").asBoolean()).isTrue();
  }

  @Test
  void onSse_anEphemeralMessageHasNoIdLine_soTheLastEventIdStaysTheStoredMessagesCursor() {
    Channel board = hub.channel("board/c");
    RecordingSink sse = connect(WireFormat.SSE, "board/c", null);
    board.publish("stroke", 1).toCompletableFuture().join();
    board.publishEphemeral("cursor", Map.of("x", 5)).toCompletableFuture().join();
    await().until(() -> sse.messageCount() == 2);
    String stored = sse.frames(Frame.Type.MESSAGE).get(0).text();
    String ephemeral = sse.frames(Frame.Type.MESSAGE).get(1).text();
    assertThat(stored).startsWith("id: ");
    assertThat(ephemeral)
        .doesNotContain("id:")
        .doesNotContain("event:")
        .startsWith("data: {\"type\":\"message\",\"channel\":\"board/c\",\"event\":\"cursor\"")
        .contains("\"ephemeral\":true")
        .endsWith("\"data\":{\"x\":5}}\n\n");
  }

  @Test
  void clientPublishes_followTheChannelDefault_theFrame_andTheHandler() {
    Connection c =
        hub.transportContext()
            .connect(
                hub.transportContext().newClient(null, "127.0.0.1"),
                WireFormat.WEBSOCKET,
                new RecordingSink(),
                List.of(),
                null);
    // board/cursors is ephemeral by default; the client may still ask to store.
    assertThat(published(c, "board/cursors", null)).isInstanceOf(EphemeralMessage.class);
    assertThat(published(c, "board/cursors", false)).isInstanceOf(Message.class);
    // Other channels store by default; the client may ask for ephemeral.
    assertThat(published(c, "board/x", null)).isInstanceOf(Message.class);
    Publication live = published(c, "board/x", true);
    assertThat(live).isInstanceOf(EphemeralMessage.class);
    assertThat(live.publisherId()).isEqualTo(c.client().id());
    // The handler decides last: forced/* makes every cursor event ephemeral.
    assertThat(published(c, "forced/y", false)).isInstanceOf(EphemeralMessage.class);
    assertThat(hub.channel("board/cursors").position().toCompletableFuture().join().offset())
        .isEqualTo(1);
  }

  private static Publication published(Connection c, String channel, Boolean ephemeral) {
    return c.publish(channel, "cursor", "{\"x\":1}", ephemeral).toCompletableFuture().join();
  }

  @Test
  void theAckOfAnEphemeralPublish_saysSo_withoutOffset() {
    RecordingSink sink = new RecordingSink();
    Connection c =
        hub.transportContext()
            .connect(
                hub.transportContext().newClient(null, "127.0.0.1"),
                WireFormat.WEBSOCKET,
                sink,
                List.of(),
                null);
    Publication p = c.publish("board/x", "cursor", "{}", true).toCompletableFuture().join();
    c.sendAck("7", p);
    await().until(() -> !sink.frames(Frame.Type.ACK).isEmpty());
    assertThat(new String(sink.frames(Frame.Type.ACK).get(0).toBytes(), StandardCharsets.UTF_8))
        .isEqualTo("{\"type\":\"ack\",\"ref\":\"7\",\"channel\":\"board/x\",\"ephemeral\":true}");
  }

  @Test
  void aBadEventOrPayload_isRefusedAtOnce() {
    Channel board = hub.channel("board/d");
    assertThatThrownBy(() -> board.publishEphemeralJson("", "{}"))
        .isInstanceOf(PushException.class);
    assertThatThrownBy(() -> board.publishEphemeralJson("cursor", "{"))
        .isInstanceOf(PushException.class)
        .extracting(e -> ((PushException) e).code())
        .isEqualTo(ErrorCode.BAD_JSON);
  }

  @Test
  void aClosedHub_failsAnEphemeralPublish() {
    Channel board = hub.channel("board/e");
    hub.close();
    assertThatThrownBy(() -> board.publishEphemeral("cursor", 1).toCompletableFuture().join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(PushException.class);
  }
}
