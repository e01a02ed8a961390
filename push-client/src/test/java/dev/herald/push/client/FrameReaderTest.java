package dev.herald.push.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.push.Cursor;
import dev.herald.push.EphemeralMessage;
import dev.herald.push.Message;
import dev.herald.push.Position;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FrameReaderTest {
  private static final String CURSOR = Cursor.empty().with("chat", new Position("e1", 3)).encode();

  @Test
  void ready_readsClientIdAndCursor() {
    ServerFrame frame =
        FrameReader.frame("{\"type\":\"ready\",\"clientId\":\"c1\",\"cursor\":\"" + CURSOR + "\"}");

    assertThat(frame).isEqualTo(new ServerFrame.Ready("c1", Cursor.decode(CURSOR)));
    assertThat(frame.kind()).isEqualTo(ServerFrame.Kind.READY);
    assertThat(FrameReader.frame("{\"type\":\"ready\"}"))
        .isEqualTo(new ServerFrame.Ready(null, null));
  }

  @Test
  void message_keepsDataExactly_includingLongDecimals() {
    ServerFrame frame =
        FrameReader.frame(
            "{\"type\":\"message\",\"channel\":\"prices/EURUSD\",\"event\":\"tick\",\"offset\":42,"
                + "\"epoch\":\"f3a9c2\",\"time\":\"2026-11-28T15:00:00.123Z\",\"publisher\":\"c1\","
                + "\"data\":{\"bid\":1.08420000000000000001,\"ask\":1.50,\"n\":[1,2]},\"cursor\":\"1~x\"}");

    assertThat(frame)
        .isEqualTo(
            new ServerFrame.MessageFrame(
                new Message(
                    "prices/EURUSD",
                    42,
                    "f3a9c2",
                    "tick",
                    "{\"bid\":1.08420000000000000001,\"ask\":1.50,\"n\":[1,2]}",
                    Instant.parse("2026-11-28T15:00:00.123Z"),
                    "c1")));
    assertThat(frame.kind()).isEqualTo(ServerFrame.Kind.MESSAGE);
  }

  @Test
  void ephemeralMessage_isItsOwnKind_withoutPosition_andKeepsDataExactly() {
    ServerFrame frame =
        FrameReader.frame(
            "{\"type\":\"message\",\"channel\":\"board/1\",\"event\":\"cursor\","
                + "\"ephemeral\":true,\"time\":\"2026-11-28T15:00:00.123Z\",\"publisher\":\"c1\","
                + "\"data\":{\"x\":1.50,\"y\":2}}");

    assertThat(frame)
        .isEqualTo(
            new ServerFrame.Ephemeral(
                new EphemeralMessage(
                    "board/1",
                    "cursor",
                    "{\"x\":1.50,\"y\":2}",
                    Instant.parse("2026-11-28T15:00:00.123Z"),
                    "c1")));
    assertThat(frame.kind()).isEqualTo(ServerFrame.Kind.EPHEMERAL);
    // A server-side publish has no publisher; data may be absent (JSON null).
    assertThat(
            FrameReader.frame(
                "{\"type\":\"message\",\"channel\":\"a\",\"event\":\"e\",\"ephemeral\":true,"
                    + "\"time\":\"2026-11-28T15:00:00Z\"}"))
        .isEqualTo(
            new ServerFrame.Ephemeral(
                new EphemeralMessage(
                    "a", "e", "null", Instant.parse("2026-11-28T15:00:00Z"), null)));
  }

  @Test
  void message_withoutOffset_isMalformedUnlessEphemeral() {
    String noOffset =
        "{\"type\":\"message\",\"channel\":\"a\",\"event\":\"e\","
            + "\"time\":\"2026-11-28T15:00:00Z\",\"data\":1";
    assertThat(FrameReader.frame(noOffset + "}").kind()).isEqualTo(ServerFrame.Kind.MALFORMED);
    assertThat(FrameReader.frame(noOffset + ",\"ephemeral\":false}").kind())
        .isEqualTo(ServerFrame.Kind.MALFORMED);
    assertThat(FrameReader.frame(noOffset + ",\"ephemeral\":\"true\"}").kind())
        .isEqualTo(ServerFrame.Kind.MALFORMED);
    assertThat(FrameReader.frame(noOffset + ",\"ephemeral\":true}").kind())
        .isEqualTo(ServerFrame.Kind.EPHEMERAL);
    assertThat(
            FrameReader.frame(
                    "{\"type\":\"message\",\"event\":\"e\",\"ephemeral\":true,"
                        + "\"time\":\"2026-11-28T15:00:00Z\"}")
                .kind())
        .isEqualTo(ServerFrame.Kind.MALFORMED);
  }

  @Test
  void presenceFrames_areRecognised() {
    assertThat(
            FrameReader.frame(
                "{\"type\":\"members\",\"channel\":\"a\",\"members\":[{\"clientId\":\"c1\","
                    + "\"since\":\"2026-11-28T15:00:00Z\",\"data\":{\"name\":\"Ann\"}}]}"))
        .isEqualTo(new ServerFrame.Presence("members", "a"));
    assertThat(
            FrameReader.frame(
                "{\"type\":\"join\",\"channel\":\"a\",\"member\":{\"clientId\":\"c2\","
                    + "\"user\":\"bob\",\"since\":\"2026-11-28T15:00:01Z\"}}"))
        .isEqualTo(new ServerFrame.Presence("join", "a"));
    ServerFrame leave =
        FrameReader.frame(
            "{\"type\":\"leave\",\"channel\":\"a\",\"member\":{\"clientId\":\"c2\","
                + "\"since\":\"2026-11-28T15:00:01Z\"}}");
    assertThat(leave).isEqualTo(new ServerFrame.Presence("leave", "a"));
    assertThat(leave.kind()).isEqualTo(ServerFrame.Kind.PRESENCE);
  }

  @Test
  void subscribedAndReset_readChannelAndPosition() {
    assertThat(
            FrameReader.frame(
                "{\"type\":\"subscribed\",\"channel\":\"chat\",\"epoch\":\"e1\",\"offset\":0,"
                    + "\"cursor\":\"1~x\"}"))
        .isEqualTo(new ServerFrame.Subscribed("chat", new Position("e1", 0)));
    assertThat(
            FrameReader.frame(
                "{\"type\":\"reset\",\"channel\":\"news\",\"epoch\":\"e2\",\"offset\":7}"))
        .isEqualTo(new ServerFrame.Reset("news", new Position("e2", 7)));
  }

  @Test
  void ackErrorPongHeartbeat_areRead() {
    assertThat(
            FrameReader.frame(
                "{\"type\":\"ack\",\"ref\":\"7\",\"channel\":\"chat\",\"offset\":2,\"epoch\":\"e1\"}"))
        .isEqualTo(new ServerFrame.AckFrame("7", new Ack("chat", 2, "e1")));
    assertThat(
            FrameReader.frame(
                "{\"type\":\"ack\",\"ref\":\"8\",\"channel\":\"chat\",\"ephemeral\":true}"))
        .isEqualTo(new ServerFrame.AckFrame("8", Ack.ofEphemeral("chat")));
    assertThat(
            FrameReader.frame(
                "{\"type\":\"error\",\"code\":\"bad_cursor\",\"message\":\"cursor is malformed\","
                    + "\"ref\":\"8\"}"))
        .isEqualTo(new ServerFrame.ErrorFrame("bad_cursor", "cursor is malformed", "8"));
    assertThat(FrameReader.frame("{\"type\":\"pong\"}").kind()).isEqualTo(ServerFrame.Kind.PONG);
    assertThat(FrameReader.frame("{\"type\":\"heartbeat\"}").kind())
        .isEqualTo(ServerFrame.Kind.HEARTBEAT);
  }

  @Test
  void errorFrame_becomesTheApplicationsException_withDefaultsForMissingFields() {
    HeraldException named =
        new ServerFrame.ErrorFrame("forbidden", "no", "s1").toException(0, "chat");
    assertThat(named.code()).isEqualTo("forbidden");
    assertThat(named).hasMessage("no");
    assertThat(named.channel()).isEqualTo("chat");

    HeraldException bare =
        ((ServerFrame.ErrorFrame) FrameReader.frame("{\"type\":\"error\"}")).toException(0, null);
    assertThat(bare.code()).isEqualTo("unknown");
    assertThat(bare).hasMessage("the server reported an error");
  }

  @Test
  void unknownType_isKeptByName_forANewerServer() {
    assertThat(FrameReader.frame("{\"type\":\"presence\",\"who\":[]}"))
        .isEqualTo(new ServerFrame.Unknown("presence"));
  }

  @Test
  void knownTypeWithBadFields_isMalformed_withAProtocolErrorNamingTheType() {
    String[][] bad = {
      {
        "message",
        "{\"type\":\"message\",\"channel\":\"a\",\"event\":\"e\",\"epoch\":\"x\",\"time\":\"2026-01-01T00:00:00Z\"}"
      },
      {
        "message",
        "{\"type\":\"message\",\"channel\":\"a b\",\"event\":\"e\",\"offset\":1,\"epoch\":\"x\",\"time\":\"2026-01-01T00:00:00Z\"}"
      },
      {
        "message",
        "{\"type\":\"message\",\"channel\":\"a\",\"event\":\"e\",\"offset\":1.5,\"epoch\":\"x\",\"time\":\"2026-01-01T00:00:00Z\"}"
      },
      {
        "message",
        "{\"type\":\"message\",\"channel\":\"a\",\"event\":\"e\",\"offset\":1,\"epoch\":\"x\",\"time\":\"yesterday\"}"
      },
      {"ready", "{\"type\":\"ready\",\"cursor\":\"not a cursor\"}"},
      {"subscribed", "{\"type\":\"subscribed\",\"channel\":\"a\",\"offset\":0}"},
      {"subscribed", "{\"type\":\"subscribed\",\"epoch\":\"e1\",\"offset\":0}"},
      {"reset", "{\"type\":\"reset\",\"channel\":\"a\",\"epoch\":\"e1\",\"offset\":-2}"},
      {"ack", "{\"type\":\"ack\",\"ref\":\"7\",\"channel\":\"a\",\"offset\":0,\"epoch\":\"e1\"}"},
    };
    for (String[] c : bad) {
      assertThat(FrameReader.frame(c[1]))
          .as(c[1])
          .isInstanceOfSatisfying(
              ServerFrame.Malformed.class,
              m -> {
                assertThat(m.type()).isEqualTo(c[0]);
                assertThat(m.problem().code()).isEqualTo("protocol");
                assertThat(m.problem())
                    .hasMessageStartingWith("the server sent a malformed " + c[0]);
              });
    }
  }

  @Test
  void notAnObjectWithType_isAProtocolError_thatNeverQuotesJson() {
    for (String text : new String[] {"<html>", "[1]", "{\"x\":1}", "{\"type\":1}", "{} {}"}) {
      assertThatThrownBy(() -> FrameReader.frame(text))
          .as(text)
          .isInstanceOfSatisfying(
              HeraldException.class, e -> assertThat(e.code()).isEqualTo("protocol"));
    }
    assertThatThrownBy(() -> FrameReader.frame("{\"secret\":\"s3cr3t\"}"))
        .hasMessageNotContaining("s3cr3t")
        .hasMessageContaining("JSON text of");
    assertThatThrownBy(() -> FrameReader.frame("<html>Bad gateway</html>"))
        .hasMessageContaining("not JSON: <html>Bad gateway");
  }

  @Test
  void pollAnswer_readsEveryFrameAndTheCursor() {
    FrameReader.PollAnswer answer =
        FrameReader.pollAnswer(
            "{\"messages\":[{\"type\":\"ready\"},{\"type\":\"reset\",\"channel\":\"a\","
                + "\"epoch\":\"e1\",\"offset\":0}],\"cursor\":\""
                + CURSOR
                + "\"}");

    assertThat(answer.frames())
        .containsExactly(
            new ServerFrame.Ready(null, null), new ServerFrame.Reset("a", new Position("e1", 0)));
    assertThat(answer.cursor()).isEqualTo(Cursor.decode(CURSOR));
  }

  @Test
  void pollAnswer_thatIsNotOne_isAProtocolError() {
    for (String body :
        new String[] {
          "",
          "<html>",
          "{\"messages\":[]}",
          "{\"cursor\":\"" + CURSOR + "\"}",
          "{\"messages\":{},\"cursor\":\"" + CURSOR + "\"}",
          "{\"messages\":[1],\"cursor\":\"" + CURSOR + "\"}",
          "{\"messages\":[],\"cursor\":\"not a cursor\"}"
        }) {
      assertThatThrownBy(() -> FrameReader.pollAnswer(body))
          .as(body)
          .isInstanceOfSatisfying(
              HeraldException.class, e -> assertThat(e.code()).isEqualTo("protocol"));
    }
  }

  @Test
  void publishAnswer_isAnAck_orAProtocolError() {
    assertThat(FrameReader.publishAnswer("{\"channel\":\"a\",\"offset\":3,\"epoch\":\"e1\"}"))
        .isEqualTo(new Ack("a", 3, "e1"));
    Ack ephemeral = FrameReader.publishAnswer("{\"channel\":\"a\",\"ephemeral\":true}");
    assertThat(ephemeral).isEqualTo(Ack.ofEphemeral("a"));
    assertThat(ephemeral.ephemeral()).isTrue();
    assertThat(ephemeral.offset()).isZero();
    assertThat(ephemeral.epoch()).isNull();
    assertThatThrownBy(() -> FrameReader.publishAnswer("{\"channel\":\"a\"}"))
        .isInstanceOfSatisfying(
            HeraldException.class, e -> assertThat(e.code()).isEqualTo("protocol"));
  }

  @Test
  void ack_isStoredWithAPosition_orEphemeralWithout() {
    assertThat(new Ack("a", 3, "e1").ephemeral()).isFalse();
    assertThatThrownBy(() -> new Ack("a", 1, "e1", true))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Ack("a", 0, null, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ack.ofEphemeral("bad channel"))
        .isInstanceOf(dev.herald.push.PushException.class);
  }

  @Test
  void httpError_readsHeraldsBody_elseNamesTheStatus() {
    HeraldException herald =
        FrameReader.httpError(
            403, "{\"type\":\"error\",\"code\":\"forbidden\",\"message\":\"no\"}", "c");
    assertThat(herald.code()).isEqualTo("forbidden");
    assertThat(herald.status()).isEqualTo(403);
    assertThat(herald.channel()).isEqualTo("c");
    assertThat(herald).hasMessage("no");

    HeraldException proxy = FrameReader.httpError(502, "<html>Bad gateway</html>", null);
    assertThat(proxy.code()).isEqualTo("http_502");
    assertThat(proxy.status()).isEqualTo(502);
  }
}
