package dev.herald.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.push.spi.ClientFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientFrameTest {
  private final JsonCodec codec = new JsonCodec(null, 4096, 8);

  @Test
  void parse_eachType() {
    assertThat(
            ClientFrame.parse(
                codec, "{\"type\":\"subscribe\",\"channel\":\"a\",\"since\":\"c\",\"ref\":\"1\"}"))
        .isEqualTo(new ClientFrame.Subscribe("a", "c", "1"));
    assertThat(ClientFrame.parse(codec, "{\"type\":\"unsubscribe\",\"channel\":\"a\"}"))
        .isEqualTo(new ClientFrame.Unsubscribe("a", null));
    assertThat(
            ClientFrame.parse(
                codec,
                "{\"type\":\"publish\",\"channel\":\"a\",\"event\":\"chat\",\"data\":{\"t\":\"hi\"},\"ref\":\"7\"}"))
        .isEqualTo(new ClientFrame.Publish("a", "chat", "{\"t\":\"hi\"}", "7"));
    assertThat(ClientFrame.parse(codec, "{\"type\":\"ping\"}"))
        .isEqualTo(new ClientFrame.Ping(null));
  }

  @Test
  void parsePublish_defaultsEventAndData() {
    assertThat(ClientFrame.parsePublish(codec, "{\"channel\":\"a\"}"))
        .isEqualTo(new ClientFrame.Publish("a", "message", "null", null));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "not json|BAD_JSON",
        "[1,2]|BAD_JSON",
        "{}|BAD_REQUEST",
        "{\"type\":\"dance\"}|BAD_REQUEST",
        "{\"type\":7}|BAD_REQUEST",
        "{\"type\":\"subscribe\"}|BAD_CHANNEL",
        "{\"type\":\"subscribe\",\"channel\":\"bad channel\"}|BAD_CHANNEL",
        "{\"type\":\"subscribe\",\"channel\":5}|BAD_CHANNEL",
        "{\"type\":\"subscribe\",\"channel\":\"a\",\"since\":5}|BAD_REQUEST",
        "{\"type\":\"publish\",\"channel\":\"a\",\"event\":\"a\\nb\"}|BAD_REQUEST",
      })
  void parse_badFrame_namesTheProblem(String text, ErrorCode expected) {
    assertThatThrownBy(() -> ClientFrame.parse(codec, text))
        .isInstanceOf(PushException.class)
        .satisfies(e -> assertThat(((PushException) e).code()).isEqualTo(expected));
  }
}
