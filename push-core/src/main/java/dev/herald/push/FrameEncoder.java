package dev.herald.push;

import dev.herald.push.spi.Frame;
import dev.herald.push.spi.WireFormat;
import java.nio.charset.StandardCharsets;

/** Builds frames in each wire format. Thread-safe. */
final class FrameEncoder {
  private static final byte[] SSE_HEARTBEAT = ": hb\n\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] NDJSON_HEARTBEAT =
      "{\"type\":\"heartbeat\"}\n".getBytes(StandardCharsets.UTF_8);

  private FrameEncoder() {}

  static Frame message(WireFormat format, EncodedMessage em, String cursor) {
    if (format == WireFormat.SSE) {
      return new Frame(Frame.Type.MESSAGE, sseId(cursor), em.sseBody(), null, cursor);
    }
    String tail = ",\"cursor\":\"" + cursor + (format == WireFormat.NDJSON ? "\"}\n" : "\"}");
    return new Frame(
        Frame.Type.MESSAGE, null, em.jsonBody(), tail.getBytes(StandardCharsets.US_ASCII), cursor);
  }

  static Frame ready(WireFormat format, String clientId, String cursor) {
    StringBuilder sb = new StringBuilder("{\"type\":\"ready\"");
    Json.field(sb, "clientId", clientId);
    Json.field(sb, "cursor", cursor);
    return control(format, Frame.Type.READY, sb.append('}').toString(), cursor);
  }

  static Frame subscribed(WireFormat format, String channel, Position position, String cursor) {
    StringBuilder sb = new StringBuilder("{\"type\":\"subscribed\"");
    Json.field(sb, "channel", channel);
    Json.field(sb, "epoch", position.epoch());
    Json.field(sb, "offset", position.offset());
    Json.field(sb, "cursor", cursor);
    return control(format, Frame.Type.SUBSCRIBED, sb.append('}').toString(), cursor);
  }

  static Frame reset(WireFormat format, String channel, Position position, String cursor) {
    StringBuilder sb = new StringBuilder("{\"type\":\"reset\"");
    Json.field(sb, "channel", channel);
    Json.field(sb, "epoch", position.epoch());
    Json.field(sb, "offset", position.offset());
    Json.field(sb, "cursor", cursor);
    return control(format, Frame.Type.RESET, sb.append('}').toString(), cursor);
  }

  static Frame error(WireFormat format, PushException error, String ref) {
    StringBuilder sb = new StringBuilder("{\"type\":\"error\"");
    Json.field(sb, "code", error.code().wireName());
    Json.field(sb, "message", error.getMessage() == null ? "" : error.getMessage());
    if (ref != null) {
      Json.field(sb, "ref", ref);
    }
    return control(format, Frame.Type.ERROR, sb.append('}').toString(), null);
  }

  static Frame ack(WireFormat format, String ref, Publication published) {
    StringBuilder sb = new StringBuilder("{\"type\":\"ack\"");
    if (ref != null) {
      Json.field(sb, "ref", ref);
    }
    Json.field(sb, "channel", published.channel());
    if (published instanceof Message message) {
      Json.field(sb, "offset", message.offset());
      Json.field(sb, "epoch", message.epoch());
    } else {
      sb.append(",\"ephemeral\":true");
    }
    return control(format, Frame.Type.ACK, sb.append('}').toString(), null);
  }

  /** The {@code members} snapshot of a channel's presence. */
  static Frame members(WireFormat format, String channel, java.util.List<Member> members) {
    StringBuilder sb = new StringBuilder(64 + 96 * members.size());
    sb.append("{\"type\":\"members\"");
    Json.field(sb, "channel", channel);
    sb.append(",\"members\":[");
    for (int i = 0; i < members.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      member(sb, members.get(i));
    }
    return presenceFrame(format, "members", sb.append("]}").toString());
  }

  /** A {@code join} or {@code leave} frame. */
  static Frame presence(WireFormat format, PresenceEvent event) {
    String type = event.kind() == PresenceEvent.Kind.JOIN ? "join" : "leave";
    StringBuilder sb = new StringBuilder(128);
    sb.append("{\"type\":\"").append(type).append('"');
    Json.field(sb, "channel", event.channel());
    sb.append(",\"member\":");
    member(sb, event.member());
    return presenceFrame(format, type, sb.append('}').toString());
  }

  /** A member as JSON: {@code {"clientId","user","since","data"}}, without absent fields. */
  static void member(StringBuilder sb, Member m) {
    sb.append("{\"clientId\":");
    Json.string(sb, m.clientId());
    if (m.user() != null) {
      Json.field(sb, "user", m.user());
    }
    Json.field(sb, "since", m.since());
    if (m.data() != null) {
      sb.append(",\"data\":").append(m.data());
    }
    sb.append('}');
  }

  private static Frame presenceFrame(WireFormat format, String name, String json) {
    String text =
        switch (format) {
          case SSE -> "event: " + name + "\n" + sseData(null, json);
          case NDJSON -> json + "\n";
          default -> json;
        };
    return new Frame(Frame.Type.PRESENCE, null, text.getBytes(StandardCharsets.UTF_8), null, null);
  }

  static Frame pong(WireFormat format) {
    return control(format, Frame.Type.PONG, "{\"type\":\"pong\"}", null);
  }

  static Frame heartbeat(WireFormat format) {
    byte[] body =
        switch (format) {
          case SSE -> SSE_HEARTBEAT;
          case NDJSON -> NDJSON_HEARTBEAT;
          default -> "{\"type\":\"heartbeat\"}".getBytes(StandardCharsets.UTF_8);
        };
    return new Frame(Frame.Type.HEARTBEAT, null, body, null, null);
  }

  private static Frame control(WireFormat format, Frame.Type type, String json, String cursor) {
    String text =
        switch (format) {
          case SSE ->
              "event: "
                  + type.name().toLowerCase(java.util.Locale.ROOT)
                  + "\n"
                  + (cursor == null ? "" : "id: " + cursor + "\n")
                  + sseData(null, json);
          case NDJSON -> json + "\n";
          default -> json;
        };
    return new Frame(type, null, text.getBytes(StandardCharsets.UTF_8), null, cursor);
  }

  /**
   * The {@code data:} lines of an SSE event, ended by the blank line. The text is split on CR, LF
   * and CRLF, as an SSE parser splits lines, so that the parser rebuilds it exactly (joined by LF).
   * Herald's own frames are compact JSON and never hold a raw line break.
   */
  static String sseData(StringBuilder into, String text) {
    StringBuilder sb = into == null ? new StringBuilder(text.length() + 16) : into;
    sb.append("data: ");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\r') {
        if (i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
        sb.append("\ndata: ");
      } else if (c == '\n') {
        sb.append("\ndata: ");
      } else {
        sb.append(c);
      }
    }
    return sb.append("\n\n").toString();
  }

  private static byte[] sseId(String cursor) {
    byte[] id = new byte[cursor.length() + 5];
    id[0] = 'i';
    id[1] = 'd';
    id[2] = ':';
    id[3] = ' ';
    for (int i = 0; i < cursor.length(); i++) {
      id[4 + i] = (byte) cursor.charAt(i);
    }
    id[id.length - 1] = '\n';
    return id;
  }
}
