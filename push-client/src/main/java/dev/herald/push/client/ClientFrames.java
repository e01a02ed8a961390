package dev.herald.push.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Writes the frames the client sends (docs/protocol.md): WebSocket client frames and the body of an
 * HTTP publish. {@link FrameReader} reads the server's. Thread-safe.
 */
final class ClientFrames {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ClientFrames() {}

  static String subscribe(String channel, String since, String ref) {
    ObjectNode node = NODES.objectNode().put("type", "subscribe").put("channel", channel);
    if (since != null) {
      node.put("since", since);
    }
    return node.put("ref", ref).toString();
  }

  static String unsubscribe(String channel) {
    return NODES.objectNode().put("type", "unsubscribe").put("channel", channel).toString();
  }

  /**
   * A WebSocket {@code publish}; {@code "ephemeral":true} only when asked, so that a plain publish
   * is what it always was and gets the channel's default.
   */
  static String publish(
      String channel, String event, JsonNode data, boolean ephemeral, String ref) {
    ObjectNode node = NODES.objectNode().put("type", "publish").put("channel", channel);
    node.put("event", event).set("data", data);
    if (ephemeral) {
      node.put("ephemeral", true);
    }
    if (ref != null) {
      node.put("ref", ref);
    }
    return node.toString();
  }

  /** The body of {@code POST <base>/publish}. */
  static String publishBody(String channel, String event, JsonNode data, boolean ephemeral) {
    ObjectNode node = NODES.objectNode().put("channel", channel).put("event", event);
    node.set("data", data);
    if (ephemeral) {
      node.put("ephemeral", true);
    }
    return node.toString();
  }

  static String ping() {
    return "{\"type\":\"ping\"}";
  }
}
