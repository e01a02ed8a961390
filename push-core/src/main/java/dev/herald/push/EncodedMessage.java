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
      f =
          format == WireFormat.SSE
              ? new Frame(Frame.Type.MESSAGE, null, sseEvent(cursor), null, cursor)
              : FrameEncoder.message(format, this, cursor).compact();
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
      sse = bytes = sseEvent(null);
    }
    return bytes;
  }

  /**
   * The whole SSE event: {@code id: cursor} (unless {@code cursor} is {@code null}), then the
   * {@code data:} line, built in one pass. Only the application's data can hold a raw line break
   * (names are checked, Herald's strings escaped); data that does is split into several {@code
   * data:} lines as {@link FrameEncoder#sseData} does.
   */
  private byte[] sseEvent(String cursor) {
    String data = message.data();
    if (data.indexOf('\n') >= 0 || data.indexOf('\r') >= 0) {
      String event = FrameEncoder.sseData(null, frameText() + "}");
      return (cursor == null ? event : "id: " + cursor + "\n" + event)
          .getBytes(StandardCharsets.UTF_8);
    }
    StringBuilder sb =
        new StringBuilder(192 + (cursor == null ? 0 : cursor.length()) + data.length());
    if (cursor != null) {
      sb.append("id: ").append(cursor).append('\n');
    }
    appendFrameText(sb.append("data: "));
    return sb.append("}\n\n").toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Built for each format that needs it (at most twice) rather than kept: it would double the size.
   */
  private String frameText() {
    return appendFrameText(new StringBuilder(160 + message.data().length())).toString();
  }

  /** Appends {@code {"type":"message",…,"data":…}} without its closing brace. */
  private StringBuilder appendFrameText(StringBuilder sb) {
    Message m = message;
    sb.append("{\"type\":\"message\"");
    Json.field(sb, "channel", m.channel());
    Json.field(sb, "event", m.event());
    Json.field(sb, "offset", m.offset());
    Json.field(sb, "epoch", m.epoch());
    Json.field(sb, "time", m.time());
    if (m.publisherId() != null) {
      Json.field(sb, "publisher", m.publisherId());
    }
    return sb.append(",\"data\":").append(m.data());
  }
}
