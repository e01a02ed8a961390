package dev.herald.push.client;

import dev.herald.push.Cursor;
import dev.herald.push.EphemeralMessage;
import dev.herald.push.Message;
import dev.herald.push.Position;
import java.util.Objects;

/**
 * A frame the server sent, read once at the link that received it (see {@link FrameReader}) and
 * handled by its type from then on. The kinds are those of docs/protocol.md: every transport's
 * {@code ready}, {@code message} (stored, or {@link Ephemeral}), {@code reset}, {@code error},
 * {@code heartbeat} and presence frames ({@code members}, {@code join}, {@code leave}), and the
 * WebSocket's {@code subscribed}, {@code ack} and {@code pong}. A frame whose type is known but
 * whose fields are not is {@link Malformed}; one of a type this client does not know is {@link
 * Unknown}, which the protocol allows a newer server to send. Immutable.
 *
 * <p>Java 17 has no pattern matching in {@code switch}, so each frame names its {@link Kind} and
 * handlers switch on that; a switch expression over it fails to compile when a kind is left out.
 */
sealed interface ServerFrame {
  /** The type of a frame, one per record. */
  enum Kind {
    READY,
    SUBSCRIBED,
    MESSAGE,
    EPHEMERAL,
    RESET,
    ACK,
    ERROR,
    PONG,
    HEARTBEAT,
    PRESENCE,
    MALFORMED,
    UNKNOWN
  }

  /** Which record this is. */
  Kind kind();

  /**
   * The first frame of every connection.
   *
   * @param clientId the server's id for this connection, or {@code null} if it sent none
   * @param cursor the connection's starting positions, or {@code null} if it sent none
   */
  record Ready(String clientId, Cursor cursor) implements ServerFrame {
    @Override
    public Kind kind() {
      return Kind.READY;
    }
  }

  /**
   * A WebSocket {@code subscribe} was accepted; the channel starts at {@code position}.
   *
   * @param channel the channel
   * @param position where its messages start
   */
  record Subscribed(String channel, Position position) implements ServerFrame {
    /** Both are required. */
    public Subscribed {
      Objects.requireNonNull(channel, "channel");
      Objects.requireNonNull(position, "position");
    }

    @Override
    public Kind kind() {
      return Kind.SUBSCRIBED;
    }
  }

  /**
   * A channel message. Named for its frame so as not to hide {@link Message}.
   *
   * @param message the message, its {@code data} the exact JSON text the server sent
   */
  record MessageFrame(Message message) implements ServerFrame {
    /** The message is required. */
    public MessageFrame {
      Objects.requireNonNull(message, "message");
    }

    @Override
    public Kind kind() {
      return Kind.MESSAGE;
    }
  }

  /**
   * An ephemeral channel message ({@code "ephemeral":true}): delivered live, without offset, epoch
   * or cursor, so it never moves a channel's position nor takes part in the duplicate check.
   *
   * @param message the message, its {@code data} the exact JSON text the server sent
   */
  record Ephemeral(EphemeralMessage message) implements ServerFrame {
    /** The message is required. */
    public Ephemeral {
      Objects.requireNonNull(message, "message");
    }

    @Override
    public Kind kind() {
      return Kind.EPHEMERAL;
    }
  }

  /**
   * The history could not cover a gap: the channel continues from {@code position}.
   *
   * @param channel the channel
   * @param position where it continues
   */
  record Reset(String channel, Position position) implements ServerFrame {
    /** Both are required. */
    public Reset {
      Objects.requireNonNull(channel, "channel");
      Objects.requireNonNull(position, "position");
    }

    @Override
    public Kind kind() {
      return Kind.RESET;
    }
  }

  /**
   * A WebSocket publish was stored, or delivered as an ephemeral message.
   *
   * @param ref the {@code ref} of the publish it answers, or {@code null}
   * @param ack what the server stored
   */
  record AckFrame(String ref, Ack ack) implements ServerFrame {
    /** The acknowledgement is required. */
    public AckFrame {
      Objects.requireNonNull(ack, "ack");
    }

    @Override
    public Kind kind() {
      return Kind.ACK;
    }
  }

  /**
   * Something was refused, or the server ends the stream.
   *
   * @param code the server's code, or {@code null} if it sent none
   * @param message the server's explanation, or {@code null}
   * @param ref the {@code ref} of the client frame it answers, or {@code null}
   * @param retry the server's reconnect-delay hint in milliseconds ({@code retry}, sent with {@code
   *     server_restart}, {@code unavailable} and a refused connection's {@code rate_limited}), or
   *     {@code null} if it sent none
   */
  record ErrorFrame(String code, String message, String ref, Long retry) implements ServerFrame {
    /** An error frame without a reconnect hint. */
    ErrorFrame(String code, String message, String ref) {
      this(code, message, ref, null);
    }

    @Override
    public Kind kind() {
      return Kind.ERROR;
    }

    /**
     * Whether the server ends the connection to have the client come back soon ({@code
     * server_restart}: a draining node; {@code unavailable}: busy or without its broker; {@code
     * rate_limited} with a {@code retry}: the client's address is over the connection limits),
     * which says nothing against the transport. A {@code rate_limited} without {@code retry}
     * refuses a frame over the rate, not the connection.
     */
    boolean isTransient() {
      return RetryHint.SERVER_RESTART.equals(code)
          || RetryHint.UNAVAILABLE.equals(code)
          || (RetryHint.RATE_LIMITED.equals(code) && retry != null);
    }

    /**
     * The failure this frame describes, as the application sees it.
     *
     * @param status the HTTP status it came with, or {@code 0}
     * @param channel the channel concerned, or {@code null}
     */
    HeraldException toException(int status, String channel) {
      return new HeraldException(
          code == null ? (status == 0 ? "unknown" : "http_" + status) : code,
          message == null ? "the server reported an error" : message,
          status,
          channel,
          null);
    }
  }

  /** The answer to a WebSocket {@code ping}. */
  record Pong() implements ServerFrame {
    @Override
    public Kind kind() {
      return Kind.PONG;
    }
  }

  /** Keeps an idle NDJSON stream open. */
  record Heartbeat() implements ServerFrame {
    @Override
    public Kind kind() {
      return Kind.HEARTBEAT;
    }
  }

  /**
   * A presence frame of a channel: the {@code members} snapshot, a {@code join} or a {@code leave}.
   * Sent only to connections that asked for the channel's presence, which this client does not do
   * yet; recognised so that a server sending them anyway is not taken for a newer protocol, and
   * ignored.
   *
   * @param type {@code members}, {@code join} or {@code leave}
   * @param channel the channel
   */
  record Presence(String type, String channel) implements ServerFrame {
    /** Both are required. */
    public Presence {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(channel, "channel");
    }

    @Override
    public Kind kind() {
      return Kind.PRESENCE;
    }
  }

  /**
   * A JSON object with a known {@code type} whose fields are missing or malformed. The connection
   * carries on; the application hears of it.
   *
   * @param type the frame's {@code type}
   * @param problem what is wrong, with code {@code protocol}
   */
  record Malformed(String type, HeraldException problem) implements ServerFrame {
    /** Both are required. */
    public Malformed {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(problem, "problem");
    }

    @Override
    public Kind kind() {
      return Kind.MALFORMED;
    }
  }

  /**
   * A frame of a type this client does not know; ignored.
   *
   * @param type its {@code type}
   */
  record Unknown(String type) implements ServerFrame {
    /** The type is required. */
    public Unknown {
      Objects.requireNonNull(type, "type");
    }

    @Override
    public Kind kind() {
      return Kind.UNKNOWN;
    }
  }
}
