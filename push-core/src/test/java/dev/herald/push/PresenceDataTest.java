package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.spi.CloseReason;
import dev.herald.push.spi.Connection;
import dev.herald.push.spi.Frame;
import dev.herald.push.spi.PresenceOptions;
import dev.herald.push.spi.WireFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Presence with member data, and the presence frames a connection can ask for. */
class PresenceDataTest {
  private final PushHub hub =
      PushHub.builder()
          .maxMemberDataBytes(64)
          .authorizer(
              new Authorizer() {
                @Override
                public boolean canSubscribe(Client client, String channel) {
                  return true;
                }

                @Override
                public boolean canPublish(Client client, String channel) {
                  return true;
                }

                @Override
                public boolean canJoin(Client client, String channel, String memberData) {
                  return !memberData.contains("admin");
                }
              })
          .build();

  @AfterEach
  void close() {
    hub.close();
  }

  private Connection connect(String id, RecordingSink sink, String data, boolean presence) {
    return hub.transportContext()
        .connect(
            new Client(id, null, "127.0.0.1"),
            WireFormat.WEBSOCKET,
            sink,
            List.of("board/a"),
            null,
            data,
            presence ? Set.of("board/a") : Set.of());
  }

  private Connection connectWithoutChannels(RecordingSink sink) {
    return hub.transportContext()
        .connect(new Client("c1", null, "127.0.0.1"), WireFormat.WEBSOCKET, sink, List.of(), null);
  }

  /** A bare connection subscribed to the channel without presence frames, once it is subscribed. */
  private Connection subscribedWithoutPresence(RecordingSink sink, String channel, String data) {
    Connection c = connectWithoutChannels(sink);
    subscribe(c, channel, data, false);
    await().until(() -> sink.frames(Frame.Type.SUBSCRIBED).size() == 1);
    return c;
  }

  private static void subscribe(Connection c, String channel, String data, boolean presence) {
    c.subscribe(channel, null, new PresenceOptions(data, presence)).toCompletableFuture().join();
  }

  private static List<JsonNode> presence(RecordingSink sink) {
    return sink.json(Frame.Type.PRESENCE);
  }

  @Test
  void aMembersSnapshot_thenJoinsAndLeaves_carryTheMembersData() {
    RecordingSink ann = new RecordingSink();
    connect("ann", ann, "{\"name\":\"Ann\",\"color\":\"#e33\"}", true);
    await().until(() -> presence(ann).size() == 1);
    JsonNode snapshot = presence(ann).get(0);
    assertThat(snapshot.get("type").asText()).isEqualTo("members");
    assertThat(snapshot.get("channel").asText()).isEqualTo("board/a");
    assertThat(snapshot.get("members")).hasSize(1);
    assertThat(snapshot.get("members").get(0).get("clientId").asText()).isEqualTo("ann");
    assertThat(snapshot.get("members").get(0).get("data").get("name").asText()).isEqualTo("Ann");
    assertThat(snapshot.get("members").get(0).has("since")).isTrue();

    RecordingSink bobSink = new RecordingSink();
    Connection bob = connect("bob", bobSink, "{\"name\":\"Bob\"}", false);
    await().until(() -> presence(ann).size() == 2);
    JsonNode join = presence(ann).get(1);
    assertThat(join.get("type").asText()).isEqualTo("join");
    assertThat(join.get("member").get("clientId").asText()).isEqualTo("bob");
    assertThat(join.get("member").get("data").get("name").asText()).isEqualTo("Bob");
    // Bob did not ask for presence frames.
    assertThat(presence(bobSink)).isEmpty();

    assertThat(hub.channel("board/a").members().toCompletableFuture().join())
        .extracting(Member::data)
        .containsExactly("{\"name\":\"Ann\",\"color\":\"#e33\"}", "{\"name\":\"Bob\"}");

    bob.close(CloseReason.CLIENT_GONE);
    await().until(() -> presence(ann).size() == 3);
    JsonNode leave = presence(ann).get(2);
    assertThat(leave.get("type").asText()).isEqualTo("leave");
    assertThat(leave.get("member").get("clientId").asText()).isEqualTo("bob");
  }

  @Test
  void aSubscribeOverWebSocket_sendsSubscribed_thenTheSnapshot() {
    RecordingSink sink = new RecordingSink();
    Connection c = connectWithoutChannels(sink);
    subscribe(c, "board/b", "{\"name\":\"C\"}", true);
    await().until(() -> presence(sink).size() == 1);
    List<Frame.Type> types = sink.frames().stream().map(Frame::type).toList();
    assertThat(types.indexOf(Frame.Type.SUBSCRIBED)).isLessThan(types.indexOf(Frame.Type.PRESENCE));
    assertThat(presence(sink).get(0).get("members").get(0).get("data").get("name").asText())
        .isEqualTo("C");
  }

  @Test
  void aSecondSubscribeAskingForPresence_turnsItOn_withoutLeavingAndJoiningAgain() {
    RecordingSink sink = new RecordingSink();
    Connection c = subscribedWithoutPresence(sink, "board/t", "{\"name\":\"T\"}");
    assertThat(presence(sink)).isEmpty();

    subscribe(c, "board/t", "{\"name\":\"T\"}", true);
    await().until(() -> presence(sink).size() == 1);
    assertThat(presence(sink).get(0).get("type").asText()).isEqualTo("members");
    assertThat(presence(sink).get(0).get("members")).hasSize(1);
    assertThat(sink.frames(Frame.Type.SUBSCRIBED)).hasSize(1);
    assertThat(sink.frames(Frame.Type.ERROR)).isEmpty();

    // Other member data, or presence asked twice, is still a second subscribe: refused.
    assertThatThrownBy(
            () ->
                c.subscribe("board/t", null, new PresenceOptions("{\"name\":\"U\"}", true))
                    .toCompletableFuture()
                    .join())
        .isInstanceOf(PushException.class)
        .extracting(e -> ((PushException) e).code())
        .isEqualTo(ErrorCode.BAD_REQUEST);
  }

  @Test
  void presenceTurnedOnLater_getsTheChangesAfterItsSnapshot() {
    RecordingSink sink = new RecordingSink();
    Connection c = subscribedWithoutPresence(sink, "board/a", "{\"name\":\"C\"}");
    // A join nobody on the channel asked to hear about.
    connect("bob", new RecordingSink(), "{\"name\":\"Bob\"}", false);
    assertThat(presence(sink)).isEmpty();

    subscribe(c, "board/a", "{\"name\":\"C\"}", true);
    await().until(() -> presence(sink).size() == 1);
    assertThat(presence(sink).get(0).get("members")).hasSize(2);

    connect("carol", new RecordingSink(), "{\"name\":\"Carol\"}", false);
    await().until(() -> presence(sink).size() == 2);
    assertThat(presence(sink).get(1).get("type").asText()).isEqualTo("join");
    assertThat(presence(sink).get(1).get("member").get("clientId").asText()).isEqualTo("carol");
  }

  @Test
  void whenTheLastListenerLeaves_aNewOneStillGetsEveryChange() {
    RecordingSink annSink = new RecordingSink();
    Connection ann = connect("ann", annSink, "{}", true);
    RecordingSink bobSink = new RecordingSink();
    Connection bob = connect("bob", bobSink, "{}", true);
    await().until(() -> presence(bobSink).size() == 1);
    ann.close(CloseReason.CLIENT_GONE);
    await().until(() -> presence(bobSink).size() == 2);
    assertThat(presence(bobSink).get(1).get("type").asText()).isEqualTo("leave");

    // One listener left: changes still reach it.
    Connection carol = connect("carol", new RecordingSink(), "{}", false);
    await().until(() -> presence(bobSink).size() == 3);
    assertThat(presence(bobSink).get(2).get("member").get("clientId").asText()).isEqualTo("carol");

    // None left: a change is told to nobody. Then a new listener gets a snapshot and the changes.
    bob.close(CloseReason.CLIENT_GONE);
    carol.close(CloseReason.CLIENT_GONE);
    RecordingSink daveSink = new RecordingSink();
    connect("dave", daveSink, "{}", true);
    await().until(() -> presence(daveSink).size() == 1);
    assertThat(presence(daveSink).get(0).get("type").asText()).isEqualTo("members");
    connect("erin", new RecordingSink(), "{}", false);
    await().until(() -> presence(daveSink).size() == 2);
    assertThat(presence(daveSink).get(1).get("member").get("clientId").asText()).isEqualTo("erin");
  }

  @Test
  void onSse_presenceFramesAreNamedEvents_withoutId() {
    RecordingSink sse = new RecordingSink();
    hub.transportContext()
        .connect(
            new Client("s1", null, "127.0.0.1"),
            WireFormat.SSE,
            sse,
            List.of("board/c"),
            null,
            null,
            Set.of("board/c"));
    await().until(() -> sse.frames(Frame.Type.PRESENCE).size() == 1);
    String text = sse.frames(Frame.Type.PRESENCE).get(0).text();
    assertThat(text)
        .startsWith("event: members\ndata: {\"type\":\"members\",\"channel\":\"board/c\"")
        .doesNotContain("id:");
  }

  @Test
  void dataOverTheLimit_orRefusedByTheAuthorizer_refusesTheSubscribe() {
    String big = "{\"name\":\"" + "x".repeat(64) + "\"}";
    assertThatThrownBy(() -> connect("big", new RecordingSink(), big, false))
        .isInstanceOf(PushException.class)
        .extracting(e -> ((PushException) e).code())
        .isEqualTo(ErrorCode.TOO_LARGE);
    assertThatThrownBy(() -> connect("adm", new RecordingSink(), "{\"name\":\"admin\"}", false))
        .isInstanceOf(PushException.class)
        .extracting(e -> ((PushException) e).code())
        .isEqualTo(ErrorCode.FORBIDDEN);
    // Without data the authorizer's canJoin is not asked.
    connect("plain", new RecordingSink(), null, false);
  }

  @Test
  void presenceForAChannelNotSubscribed_isABadRequest() {
    assertThatThrownBy(
            () ->
                hub.transportContext()
                    .connect(
                        new Client("x", null, "127.0.0.1"),
                        WireFormat.NDJSON,
                        new RecordingSink(),
                        List.of("board/a"),
                        null,
                        null,
                        Set.of("board/other")))
        .isInstanceOf(PushException.class)
        .extracting(e -> ((PushException) e).code())
        .isEqualTo(ErrorCode.BAD_REQUEST);
  }
}
