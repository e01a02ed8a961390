package dev.herald.push.redis;

import dev.herald.push.EphemeralMessage;
import dev.herald.push.Member;
import dev.herald.push.Message;
import dev.herald.push.PresenceEvent;
import dev.herald.push.spi.BrokerListener;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Reads and writes what goes over a channel's Pub/Sub channel. A stored message, as {@code
 * publish.lua} sends it: an ASCII header {@code "<epoch> <offset> <time ms> <publisher length or
 * -1> <event length> "} followed by the publisher id, the event name and the data, with lengths in
 * UTF-8 bytes. Lengths instead of separators, because data and publisher ids may hold any
 * character. Two more kinds start with {@code !}, which no epoch does:
 *
 * <ul>
 *   <li>an ephemeral message, {@code "!e <time ms> <publisher length or -1> <event length> "} then
 *       the publisher id, the event name and the data;
 *   <li>a presence change, {@code "!j "} (join) or {@code "!l "} (leave) then {@code "<since ms>
 *       <client id length> <user length or -1> <data length or -1> "} and the client id, the user
 *       and the member's data.
 * </ul>
 *
 * <p>Thread-safe.
 */
final class LivePayload {
  private LivePayload() {}

  /**
   * Decodes one payload: a {@link Message}, an {@link EphemeralMessage} or a {@link PresenceEvent}.
   *
   * @throws IllegalArgumentException if the payload is malformed
   */
  static Object decodeAny(String channel, byte[] payload) {
    if (payload.length > 1 && payload[0] == '!') {
      int[] at = {0};
      String kind = token(payload, at);
      switch (kind) {
        case "!e" -> {
          long time = Long.parseLong(token(payload, at));
          String[] body = body(payload, at);
          return new EphemeralMessage(
              channel, body[1], body[2], Instant.ofEpochMilli(time), body[0]);
        }
        case "!j", "!l" -> {
          long since = Long.parseLong(token(payload, at));
          int idLength = Integer.parseInt(token(payload, at));
          int userLength = Integer.parseInt(token(payload, at));
          int dataLength = Integer.parseInt(token(payload, at));
          int pos = at[0];
          String clientId = slice(payload, pos, idLength);
          pos += idLength;
          String user = null;
          if (userLength >= 0) {
            user = slice(payload, pos, userLength);
            pos += userLength;
          }
          String data = dataLength >= 0 ? slice(payload, pos, dataLength) : null;
          return new PresenceEvent(
              channel,
              kind.equals("!j") ? PresenceEvent.Kind.JOIN : PresenceEvent.Kind.LEAVE,
              new Member(clientId, user, Instant.ofEpochMilli(since), data));
        }
        default -> throw new IllegalArgumentException("unknown live payload kind " + kind);
      }
    }
    return decode(channel, payload);
  }

  /** Hands what {@link #decodeAny} read to the listener's method for its kind. */
  static void deliver(Object decoded, BrokerListener listener) {
    if (decoded instanceof Message message) {
      listener.onMessage(message);
    } else if (decoded instanceof EphemeralMessage ephemeral) {
      listener.onEphemeral(ephemeral);
    } else {
      listener.onPresence((PresenceEvent) decoded);
    }
  }

  /** An ephemeral message's payload. */
  static String encode(EphemeralMessage m) {
    return "!e "
        + m.time().toEpochMilli()
        + " "
        + (m.publisherId() == null ? -1 : utf8Length(m.publisherId()))
        + " "
        + utf8Length(m.event())
        + " "
        + (m.publisherId() == null ? "" : m.publisherId())
        + m.event()
        + m.data();
  }

  /** A presence change's payload. */
  static String encode(PresenceEvent e) {
    Member m = e.member();
    return (e.kind() == PresenceEvent.Kind.JOIN ? "!j " : "!l ")
        + m.since().toEpochMilli()
        + " "
        + utf8Length(m.clientId())
        + " "
        + (m.user() == null ? -1 : utf8Length(m.user()))
        + " "
        + (m.data() == null ? -1 : utf8Length(m.data()))
        + " "
        + m.clientId()
        + (m.user() == null ? "" : m.user())
        + (m.data() == null ? "" : m.data());
  }

  static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /**
   * Decodes a stored message's payload.
   *
   * @throws IllegalArgumentException if the payload is malformed
   */
  static Message decode(String channel, byte[] payload) {
    int[] at = {0};
    String epoch = token(payload, at);
    long offset = Long.parseLong(token(payload, at));
    long time = Long.parseLong(token(payload, at));
    String[] body = body(payload, at);
    return new Message(
        channel, offset, epoch, body[1], body[2], Instant.ofEpochMilli(time), body[0]);
  }

  /**
   * Reads {@code "<publisher length or -1> <event length> "} at {@code at}, then the publisher id,
   * the event name and the data that fill the rest: {@code {publisher or null, event, data}}.
   */
  private static String[] body(byte[] payload, int[] at) {
    int publisherLength = Integer.parseInt(token(payload, at));
    int eventLength = Integer.parseInt(token(payload, at));
    int pos = at[0];
    String publisher = null;
    if (publisherLength >= 0) {
      publisher = slice(payload, pos, publisherLength);
      pos += publisherLength;
    }
    String event = slice(payload, pos, eventLength);
    pos += eventLength;
    return new String[] {publisher, event, slice(payload, pos, payload.length - pos)};
  }

  /** Encodes a payload as the script does; for tests. */
  static byte[] encode(Message m) {
    byte[] publisher =
        m.publisherId() == null ? new byte[0] : m.publisherId().getBytes(StandardCharsets.UTF_8);
    byte[] event = m.event().getBytes(StandardCharsets.UTF_8);
    String header =
        m.epoch()
            + " "
            + m.offset()
            + " "
            + m.time().toEpochMilli()
            + " "
            + (m.publisherId() == null ? -1 : publisher.length)
            + " "
            + event.length
            + " ";
    byte[] head = header.getBytes(StandardCharsets.US_ASCII);
    byte[] data = m.data().getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[head.length + publisher.length + event.length + data.length];
    int at = 0;
    for (byte[] part : new byte[][] {head, publisher, event, data}) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }

  private static String token(byte[] payload, int[] at) {
    int start = at[0];
    int i = start;
    while (i < payload.length && payload[i] != ' ') {
      i++;
    }
    if (i >= payload.length || i == start) {
      throw new IllegalArgumentException("malformed live message header");
    }
    at[0] = i + 1;
    return new String(payload, start, i - start, StandardCharsets.US_ASCII);
  }

  private static String slice(byte[] payload, int from, int length) {
    if (length < 0 || from + length > payload.length) {
      throw new IllegalArgumentException("malformed live message body");
    }
    return new String(payload, from, length, StandardCharsets.UTF_8);
  }
}
