package dev.herald.push;

import dev.herald.push.spi.Frame;
import dev.herald.push.spi.WireFormat;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * An ephemeral message with its frame, built at most once per format and queued as the same {@link
 * Frame} to every connection that receives it: it carries no cursor, so nothing in it is particular
 * to a connection. Thread-safe: a race builds an equal frame twice, harmlessly.
 */
final class EncodedEphemeral {
  private static final WireFormat[] FORMATS = WireFormat.values();

  final EphemeralMessage message;
  private final AtomicReferenceArray<Frame> frames = new AtomicReferenceArray<>(FORMATS.length);

  EncodedEphemeral(EphemeralMessage message) {
    this.message = message;
  }

  /**
   * The frame in the format: a {@code message} with {@code "ephemeral":true} and without offset,
   * epoch or cursor; on SSE an event without an {@code id:} line, so that the stream's last event
   * id stays the cursor of the last stored message.
   */
  Frame frame(WireFormat format) {
    Frame f = frames.get(format.ordinal());
    if (f == null) {
      String json = json();
      String text =
          switch (format) {
            case SSE -> FrameEncoder.sseData(null, json);
            case NDJSON -> json + "\n";
            default -> json;
          };
      f = new Frame(Frame.Type.MESSAGE, null, text.getBytes(StandardCharsets.UTF_8), null, null);
      frames.set(format.ordinal(), f);
    }
    return f;
  }

  private String json() {
    EphemeralMessage m = message;
    StringBuilder sb = new StringBuilder(140 + m.data().length());
    sb.append("{\"type\":\"message\"");
    Json.field(sb, "channel", m.channel());
    Json.field(sb, "event", m.event());
    sb.append(",\"ephemeral\":true");
    Json.field(sb, "time", m.time());
    if (m.publisherId() != null) {
      Json.field(sb, "publisher", m.publisherId());
    }
    return sb.append(",\"data\":").append(m.data()).append('}').toString();
  }
}
