package dev.herald.push.websocket;

import dev.herald.push.spi.CloseReason;
import jakarta.websocket.CloseReason.CloseCode;
import jakarta.websocket.CloseReason.CloseCodes;

/**
 * The reasons this transport closes sockets for, besides the hub's own, and the WebSocket close
 * code each becomes. The close frame's reason phrase is the reason's code, such as {@code
 * slow_consumer}, so clients can act on it. Immutable.
 */
final class SocketCloseReasons {
  /** The client sent frames faster than its rate limit for too long. */
  static final CloseReason RATE_LIMITED =
      new CloseReason("rate_limited", "the client sent frames too fast");

  /** The peer sent nothing, not even a pong, for the idle timeout. */
  static final CloseReason IDLE_TIMEOUT =
      new CloseReason("idle_timeout", "no frame or pong from the client within the idle timeout");

  /** The client sent a binary frame; the protocol is JSON text. */
  static final CloseReason BINARY_FRAME =
      new CloseReason("binary_frame", "binary frames are not accepted; send JSON text frames");

  /** The client sent a frame over the size limit. */
  static final CloseReason TOO_LARGE =
      new CloseReason("too_large", "the frame is larger than the limit");

  private SocketCloseReasons() {}

  /**
   * The code for a client that read too slowly. It is an application code rather than 1008 so that
   * clients can tell it from abuse, and because containers (Jetty) drop the TCP connection right
   * after a close frame with a protocol-error code, without the closing handshake, so a client
   * still answering pings would lose the frame that says why; after an application code they wait
   * for the client's reply.
   */
  static final CloseCode SLOW_CONSUMER_CODE = () -> 4000;

  /** The close code for a reason: the WebSocket meaning closest to it. */
  static CloseCode closeCode(CloseReason reason) {
    return switch (reason.code()) {
      case "server_shutdown", "idle_timeout" -> CloseCodes.GOING_AWAY;
      case "slow_consumer" -> SLOW_CONSUMER_CODE;
      case "rate_limited" -> CloseCodes.VIOLATED_POLICY;
      case "binary_frame" -> CloseCodes.CANNOT_ACCEPT;
      case "too_large" -> CloseCodes.TOO_BIG;
      case "unavailable" -> CloseCodes.TRY_AGAIN_LATER;
      case "server_restart" -> CloseCodes.SERVICE_RESTART;
      case "client_gone", "completed" -> CloseCodes.NORMAL_CLOSURE;
      default -> CloseCodes.UNEXPECTED_CONDITION;
    };
  }

  /**
   * The {@code error} frame sent before the close frame when the reason carries a reconnect hint:
   * {@code {"type":"error","code":…,"message":…,"retry":…}}, since a close frame's phrase has room
   * for the code only.
   */
  static String notice(CloseReason reason) {
    StringBuilder sb = new StringBuilder(128);
    sb.append("{\"type\":\"error\",\"code\":");
    quote(sb, reason.code());
    sb.append(",\"message\":");
    quote(sb, reason.message());
    return sb.append(",\"retry\":").append(reason.retryMillis()).append('}').toString();
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    sb.append('"');
  }

  /** The close frame for a reason; its phrase is the reason's code, cut to fit a close frame. */
  static jakarta.websocket.CloseReason toWebSocket(CloseReason reason) {
    String phrase = reason.code();
    if (phrase.length() > 120) {
      phrase = phrase.substring(0, 120);
    }
    return new jakarta.websocket.CloseReason(closeCode(reason), phrase);
  }
}
