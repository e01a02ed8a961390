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

  @Test
  void parse_keepsCompactDataAsWritten_andCompactsTheRest() {
    assertThat(
            ClientFrame.parsePublish(
                codec, "{\"channel\":\"a\",\"data\":{\"n\":1.50,\"t\":\"\\u00e9 \\\"q\\\" ,}\"}}"))
        .extracting(ClientFrame.Publish::data)
        .isEqualTo("{\"n\":1.50,\"t\":\"\\u00e9 \\\"q\\\" ,}\"}");
    assertThat(
            ClientFrame.parsePublish(
                codec,
                "{ \"channel\" : \"a\" ,\n \"data\" : {\n \"x\" : [ 1 , 2 ]\n }\n ,\"ref\":\"r\" }"))
        .isEqualTo(new ClientFrame.Publish("a", "message", "{\"x\":[1,2]}", "r"));
    assertThat(ClientFrame.parsePublish(codec, "{\"data\":\"last, \\\"}\",\"channel\":\"a\"}"))
        .extracting(ClientFrame.Publish::data)
        .isEqualTo("\"last, \\\"}\"");
    assertThat(ClientFrame.parsePublish(codec, "{\"channel\":\"a\",\"data\":7}"))
        .extracting(ClientFrame.Publish::data)
        .isEqualTo("7");
    assertThat(ClientFrame.parsePublish(codec, "{\"channel\":\"a\",\"data\":null}"))
        .extracting(ClientFrame.Publish::data)
        .isEqualTo("null");
  }

  @Test
  void parse_lastOfARepeatedField_winsAndUnknownFieldsAreSkipped() {
    assertThat(
            ClientFrame.parse(
                codec,
                "{\"type\":\"publish\",\"x\":{\"channel\":\"no\",\"y\":[{}]},\"channel\":5,"
                    + "\"channel\":\"a\",\"data\":1,\"data\":[true],\"ephemeral\":true}"))
        .isEqualTo(new ClientFrame.Publish("a", "message", "[true]", true, null));
  }

  @Test
  void parse_subscribeWithMemberAndPresence() {
    assertThat(
            ClientFrame.parse(
                codec,
                "{\"type\":\"subscribe\",\"channel\":\"a\",\"member\":{ \"name\": \"Ann\" },"
                    + "\"presence\":true}"))
        .isEqualTo(new ClientFrame.Subscribe("a", null, "{\"name\":\"Ann\"}", true, null));
    assertThat(
            ClientFrame.parse(codec, "{\"type\":\"subscribe\",\"channel\":\"a\",\"member\":null}"))
        .isEqualTo(new ClientFrame.Subscribe("a", null, null, false, null));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"channel\":\"a\"} x|BAD_JSON",
        "{\"channel\":\"a\"}{}|BAD_JSON",
        "{\"channel\":\"a\",}|BAD_JSON",
        "{\"channel\":\"a\",\"data\":}|BAD_JSON",
        "{\"channel\":\"a\",\"data\":[[[[[[[[[1]]]]]]]]]}|BAD_JSON",
        "{\"channel\":\"a\",\"data\":{\"t\":\"x}|BAD_JSON",
        "{\"channel\":\"a\",\"ephemeral\":\"yes\"}|BAD_REQUEST",
        "{\"channel\":\"a\",\"event\":[]}|BAD_REQUEST",
        "{\"channel\":{}}|BAD_CHANNEL",
      })
  void parsePublish_badBody_namesTheProblem(String text, ErrorCode expected) {
    assertThatThrownBy(() -> ClientFrame.parsePublish(codec, text))
        .isInstanceOf(PushException.class)
        .satisfies(e -> assertThat(((PushException) e).code()).isEqualTo(expected));
  }

  @Test
  void parsePublish_nearTheSizeLimit_isCountedInUtf8Bytes() {
    String text = "é".repeat(1000);
    String within = "{\"channel\":\"a\",\"data\":\"" + text + "\"}";
    assertThat(ClientFrame.parsePublish(codec, within).data()).isEqualTo("\"" + text + "\"");
    String ascii = "a".repeat(1500);
    assertThat(
            ClientFrame.parsePublish(codec, "{\"channel\":\"a\",\"data\":\"" + ascii + "\"}")
                .data())
        .isEqualTo("\"" + ascii + "\"");
    String beyond = "{\"channel\":\"a\",\"data\":\"" + text + text + text + "\"}";
    assertThatThrownBy(() -> ClientFrame.parsePublish(codec, beyond))
        .isInstanceOf(PushException.class)
        .satisfies(e -> assertThat(((PushException) e).code()).isEqualTo(ErrorCode.TOO_LARGE));
  }

  @Test
  void parse_refusedFrame_getsTheCodecsOwnMessage() {
    assertThatThrownBy(() -> ClientFrame.parsePublish(codec, "{\"channel\":\"a\",}"))
        .hasMessageStartingWith("malformed JSON: ");
    assertThatThrownBy(
            () ->
                ClientFrame.parsePublish(codec, "{\"channel\":\"a\",\"data\":[[[[[[[[[1]]]]]]]]]}"))
        .hasMessage("JSON nests deeper than 8 levels");
    assertThatThrownBy(() -> ClientFrame.parse(codec, "[1]")).hasMessage("expected a JSON object");
  }
}
