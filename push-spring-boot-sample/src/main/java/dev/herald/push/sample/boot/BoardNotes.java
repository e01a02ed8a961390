package dev.herald.push.sample.boot;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.ClientMessage;
import dev.herald.push.RejectedMessageException;
import dev.herald.push.spring.boot.HeraldCustomizer;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Notes that signed-in users post from the page straight to Herald ({@code herald.publish} in
 * herald.js, over the WebSocket or {@code POST /push/publish}). A {@link HeraldCustomizer} opens
 * the {@code notes} channel to client messages with a handler that keeps only the text and signs it
 * with the user Spring Security signed in, so nobody can post in someone else's name.
 */
@Configuration(proxyBeanMethods = false)
class BoardNotes {
  static final int MAX_NOTE = 200;

  @Bean
  HeraldCustomizer notes() {
    return hub -> hub.acceptClientMessages("notes", BoardNotes::signed);
  }

  static ClientMessage signed(ClientMessage message) {
    JsonNode text = message.dataAs(JsonNode.class).path("text");
    if (!text.isTextual() || text.asText().isBlank() || text.asText().length() > MAX_NOTE) {
      throw new RejectedMessageException("a note is {\"text\": \"...\"}, 1 to 200 characters");
    }
    return message.withData(Map.of("by", message.client().user(), "text", text.asText()));
  }
}
