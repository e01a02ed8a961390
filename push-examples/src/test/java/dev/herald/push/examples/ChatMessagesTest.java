package dev.herald.push.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.push.Client;
import dev.herald.push.ClientMessage;
import dev.herald.push.JsonCodec;
import dev.herald.push.RejectedMessageException;
import org.junit.jupiter.api.Test;

class ChatMessagesTest {
  private static final JsonCodec CODEC = new JsonCodec(new ObjectMapper(), 64 * 1024, 32);
  private final ChatMessages handler = new ChatMessages();

  private static ClientMessage message(String event, String json) {
    return ClientMessage.create(new Client("c1", null, null), "chat/lobby", event, json, CODEC);
  }

  private JsonNode handled(String json) {
    return handler.handle(message("chat", json)).dataAs(JsonNode.class);
  }

  @Test
  void handle_trimsAndKeepsOnlyNickTextAndServerTime() {
    JsonNode data =
        handled("{\"nick\":\"  ann \",\"text\":\"\\n <b>hi</b>\\tthere \",\"admin\":true}");
    assertThat(data.get("nick").asText()).isEqualTo("ann");
    assertThat(data.get("text").asText()).isEqualTo("<b>hi</b> there");
    assertThat(data.get("ts").asLong()).isPositive();
    assertThat(data.has("admin")).isFalse();
  }

  @Test
  void handle_withoutNick_isAnonymous() {
    assertThat(handled("{\"text\":\"hi\"}").get("nick").asText()).isEqualTo("anonymous");
  }

  @Test
  void handle_refusesEmptyTooLongAndOtherEvents() {
    assertThatThrownBy(() -> handled("{\"nick\":\"a\",\"text\":\" \\n \"}"))
        .isInstanceOf(RejectedMessageException.class)
        .hasMessage("the message is empty");
    assertThatThrownBy(() -> handled("{\"text\":\"" + "x".repeat(501) + "\"}"))
        .hasMessage("messages are limited to 500 characters");
    assertThat(handled("{\"text\":\"" + "é".repeat(500) + "\"}").get("text").asText()).hasSize(500);
    assertThatThrownBy(() -> handled("{\"nick\":\"" + "n".repeat(25) + "\",\"text\":\"hi\"}"))
        .hasMessage("nicknames are limited to 24 characters");
    assertThatThrownBy(() -> handler.handle(message("admin", "{\"text\":\"hi\"}")))
        .hasMessage("chat rooms take only \"chat\" messages");
  }
}
