package dev.herald.push;

import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;

/**
 * A message with its wire bytes, computed at most once per format and shared by every connection
 * that receives it. Thread-safe: a race computes the same bytes twice, harmlessly.
 */
final class EncodedMessage {
  final Message message;
  private volatile byte[] json;
  private volatile byte[] sse;
  private volatile String text;

  EncodedMessage(Message message) {
    this.message = message;
  }

  /** {@code {"type":"message",…,"data":…} } without its closing brace: the cursor follows. */
  byte[] jsonBody() {
    byte[] bytes = json;
    if (bytes == null) {
      json = bytes = frameText().getBytes(StandardCharsets.UTF_8);
    }
    return bytes;
  }

  /** {@code data: {…}\n\n}: the SSE event minus the {@code id:} line. */
  byte[] sseBody() {
    byte[] bytes = sse;
    if (bytes == null) {
      String text = frameText() + "}";
      sse = bytes = FrameEncoder.sseData(null, text).getBytes(StandardCharsets.UTF_8);
    }
    return bytes;
  }

  private String frameText() {
    String t = text;
    if (t == null) {
      text = t = buildFrameText();
    }
    return t;
  }

  private String buildFrameText() {
    Message m = message;
    StringBuilder sb = new StringBuilder(160 + m.data().length());
    sb.append("{\"type\":\"message\"");
    Json.field(sb, "channel", m.channel());
    Json.field(sb, "event", m.event());
    Json.field(sb, "offset", m.offset());
    Json.field(sb, "epoch", m.epoch());
    Json.field(sb, "time", DateTimeFormatter.ISO_INSTANT.format(m.time()));
    if (m.publisherId() != null) {
      Json.field(sb, "publisher", m.publisherId());
    }
    return sb.append(",\"data\":").append(m.data()).toString();
  }
}
