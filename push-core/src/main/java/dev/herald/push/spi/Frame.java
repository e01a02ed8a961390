package dev.herald.push.spi;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One frame ready for the wire in its connection's {@link WireFormat}: for a message, the bytes
 * shared by every subscriber plus the few bytes that carry this connection's cursor. Immutable.
 */
public final class Frame {
  /** What a frame says. */
  public enum Type {
    /** First frame of a connection: client id and cursor. */
    READY,
    /** A subscribe took effect (WebSocket only). */
    SUBSCRIBED,
    /** A channel message. */
    MESSAGE,
    /** A channel's history could not cover the client's gap; the client must reload. */
    RESET,
    /** Something the client asked for was refused. */
    ERROR,
    /** A client publish was stored. */
    ACK,
    /** The answer to a client ping. */
    PONG,
    /** Keeps an idle connection open through proxies. */
    HEARTBEAT,
    /** A channel's presence: its {@code members}, or a member's {@code join} or {@code leave}. */
    PRESENCE
  }

  private static final byte[] NONE = new byte[0];

  private final Type type;
  private final byte[] head;
  private final byte[] body;
  private final byte[] tail;
  private final String cursor;

  /**
   * Creates a frame whose bytes are {@code head + body + tail}.
   *
   * @param cursor the connection's cursor after this frame, or {@code null} if the frame does not
   *     move it
   */
  public Frame(Type type, byte[] head, byte[] body, byte[] tail, String cursor) {
    this.type = Objects.requireNonNull(type, "type");
    this.head = head == null ? NONE : head;
    this.body = Objects.requireNonNull(body, "body");
    this.tail = tail == null ? NONE : tail;
    this.cursor = cursor;
  }

  /** What the frame says. */
  public Type type() {
    return type;
  }

  /** The connection's cursor after this frame, or {@code null} if it does not carry one. */
  public String cursor() {
    return cursor;
  }

  /** The length of the frame in bytes. */
  public int size() {
    return head.length + body.length + tail.length;
  }

  /** Copies the frame into {@code dst} at {@code at}; returns the index after it. */
  public int copyTo(byte[] dst, int at) {
    System.arraycopy(head, 0, dst, at, head.length);
    at += head.length;
    System.arraycopy(body, 0, dst, at, body.length);
    at += body.length;
    System.arraycopy(tail, 0, dst, at, tail.length);
    return at + tail.length;
  }

  /** Writes the frame to a stream. */
  public void writeTo(OutputStream out) throws IOException {
    out.write(head);
    out.write(body);
    out.write(tail);
  }

  /**
   * The frame's bytes as one array that may be shared: by every sink this frame is written to and
   * by the frame itself. Callers must not modify it; {@link #toBytes()} gives a copy of one's own.
   * Costs no copy when the frame is one array (see {@link #compact()}).
   */
  public byte[] bytes() {
    return head.length == 0 && tail.length == 0 ? body : toBytes();
  }

  /**
   * This frame as one array ({@code head} and {@code tail} folded into the body), for a frame that
   * is written to many connections: {@link #bytes()} then costs nothing per write.
   */
  public Frame compact() {
    return head.length == 0 && tail.length == 0
        ? this
        : new Frame(type, null, toBytes(), null, cursor);
  }

  /** The frame as one byte array of the caller's own. */
  public byte[] toBytes() {
    byte[] all = new byte[size()];
    copyTo(all, 0);
    return all;
  }

  /** The frame as text, for text-only transports such as a WebSocket text message. */
  public String text() {
    return new String(toBytes(), StandardCharsets.UTF_8);
  }

  /** Concatenates frames into one array, for transports that send a batch in one write. */
  public static byte[] concat(java.util.List<Frame> frames) {
    int size = 0;
    for (Frame f : frames) {
      size += f.size();
    }
    byte[] all = new byte[size];
    int at = 0;
    for (Frame f : frames) {
      at = f.copyTo(all, at);
    }
    return all;
  }

  @Override
  public String toString() {
    return type + "[" + size() + " bytes]";
  }
}
