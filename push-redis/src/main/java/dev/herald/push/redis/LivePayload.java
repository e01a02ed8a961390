package dev.herald.push.redis;

import dev.herald.push.Message;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Reads the Pub/Sub payload that {@code publish.lua} sends: an ASCII header {@code "<epoch>
 * <offset> <time ms> <publisher length or -1> <event length> "} followed by the publisher id, the
 * event name and the data, with lengths in UTF-8 bytes. Lengths instead of separators, because data
 * and publisher ids may hold any character. Thread-safe.
 */
final class LivePayload {
  private LivePayload() {}

  /**
   * Decodes one payload.
   *
   * @throws IllegalArgumentException if the payload is malformed
   */
  static Message decode(String channel, byte[] payload) {
    int[] at = {0};
    String epoch = token(payload, at);
    long offset = Long.parseLong(token(payload, at));
    long time = Long.parseLong(token(payload, at));
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
    String data = slice(payload, pos, payload.length - pos);
    return new Message(channel, offset, epoch, event, data, Instant.ofEpochMilli(time), publisher);
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
