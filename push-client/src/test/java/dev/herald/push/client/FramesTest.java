package dev.herald.push.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.herald.push.Message;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FramesTest {
  @Test
  void message_keepsDataExactly_includingLongDecimals() {
    Message m =
        Frames.message(
            Frames.parse(
                "{\"type\":\"message\",\"channel\":\"prices/EURUSD\",\"event\":\"tick\",\"offset\":42,"
                    + "\"epoch\":\"f3a9c2\",\"time\":\"2026-11-28T15:00:00.123Z\",\"publisher\":\"c1\","
                    + "\"data\":{\"bid\":1.08420000000000000001,\"ask\":1.50,\"n\":[1,2]},\"cursor\":\"1~x\"}"));

    assertThat(m)
        .isEqualTo(
            new Message(
                "prices/EURUSD",
                42,
                "f3a9c2",
                "tick",
                "{\"bid\":1.08420000000000000001,\"ask\":1.50,\"n\":[1,2]}",
                Instant.parse("2026-11-28T15:00:00.123Z"),
                "c1"));
  }

  @Test
  void message_missingOrBadFields_isAProtocolError() {
    String[] bad = {
      "{\"type\":\"message\",\"channel\":\"a\",\"event\":\"e\",\"epoch\":\"x\",\"time\":\"2026-01-01T00:00:00Z\"}",
      "{\"type\":\"message\",\"channel\":\"a b\",\"event\":\"e\",\"offset\":1,\"epoch\":\"x\",\"time\":\"2026-01-01T00:00:00Z\"}",
      "{\"type\":\"message\",\"channel\":\"a\",\"event\":\"e\",\"offset\":1.5,\"epoch\":\"x\",\"time\":\"2026-01-01T00:00:00Z\"}",
      "{\"type\":\"message\",\"channel\":\"a\",\"event\":\"e\",\"offset\":1,\"epoch\":\"x\",\"time\":\"yesterday\"}"
    };
    for (String frame : bad) {
      assertThatThrownBy(() -> Frames.message(Frames.parse(frame)))
          .isInstanceOfSatisfying(
              HeraldException.class, e -> assertThat(e.code()).isEqualTo("protocol"));
    }
  }

  @Test
  void parse_notAnObjectWithType_isAProtocolError() {
    for (String text : new String[] {"<html>", "[1]", "{\"x\":1}", "{\"type\":1}", "{} {}"}) {
      assertThatThrownBy(() -> Frames.parse(text))
          .isInstanceOfSatisfying(
              HeraldException.class, e -> assertThat(e.code()).isEqualTo("protocol"));
    }
  }

  @Test
  void httpError_readsHeraldsBody_elseNamesTheStatus() {
    HeraldException herald =
        Frames.httpError(
            403, "{\"type\":\"error\",\"code\":\"forbidden\",\"message\":\"no\"}", "c");
    assertThat(herald.code()).isEqualTo("forbidden");
    assertThat(herald.status()).isEqualTo(403);
    assertThat(herald.channel()).isEqualTo("c");
    assertThat(herald).hasMessage("no");

    HeraldException proxy = Frames.httpError(502, "<html>Bad gateway</html>", null);
    assertThat(proxy.code()).isEqualTo("http_502");
    assertThat(proxy.status()).isEqualTo(502);
  }

  @Test
  void clientFrames_areCompactJsonWithEscaping() {
    assertThat(Frames.subscribe("chat/\"x\"", null, "s1"))
        .isEqualTo("{\"type\":\"subscribe\",\"channel\":\"chat/\\\"x\\\"\",\"ref\":\"s1\"}");
    assertThat(Frames.subscribe("a", "1~c", "s2"))
        .isEqualTo("{\"type\":\"subscribe\",\"channel\":\"a\",\"since\":\"1~c\",\"ref\":\"s2\"}");
    assertThat(Frames.unsubscribe("a")).isEqualTo("{\"type\":\"unsubscribe\",\"channel\":\"a\"}");
    assertThat(Frames.publish("a", "e", JsonNodeFactory.instance.textNode("hi"), "p1"))
        .isEqualTo(
            "{\"type\":\"publish\",\"channel\":\"a\",\"event\":\"e\",\"data\":\"hi\",\"ref\":\"p1\"}");
    assertThat(Frames.publishBody("a", "e", JsonNodeFactory.instance.nullNode()))
        .isEqualTo("{\"channel\":\"a\",\"event\":\"e\",\"data\":null}");
  }
}
