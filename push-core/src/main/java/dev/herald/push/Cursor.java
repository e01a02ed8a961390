package dev.herald.push;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * The positions of all channels of one connection, carried by the client as one opaque, URL-safe
 * string. A client that reconnects with its cursor resumes every channel exactly where it left off.
 * Immutable.
 *
 * <p>The string holds, per channel, a 32-bit hash of the channel name, the epoch and the offset,
 * and ends in a checksum, so a cursor stays short however long its channel names are, and a
 * truncated or edited cursor is refused rather than silently misread. If two channels of one
 * connection ever hash alike, the epochs differ and the client gets {@code reset}, never a gap.
 */
public final class Cursor {
  /** The longest cursor string accepted by {@link #decode}. */
  public static final int MAX_ENCODED_LENGTH = 8192;

  private static final String VERSION = "1";
  private static final Cursor EMPTY = new Cursor(Collections.emptyMap());

  private final Map<Integer, Position> positions;

  private Cursor(Map<Integer, Position> positions) {
    this.positions = positions;
  }

  /** A cursor with no positions. */
  public static Cursor empty() {
    return EMPTY;
  }

  /**
   * Parses a cursor string made by {@link #encode()}.
   *
   * @throws PushException with {@link ErrorCode#BAD_CURSOR} if the string is malformed, too long or
   *     fails its checksum
   */
  public static Cursor decode(String encoded) {
    if (encoded == null || encoded.isEmpty()) {
      throw bad("cursor is empty");
    }
    if (encoded.length() > MAX_ENCODED_LENGTH) {
      throw bad("cursor is longer than " + MAX_ENCODED_LENGTH + " characters");
    }
    int sumAt = encoded.lastIndexOf('~');
    if (sumAt < 0 || !encoded.startsWith(VERSION + "~")) {
      throw bad("cursor is malformed");
    }
    String body = encoded.substring(0, sumAt);
    long sum = parseBase36(encoded.substring(sumAt + 1), "checksum");
    if (sum != checksum(body)) {
      throw bad("cursor checksum does not match: it was truncated or edited");
    }
    if (!body.startsWith(VERSION)) {
      throw bad("cursor version is unknown");
    }
    Map<Integer, Position> map = new TreeMap<>();
    if (body.length() > VERSION.length()) {
      String[] entries = body.substring(VERSION.length() + 1).split("~", -1);
      for (String entry : entries) {
        String[] parts = entry.split("\\.", -1);
        if (parts.length != 3) {
          throw bad("cursor entry is malformed");
        }
        int hash = (int) parseBase36(parts[0], "channel hash");
        Position position;
        try {
          position = new Position(parts[1], parseBase36(parts[2], "offset"));
        } catch (IllegalArgumentException e) {
          throw bad("cursor entry is malformed");
        }
        if (map.put(hash, position) != null) {
          throw bad("cursor names a channel twice");
        }
      }
    }
    return map.isEmpty() ? EMPTY : new Cursor(Collections.unmodifiableMap(map));
  }

  /** This cursor's position for the channel, or {@code null} if it has none. */
  public Position position(String channel) {
    return positions.get(hash(channel));
  }

  /** A cursor like this one with the channel at the given position. */
  public Cursor with(String channel, Position position) {
    Objects.requireNonNull(position, "position");
    int key = hash(Names.checkChannel(channel));
    if (positions.isEmpty() || positions.size() == 1 && positions.containsKey(key)) {
      // The common case on the per-message path: a connection with one channel.
      return new Cursor(Map.of(key, position));
    }
    Map<Integer, Position> map = new TreeMap<>(positions);
    map.put(key, position);
    return new Cursor(Collections.unmodifiableMap(map));
  }

  /** A cursor like this one without the channel. */
  public Cursor without(String channel) {
    Map<Integer, Position> map = new TreeMap<>(positions);
    map.remove(hash(channel));
    return map.isEmpty() ? EMPTY : new Cursor(Collections.unmodifiableMap(map));
  }

  /** How many channel positions this cursor holds. */
  public int size() {
    return positions.size();
  }

  /** The URL-safe string form: only {@code A-Z a-z 0-9 - _ . ~}. */
  public String encode() {
    StringBuilder sb = new StringBuilder(VERSION);
    for (Map.Entry<Integer, Position> e : positions.entrySet()) {
      appendEntry(sb, e.getKey(), e.getValue());
    }
    return seal(sb);
  }

  /**
   * The string form of a cursor with these channel positions, in any order: the same as {@code
   * encode()} of a cursor built from them, without building one. Used on the per-message path.
   */
  public static String encode(Map<String, Position> byChannel) {
    Map<Integer, Position> sorted = new TreeMap<>();
    byChannel.forEach((channel, position) -> sorted.put(hash(channel), position));
    return new Cursor(sorted).encode();
  }

  /** The hash a cursor keys a channel by. */
  public static int hash(String channel) {
    // FNV-1a over UTF-16 code units: stable across JVMs and cheap.
    int h = 0x811c9dc5;
    for (int i = 0; i < channel.length(); i++) {
      h ^= channel.charAt(i);
      h *= 0x01000193;
    }
    return h;
  }

  private static void appendEntry(StringBuilder sb, int hash, Position p) {
    sb.append('~')
        .append(Long.toString(Integer.toUnsignedLong(hash), 36))
        .append('.')
        .append(p.epoch())
        .append('.')
        .append(Long.toString(p.offset(), 36));
  }

  private static String seal(StringBuilder body) {
    long sum = checksum(body);
    return body.append('~').append(Long.toString(sum, 36)).toString();
  }

  private static long checksum(CharSequence body) {
    // As US-ASCII encoding would, without the copies: anything else becomes '?'.
    byte[] bytes = new byte[body.length()];
    for (int i = 0; i < bytes.length; i++) {
      char c = body.charAt(i);
      bytes[i] = c < 0x80 ? (byte) c : (byte) '?';
    }
    CRC32 crc = new CRC32();
    crc.update(bytes);
    return crc.getValue();
  }

  private static long parseBase36(String s, String what) {
    if (s.isEmpty() || s.length() > 13) {
      throw bad("cursor " + what + " is malformed");
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'z')) {
        throw bad("cursor " + what + " is malformed");
      }
    }
    try {
      return Long.parseLong(s, 36);
    } catch (NumberFormatException e) {
      throw bad("cursor " + what + " is out of range");
    }
  }

  private static PushException bad(String message) {
    return new PushException(ErrorCode.BAD_CURSOR, message);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cursor other && positions.equals(other.positions);
  }

  @Override
  public int hashCode() {
    return positions.hashCode();
  }

  @Override
  public String toString() {
    return encode();
  }
}
