package dev.herald.push.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.push.Cursor;
import dev.herald.push.EphemeralMessage;
import dev.herald.push.Message;
import dev.herald.push.Position;
import dev.herald.push.PushException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what the server sends (docs/protocol.md) into types: frames into {@link ServerFrame}s, poll
 * answers, publish answers and HTTP error bodies. Links call it once per frame as it arrives;
 * nothing past them sees JSON. Thread-safe.
 */
final class FrameReader {
  /** Parses frames exactly: decimals keep every digit, so {@code data} is passed on unchanged. */
  private static final ObjectMapper READER =
      new ObjectMapper()
          .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private static final ServerFrame.Pong PONG = new ServerFrame.Pong();
  private static final ServerFrame.Heartbeat HEARTBEAT = new ServerFrame.Heartbeat();

  /**
   * A long-poll answer.
   *
   * @param frames its frames, in order
   * @param cursor the cursor after all of them
   */
  record PollAnswer(List<ServerFrame> frames, Cursor cursor) {
    PollAnswer {
      frames = List.copyOf(frames);
    }
  }

  private FrameReader() {}

  /**
   * Reads one frame from its text.
   *
   * @throws HeraldException with code {@code protocol} if the text is not a JSON object with a
   *     textual {@code type}; a known type with bad fields gives {@link ServerFrame.Malformed}
   */
  static ServerFrame frame(String text) {
    JsonNode node;
    try {
      node = READER.readTree(text);
    } catch (JsonProcessingException e) {
      throw protocol("the server sent a frame that is not JSON: " + abbreviate(text), e);
    }
    if (!(node instanceof ObjectNode object) || !node.path("type").isTextual()) {
      throw protocol("the server sent a frame without a type: " + abbreviate(text), null);
    }
    return frame(object);
  }

  /** Reads one frame from a JSON object that has a textual {@code type}. */
  static ServerFrame frame(ObjectNode frame) {
    String type = frame.path("type").asText();
    try {
      switch (type) {
        case "ready":
          String cursor = text(frame, "cursor");
          return new ServerFrame.Ready(
              text(frame, "clientId"), cursor == null ? null : cursor(cursor));
        case "subscribed":
          return new ServerFrame.Subscribed(required(frame, "channel"), position(frame));
        case "message":
          return ephemeral(frame)
              ? new ServerFrame.Ephemeral(ephemeralMessage(frame))
              : new ServerFrame.MessageFrame(message(frame));
        case "reset":
          return new ServerFrame.Reset(required(frame, "channel"), position(frame));
        case "ack":
          return new ServerFrame.AckFrame(text(frame, "ref"), ack(frame));
        case "error":
          return errorFrame(frame);
        case "members", "join", "leave":
          return new ServerFrame.Presence(type, required(frame, "channel"));
        case "pong":
          return PONG;
        case "heartbeat":
          return HEARTBEAT;
        default:
          return new ServerFrame.Unknown(type);
      }
    } catch (RuntimeException e) {
      String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return new ServerFrame.Malformed(
          type, protocol("the server sent a malformed " + type + " frame: " + detail, e));
    }
  }

  /**
   * Reads a long-poll answer, {@code {"messages":[frame, …],"cursor":"…"}}.
   *
   * @throws HeraldException with code {@code protocol} if it is not one
   */
  static PollAnswer pollAnswer(String body) {
    JsonNode answer = document(body);
    JsonNode messages = answer.get("messages");
    String cursor = text(answer, "cursor");
    if (messages == null || !messages.isArray() || cursor == null) {
      throw protocol("a poll answer lacks \"messages\" or \"cursor\"", null);
    }
    List<ServerFrame> frames = new ArrayList<>(messages.size());
    for (JsonNode frame : messages) {
      if (!(frame instanceof ObjectNode object) || !frame.path("type").isTextual()) {
        throw protocol("a poll answer holds a frame without a type", null);
      }
      frames.add(frame(object));
    }
    return new PollAnswer(frames, cursor(cursor));
  }

  /**
   * Reads the answer to {@code POST <base>/publish}.
   *
   * @throws HeraldException with code {@code protocol} if it is not an acknowledgement
   */
  static Ack publishAnswer(String body) {
    JsonNode answer = document(body);
    try {
      return ack(answer);
    } catch (RuntimeException e) {
      throw protocol("the server sent a malformed acknowledgement: " + e.getMessage(), e);
    }
  }

  /** The failure an HTTP error answer stands for, reading Herald's error body if it has one. */
  static HeraldException httpError(int status, String body, String channel) {
    ServerFrame.ErrorFrame error = errorBody(body);
    if (error != null && error.code() != null) {
      return error.toException(status, channel);
    }
    return new HeraldException(
        "http_" + status, "the server answered HTTP " + status, status, channel, null);
  }

  /**
   * Herald's error body ({@code {"type":"error","code":…}}, or any object with a textual {@code
   * code}), or {@code null} if the body is none: empty, not JSON (a proxy's page, say), or a normal
   * answer.
   */
  static ServerFrame.ErrorFrame errorBody(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      JsonNode node = READER.readTree(body);
      boolean error =
          node instanceof ObjectNode
              && (node.path("type").asText().equals("error")
                  || (!node.has("type") && node.path("code").isTextual()));
      return error ? errorFrame(node) : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static ServerFrame.ErrorFrame errorFrame(JsonNode frame) {
    JsonNode retry = frame.get("retry");
    Long hint =
        retry != null && retry.canConvertToLong() && retry.asLong() >= 0 ? retry.asLong() : null;
    return new ServerFrame.ErrorFrame(
        text(frame, "code"), text(frame, "message"), text(frame, "ref"), hint);
  }

  /** A failure to follow the wire protocol. */
  static HeraldException protocol(String message, Throwable cause) {
    return new HeraldException("protocol", message, 0, null, cause);
  }

  // ----

  private static JsonNode document(String text) {
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

  private static Message message(JsonNode frame) {
    JsonNode data = frame.get("data");
    return new Message(
        text(frame, "channel"),
        offset(frame),
        text(frame, "epoch"),
        text(frame, "event"),
        data == null ? "null" : data.toString(),
        Instant.parse(required(frame, "time")),
        text(frame, "publisher"));
  }

  /**
   * An ephemeral message: no offset, epoch or cursor is read, even if the frame had any, so that
   * nothing in it can be taken for a position.
   */
  private static EphemeralMessage ephemeralMessage(JsonNode frame) {
    JsonNode data = frame.get("data");
    return new EphemeralMessage(
        text(frame, "channel"),
        text(frame, "event"),
        data == null ? "null" : data.toString(),
        Instant.parse(required(frame, "time")),
        text(frame, "publisher"));
  }

  /** Whether a message or acknowledgement says {@code "ephemeral":true}. */
  private static boolean ephemeral(JsonNode frame) {
    JsonNode ephemeral = frame.get("ephemeral");
    return ephemeral != null && ephemeral.isBoolean() && ephemeral.booleanValue();
  }

  private static Position position(JsonNode frame) {
    return new Position(required(frame, "epoch"), frame.path("offset").asLong(-1));
  }

  private static Ack ack(JsonNode frame) {
    if (ephemeral(frame)) {
      return Ack.ofEphemeral(text(frame, "channel"));
    }
    return new Ack(text(frame, "channel"), offset(frame), text(frame, "epoch"));
  }

  private static Cursor cursor(String text) {
    try {
      return Cursor.decode(text);
    } catch (PushException e) {
      throw protocol("the server sent a malformed cursor: " + e.getMessage(), e);
    }
  }

  /** A text field, or {@code null} if it is absent or not text. */
  private static String text(JsonNode frame, String field) {
    JsonNode value = frame.get(field);
    return value != null && value.isTextual() ? value.asText() : null;
  }

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
