package dev.herald.push.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.push.Message;
import dev.herald.push.Position;
import java.time.Instant;

/**
 * Reads server frames and writes client frames of the wire protocol (docs/protocol.md).
 * Thread-safe.
 */
final class Frames {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Parses frames exactly: decimals keep every digit, so {@code data} is passed on unchanged. */
  private static final ObjectMapper READER =
      new ObjectMapper()
          .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Frames() {}

  /**
   * Parses one frame, which must be a JSON object with a {@code type}.
   *
   * @throws HeraldException with code {@code protocol} otherwise
   */
  static ObjectNode parse(String text) {
    JsonNode node;
    try {
      node = READER.readTree(text);
    } catch (JsonProcessingException e) {
      throw protocol("the server sent a frame that is not JSON: " + abbreviate(text), e);
    }
    if (!(node instanceof ObjectNode object) || !node.path("type").isTextual()) {
      throw protocol("the server sent a frame without a type: " + abbreviate(text), null);
    }
    return object;
  }

  /** Parses a JSON document that is not a frame, such as a poll answer or an error body. */
  static JsonNode parseDocument(String text) {
    try {
      JsonNode node = READER.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw protocol("the server sent an empty body", null);
      }
      return node;
    } catch (JsonProcessingException e) {
      throw protocol("the server sent a body that is not JSON: " + abbreviate(text), e);
    }
  }

  static String type(JsonNode frame) {
    return frame.path("type").asText();
  }

  /** A text field, or {@code null} if it is absent or not text. */
  static String text(JsonNode frame, String field) {
    JsonNode value = frame.get(field);
    return value != null && value.isTextual() ? value.asText() : null;
  }

  /**
   * The message a {@code message} frame carries.
   *
   * @throws HeraldException with code {@code protocol} if a field is missing or malformed
   */
  static Message message(JsonNode frame) {
    try {
      JsonNode data = frame.get("data");
      return new Message(
          text(frame, "channel"),
          offset(frame),
          text(frame, "epoch"),
          text(frame, "event"),
          data == null ? "null" : data.toString(),
          Instant.parse(required(frame, "time")),
          text(frame, "publisher"));
    } catch (RuntimeException e) {
      throw protocol("the server sent a malformed message frame: " + e.getMessage(), e);
    }
  }

  /** The position a {@code subscribed} or {@code reset} frame names. */
  static Position position(JsonNode frame) {
    try {
      return new Position(required(frame, "epoch"), frame.path("offset").asLong(-1));
    } catch (RuntimeException e) {
      throw protocol("the server sent a malformed " + type(frame) + " frame: " + e.getMessage(), e);
    }
  }

  /** The acknowledgement an {@code ack} frame or a publish answer carries. */
  static Ack ack(JsonNode frame) {
    try {
      return new Ack(text(frame, "channel"), offset(frame), text(frame, "epoch"));
    } catch (RuntimeException e) {
      throw protocol("the server sent a malformed acknowledgement: " + e.getMessage(), e);
    }
  }

  /** The failure an {@code error} frame or an HTTP error body describes. */
  static HeraldException error(JsonNode frame, int status, String channel) {
    String code = text(frame, "code");
    String message = text(frame, "message");
    return new HeraldException(
        code == null ? (status == 0 ? "unknown" : "http_" + status) : code,
        message == null ? "the server reported an error" : message,
        status,
        channel,
        null);
  }

  /** The failure an HTTP error answer stands for, reading Herald's error body if it has one. */
  static HeraldException httpError(int status, String body, String channel) {
    if (body != null && !body.isBlank()) {
      try {
        JsonNode node = READER.readTree(body);
        if (node != null && node.path("code").isTextual()) {
          return error(node, status, channel);
        }
      } catch (JsonProcessingException e) {
        // Not Herald's body (a proxy's page, say): report the status alone.
      }
    }
    return new HeraldException(
        "http_" + status, "the server answered HTTP " + status, status, channel, null);
  }

  // ---- client frames

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

  static String publish(String channel, String event, JsonNode data, String ref) {
    ObjectNode node = NODES.objectNode().put("type", "publish").put("channel", channel);
    node.put("event", event).set("data", data);
    if (ref != null) {
      node.put("ref", ref);
    }
    return node.toString();
  }

  /** The body of {@code POST <base>/publish}. */
  static String publishBody(String channel, String event, JsonNode data) {
    ObjectNode node = NODES.objectNode().put("channel", channel).put("event", event);
    node.set("data", data);
    return node.toString();
  }

  static String ping() {
    return "{\"type\":\"ping\"}";
  }

  // ----

  private static long offset(JsonNode frame) {
    JsonNode offset = frame.get("offset");
    if (offset == null || !offset.canConvertToLong() || !offset.isIntegralNumber()) {
      throw new IllegalArgumentException("offset is missing or not a whole number");
    }
    return offset.asLong();
  }

  private static String required(JsonNode frame, String field) {
    String value = text(frame, field);
    if (value == null) {
      throw new IllegalArgumentException("\"" + field + "\" is missing");
    }
    return value;
  }

  static HeraldException protocol(String message, Throwable cause) {
    return new HeraldException("protocol", message, 0, null, cause);
  }

  /**
   * What was received, for an error message: the start of text that is not JSON (a proxy's page,
   * say), but never JSON, which may hold an application's message.
   */
  private static String abbreviate(String s) {
    String trimmed = s.strip();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
      return "JSON text of " + s.length() + " characters";
    }
    String printable = trimmed.replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() > 40 ? printable.substring(0, 40) + "…" : printable;
  }
}
