package dev.herald.push;

import dev.herald.push.spi.Frame;
import dev.herald.push.spi.WireFormat;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A message with its wire bytes, computed at most once per format and shared by every connection
 * that receives it. Thread-safe: a race computes the same bytes twice, harmlessly.
 *
 * <p>Most connections hold one channel, and the cursor of a connection whose only channel is this
 * message's channel is the same after this message for every one of them. So for those the whole
 * frame, cursor included, is built once per format ({@link #soleChannelFrame}) and the same {@link
 * Frame} object is queued to each: no cursor, string or byte array is made per subscriber.
 */
final class EncodedMessage {
  private static final WireFormat[] FORMATS = WireFormat.values();

  final Message message;
  private volatile byte[] json;
  private volatile byte[] sse;
  private volatile Position position;
  private volatile Cursor soleCursor;
  private volatile String soleCursorText;
  // One per WireFormat, by ordinal; each slot written once (a race builds an equal frame twice).
  private final AtomicReferenceArray<Frame> soleFrames = new AtomicReferenceArray<>(FORMATS.length);

  EncodedMessage(Message message) {
    this.message = message;
  }

  /** The message's position; made once, shared by the subscriptions it moves. */
  Position position() {
    Position p = position;
    if (p == null) {
      position = p = message.position();
    }
    return p;
  }

  /** The cursor of a connection whose one channel is this message's, after this message. */
  Cursor soleCursor() {
    Cursor c = soleCursor;
    if (c == null) {
      soleCursor = c = Cursor.empty().with(message.channel(), position());
    }
    return c;
  }

  /**
   * The frame of this message for a connection whose one channel is this message's: shared by all
   * of them, since its cursor is the same ({@link #soleCursor}).
   */
  Frame soleChannelFrame(WireFormat format) {
    Frame f = soleFrames.get(format.ordinal());
    if (f == null) {
      String cursor = soleCursorText;
      if (cursor == null) {
        soleCursorText = cursor = soleCursor().encode();
      }
      f = FrameEncoder.message(format, this, cursor).compact();
      soleFrames.set(format.ordinal(), f);
    }
    return f;
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

  /**
   * Built for each format that needs it (at most twice) rather than kept: it would double the size.
   */
  private String frameText() {
    return buildFrameText();
  }

  private String buildFrameText() {
    Message m = message;
    StringBuilder sb = new StringBuilder(160 + m.data().length());
    sb.append("{\"type\":\"message\"");
    Json.field(sb, "channel", m.channel());
    Json.field(sb, "event", m.event());
    Json.field(sb, "offset", m.offset());
    Json.field(sb, "epoch", m.epoch());
    Json.field(sb, "time", m.time());
    if (m.publisherId() != null) {
      Json.field(sb, "publisher", m.publisherId());
    }
    return sb.append(",\"data\":").append(m.data()).toString();
  }
}
