package dev.herald.push.examples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.ClientMessage;
import dev.herald.push.ClientMessageHandler;
import dev.herald.push.RejectedMessageException;
import java.util.Map;

/**
 * The chat rooms' rule for what browsers publish: a {@code chat} event with a nickname and a text,
 * both trimmed, free of control characters and within their limits. The published payload is
 * rebuilt from the checked fields, so nothing else a client sends reaches the room. HTML needs no
 * treatment here: the page shows text as text. Thread-safe (stateless).
 */
final class ChatMessages implements ClientMessageHandler {
  static final int MAX_TEXT = 500;
  static final int MAX_NICK = 24;

  @Override
  public ClientMessage handle(ClientMessage message) {
    if (!"chat".equals(message.event())) {
      throw new RejectedMessageException("chat rooms take only \"chat\" messages");
    }
    JsonNode data = message.dataAs(JsonNode.class);
    String nick = clean(JsonServlet.text(data, "nick"));
    String text = clean(JsonServlet.text(data, "text"));
    if (nick.isEmpty()) {
      nick = "anonymous";
    }
    if (nick.codePointCount(0, nick.length()) > MAX_NICK) {
      throw new RejectedMessageException("nicknames are limited to " + MAX_NICK + " characters");
    }
    if (text.isEmpty()) {
      throw new RejectedMessageException("the message is empty");
    }
    if (text.codePointCount(0, text.length()) > MAX_TEXT) {
      throw new RejectedMessageException("messages are limited to " + MAX_TEXT + " characters");
    }
    return message.withData(Map.of("nick", nick, "text", text, "ts", System.currentTimeMillis()));
  }

  /** Replaces control characters (line breaks included) by spaces, then trims. */
  static String clean(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints().forEach(c -> sb.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
    return sb.toString().strip();
  }
}
