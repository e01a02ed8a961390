package dev.herald.push.spi;

import dev.herald.push.ErrorCode;
import dev.herald.push.JsonCodec;
import dev.herald.push.Names;
import dev.herald.push.PushException;

/**
 * A frame a client sends: parsed and checked once here for every transport that accepts client
 * frames. Immutable.
 */
public sealed interface ClientFrame {
  /** The client's correlation id, echoed in the {@code ack} or {@code error}; may be null. */
  String ref();

  /**
   * {@code {"type":"subscribe","channel":…,"since":…,"member":…,"presence":true}}; {@code since}
   * and {@code member} (compact JSON text) may be null.
   */
  record Subscribe(String channel, String since, String member, boolean presence, String ref)
      implements ClientFrame {
    /** A subscribe without presence. */
    public Subscribe(String channel, String since, String ref) {
      this(channel, since, null, false, ref);
    }

    /** The presence part of the subscribe. */
    public PresenceOptions presenceOptions() {
      return member == null && !presence
          ? PresenceOptions.NONE
          : new PresenceOptions(member, presence);
    }
  }

  /** {@code {"type":"unsubscribe","channel":…}}. */
  record Unsubscribe(String channel, String ref) implements ClientFrame {}

  /**
   * {@code {"type":"publish","channel":…,"event":…,"data":…,"ephemeral":…}}; data is compact JSON
   * text; {@code ephemeral} is null when the client did not say (the channel's default applies).
   */
  record Publish(String channel, String event, String data, Boolean ephemeral, String ref)
      implements ClientFrame {
    /** A publish that takes the channel's default. */
    public Publish(String channel, String event, String data, String ref) {
      this(channel, event, data, null, ref);
    }
  }

  /** {@code {"type":"ping"}}. */
  record Ping(String ref) implements ClientFrame {}

  /**
   * Parses a WebSocket text frame.
   *
   * @throws PushException {@link ErrorCode#BAD_JSON}, {@link ErrorCode#TOO_LARGE}, {@link
   *     ErrorCode#BAD_REQUEST} for an unknown type or a missing field, {@link
   *     ErrorCode#BAD_CHANNEL} for a bad channel name
   */
  static ClientFrame parse(JsonCodec codec, String text) {
    FrameFields f = FrameFields.read(codec, text);
    String ref = text(f, FrameFields.REF, "ref");
    String type = text(f, FrameFields.TYPE, "type");
    if (type == null) {
      throw new PushException(ErrorCode.BAD_REQUEST, "frame has no \"type\"");
    }
    switch (type) {
      case "subscribe":
        return new Subscribe(
            channel(f),
            text(f, FrameFields.SINCE, "since"),
            f.json(FrameFields.MEMBER),
            Boolean.TRUE.equals(bool(f, FrameFields.PRESENCE, "presence")),
            ref);
      case "unsubscribe":
        return new Unsubscribe(channel(f), ref);
      case "publish":
        return publish(f, ref);
      case "ping":
        return new Ping(ref);
      default:
        throw new PushException(
            ErrorCode.BAD_REQUEST,
            "unknown frame type \""
                + abbreviate(type)
                + "\"; expected subscribe, unsubscribe,"
                + " publish or ping");
    }
  }

  /**
   * Parses an HTTP publish body {@code {"channel","event","data"}}; a {@code type} field is
   * ignored.
   *
   * @throws PushException as {@link #parse}
   */
  static Publish parsePublish(JsonCodec codec, String body) {
    FrameFields f = FrameFields.read(codec, body);
    return publish(f, text(f, FrameFields.REF, "ref"));
  }

  private static Publish publish(FrameFields f, String ref) {
    String channel = channel(f);
    String event = text(f, FrameFields.EVENT, "event");
    Names.checkEvent(event == null ? "message" : event);
    String data = f.json(FrameFields.DATA);
    return new Publish(
        channel,
        event == null ? "message" : event,
        data == null ? "null" : data,
        bool(f, FrameFields.EPHEMERAL, "ephemeral"),
        ref);
  }

  private static String channel(FrameFields f) {
    Object channel = f.value(FrameFields.CHANNEL);
    if (channel == null) {
      throw new PushException(ErrorCode.BAD_CHANNEL, "frame has no \"channel\"");
    }
    if (!(channel instanceof String name)) {
      throw new PushException(ErrorCode.BAD_CHANNEL, "\"channel\" must be a string");
    }
    return Names.checkChannel(name);
  }

  /** A string field, or {@code null} if absent or JSON null. */
  private static String text(FrameFields f, int field, String name) {
    Object value = f.value(field);
    if (value != null && !(value instanceof String)) {
      throw new PushException(ErrorCode.BAD_REQUEST, "\"" + name + "\" must be a string");
    }
    return (String) value;
  }

  /** A boolean field, or {@code null} if absent or JSON null. */
  private static Boolean bool(FrameFields f, int field, String name) {
    Object value = f.value(field);
    if (value != null && !(value instanceof Boolean)) {
      throw new PushException(ErrorCode.BAD_REQUEST, "\"" + name + "\" must be true or false");
    }
    return (Boolean) value;
  }

  private static String abbreviate(String s) {
    String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() > 40 ? printable.substring(0, 40) + "…" : printable;
  }
}
