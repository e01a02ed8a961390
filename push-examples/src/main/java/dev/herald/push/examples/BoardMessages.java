package dev.herald.push.examples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.push.ClientMessage;
import dev.herald.push.ClientMessageHandler;
import dev.herald.push.RejectedMessageException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The whiteboards' rule for what browsers publish to {@code board/<name>}: three events, each
 * checked and rebuilt from its checked fields, so nothing else a client sends reaches the board.
 *
 * <ul>
 *   <li>{@code cursor} {@code {key, x, y}}: where a person's pointer is, x and y in [0, 1] of the
 *       board. Always ephemeral: worth nothing a second later, so never stored.
 *   <li>{@code stroke} {@code {id, seq, color, width, points}}: one segment of a pen stroke, at
 *       most {@value #MAX_POINTS} points as a flat list {@code [x0, y0, x1, y1, …]} in [0, 1];
 *       {@code width} in thousandths of the board's width. Always durable, so a late joiner draws
 *       it from history.
 *   <li>{@code clear}: wipes the board. Always durable, for the same reason.
 * </ul>
 *
 * <p>Coordinates are rounded to 1/10,000 of the board, which also bounds a stroke's size: a full
 * segment is about 500 bytes, so the history's 1,000 messages never reach its 1 MiB. Thread-safe
 * (stateless).
 */
final class BoardMessages implements ClientMessageHandler {
  /** The most points one stroke message carries; the page sends longer strokes in segments. */
  static final int MAX_POINTS = 32;

  /** The widest pen, in thousandths of the board's width. */
  static final int MAX_WIDTH = 40;

  /** The most segments one stroke may have. */
  static final int MAX_SEQ = 10_000;

  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9]{1,16}");
  private static final Pattern COLOR = Pattern.compile("#[0-9a-fA-F]{6}");

  @Override
  public ClientMessage handle(ClientMessage message) {
    return switch (message.event()) {
      case "cursor" -> cursor(message);
      case "stroke" -> stroke(message);
      case "clear" -> durable(message.withData(Map.of()));
      default ->
          throw new RejectedMessageException(
              "boards take only \"stroke\", \"cursor\" and \"clear\" messages, not \""
                  + message.event()
                  + "\"");
    };
  }

  private static ClientMessage cursor(ClientMessage message) {
    JsonNode data = object(message, "a cursor");
    Map<String, Object> clean = new LinkedHashMap<>();
    clean.put("key", key(data, "key", "a cursor"));
    clean.put("x", coordinate(data.get("x"), "a cursor's x"));
    clean.put("y", coordinate(data.get("y"), "a cursor's y"));
    return ephemeral(message.withData(clean));
  }

  private static ClientMessage stroke(ClientMessage message) {
    JsonNode data = object(message, "a stroke");
    Map<String, Object> clean = new LinkedHashMap<>();
    clean.put("id", key(data, "id", "a stroke"));
    JsonNode seq = data.get("seq");
    if (seq == null || !seq.canConvertToInt() || !seq.isIntegralNumber()) {
      throw new RejectedMessageException("a stroke needs a whole number \"seq\"");
    }
    if (seq.intValue() < 0 || seq.intValue() > MAX_SEQ) {
      throw new RejectedMessageException(
          "a stroke's seq is between 0 and " + MAX_SEQ + ", was " + seq.intValue());
    }
    clean.put("seq", seq.intValue());
    String color = JsonServlet.text(data, "color");
    if (!COLOR.matcher(color).matches()) {
      throw new RejectedMessageException("a stroke's color is #rrggbb");
    }
    clean.put("color", color.toLowerCase(Locale.ROOT));
    JsonNode width = data.get("width");
    if (width == null
        || !width.isNumber()
        || !(width.doubleValue() >= 1)
        || width.doubleValue() > MAX_WIDTH) {
      throw new RejectedMessageException("a stroke's width is a number from 1 to " + MAX_WIDTH);
    }
    clean.put("width", Math.round(width.doubleValue() * 10) / 10.0);
    JsonNode points = data.get("points");
    if (points == null || !points.isArray() || points.isEmpty() || points.size() % 2 != 0) {
      throw new RejectedMessageException("a stroke's points are a list of x, y pairs");
    }
    if (points.size() > 2 * MAX_POINTS) {
      throw new RejectedMessageException(
          "a stroke message holds at most "
              + MAX_POINTS
              + " points, was "
              + points.size() / 2
              + "; send longer strokes in segments");
    }
    List<Double> xy = new ArrayList<>(points.size());
    for (JsonNode p : points) {
      xy.add(coordinate(p, "a stroke's point"));
    }
    clean.put("points", xy);
    return durable(message.withData(clean));
  }

  private static JsonNode object(ClientMessage message, String what) {
    JsonNode data = message.dataAs(JsonNode.class);
    if (data == null || !data.isObject()) {
      throw new RejectedMessageException(what + " is a JSON object");
    }
    return data;
  }

  private static String key(JsonNode data, String field, String what) {
    String key = JsonServlet.text(data, field);
    if (!KEY.matcher(key).matches()) {
      throw new RejectedMessageException(
          what + "'s " + field + " is 1 to 16 letters and digits, was \"" + shorten(key) + "\"");
    }
    return key;
  }

  /** A number in [0, 1], rounded to 1/10,000. */
  private static double coordinate(JsonNode node, String what) {
    if (node == null || !node.isNumber()) {
      throw new RejectedMessageException(what + " is a number");
    }
    double v = node.doubleValue();
    if (!(v >= 0 && v <= 1)) {
      throw new RejectedMessageException(what + " is between 0 and 1, was " + v);
    }
    return Math.round(v * 10_000) / 10_000.0;
  }

  private static String shorten(String s) {
    return s.length() <= 20 ? s : s.substring(0, 20) + "…";
  }

  /** Whatever the client asked: a cursor move in the history would only push strokes out. */
  private static ClientMessage ephemeral(ClientMessage message) {
    return message.withEphemeral(true);
  }

  /**
   * Whatever the client asked: a stroke or a clear that is not stored, a late joiner never sees.
   */
  private static ClientMessage durable(ClientMessage message) {
    return message.withEphemeral(false);
  }
}
