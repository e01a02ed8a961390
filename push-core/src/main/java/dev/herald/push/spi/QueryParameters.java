package dev.herald.push.spi;

import dev.herald.push.ErrorCode;
import dev.herald.push.PushException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters of a request's raw query string, decoded strictly, so that every transport on
 * every container reads the same values and refuses the same malformed ones. Containers differ
 * here: one drops a parameter it cannot decode (and the request is then served as if it were
 * absent), another keeps the bad text; a transport that reads its parameters through this class
 * does neither.
 *
 * <p>The query string is split at {@code &}; each part at its first {@code =} into a name and a
 * value (a part without {@code =} has the value {@code ""}; empty parts are skipped). Names and
 * values are decoded as {@code application/x-www-form-urlencoded}: {@code +} is a space and {@code
 * %XX} an escaped byte, and the bytes are UTF-8. A {@code %} not followed by two hex digits,
 * escaped bytes that are not UTF-8, or a character that is not visible ASCII (which a URI must
 * percent-encode, and which reaches the application only as some container decoded it) make the
 * whole query string malformed, whichever parameter holds them.
 *
 * <pre>{@code
 * QueryParameters query = QueryParameters.parse(request.getQueryString());
 * List<String> channels = query.all("channel");   // repeated parameters, in order
 * String since = query.first("since");             // or null
 * }</pre>
 *
 * <p>Immutable; thread-safe.
 */
public final class QueryParameters {
  private static final QueryParameters EMPTY = new QueryParameters(Map.of());

  private final Map<String, List<String>> values;

  private QueryParameters(Map<String, List<String>> values) {
    this.values = values;
  }

  /**
   * Decodes a raw query string as the request carried it, such as {@code
   * channel=chat%2Flobby&since=1~abc}.
   *
   * @param rawQuery the query string without the {@code ?}, still percent-encoded; {@code null} or
   *     empty for none
   * @return the parameters
   * @throws PushException if the query string is malformed, naming the parameter and what is wrong
   *     with it: {@link ErrorCode#BAD_CURSOR} for {@code since}, {@link ErrorCode#BAD_CHANNEL} for
   *     {@code channel} and {@link ErrorCode#BAD_REQUEST} for any other parameter or a name that
   *     cannot be decoded
   */
  public static QueryParameters parse(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return EMPTY;
    }
    Map<String, List<String>> values = new LinkedHashMap<>();
    int start = 0;
    while (start <= rawQuery.length()) {
      int end = rawQuery.indexOf('&', start);
      if (end < 0) {
        end = rawQuery.length();
      }
      if (end > start) {
        String part = rawQuery.substring(start, end);
        int eq = part.indexOf('=');
        String rawName = eq < 0 ? part : part.substring(0, eq);
        String name = decode(rawName);
        if (name == null) {
          throw new PushException(
              ErrorCode.BAD_REQUEST,
              "the query string is malformed: the parameter name \""
                  + printable(rawName)
                  + "\" is not percent-encoded UTF-8");
        }
        String value = "";
        if (eq >= 0) {
          String rawValue = part.substring(eq + 1);
          value = decode(rawValue);
          if (value == null) {
            throw malformed(name, rawValue);
          }
        }
        values.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
      }
      start = end + 1;
    }
    values.replaceAll((name, list) -> List.copyOf(list));
    return new QueryParameters(values);
  }

  /** The first value of the parameter, or {@code null} if the query string does not name it. */
  public String first(String name) {
    List<String> list = values.get(name);
    return list == null ? null : list.get(0);
  }

  /**
   * Every value of the parameter in the order given; empty if the query string does not name it.
   */
  public List<String> all(String name) {
    return values.getOrDefault(name, List.of());
  }

  @Override
  public String toString() {
    // Values may be tokens: names only.
    return "QueryParameters" + values.keySet();
  }

  private static PushException malformed(String name, String rawValue) {
    ErrorCode code =
        switch (name) {
          case "since" -> ErrorCode.BAD_CURSOR;
          case "channel" -> ErrorCode.BAD_CHANNEL;
          default -> ErrorCode.BAD_REQUEST;
        };
    // The value itself is not echoed: it may be a token.
    return new PushException(
        code, "the query parameter \"" + printable(name) + "\" is malformed: " + problem(rawValue));
  }

  /** What makes a value that {@link #decode} refused malformed. */
  private static String problem(String raw) {
    for (int i = 0; i < raw.length(); i++) {
      if (!isVisibleAscii(raw.charAt(i))) {
        return String.format("U+%04X must be percent-encoded", (int) raw.charAt(i));
      }
      if (raw.charAt(i) == '%') {
        if (i + 2 >= raw.length() || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
          return "\"%"
              + printable(raw.substring(i + 1, Math.min(i + 3, raw.length())))
              + "\" is"
              + " not a %XX escape";
        }
        i += 2;
      }
    }
    return "the escaped bytes are not UTF-8";
  }

  /**
   * Decodes one name or value, or returns {@code null} if it holds a bad escape or bytes that are
   * not UTF-8.
   */
  private static String decode(String raw) {
    for (int i = 0; i < raw.length(); i++) {
      if (!isVisibleAscii(raw.charAt(i))) {
        return null;
      }
    }
    if (raw.indexOf('%') < 0) {
      return raw.replace('+', ' ');
    }
    StringBuilder out = new StringBuilder(raw.length());
    byte[] bytes = null;
    int i = 0;
    while (i < raw.length()) {
      char c = raw.charAt(i);
      if (c != '%') {
        out.append(c == '+' ? ' ' : c);
        i++;
        continue;
      }
      // A run of escapes is one byte sequence: a multi-byte character spans several of them.
      if (bytes == null) {
        bytes = new byte[raw.length() / 3];
      }
      int n = 0;
      while (i < raw.length() && raw.charAt(i) == '%') {
        if (i + 2 >= raw.length()) {
          return null;
        }
        int high = hex(raw.charAt(i + 1));
        int low = hex(raw.charAt(i + 2));
        if (high < 0 || low < 0) {
          return null;
        }
        bytes[n++] = (byte) (high << 4 | low);
        i += 3;
      }
      try {
        out.append(
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes, 0, n)));
      } catch (CharacterCodingException e) {
        return null;
      }
    }
    return out.toString();
  }

  /**
   * Whether a raw query string may hold the character as is. A URI holds ASCII only; a container
   * that passes on other bytes has decoded them by a charset of its choosing, or replaced them.
   */
  private static boolean isVisibleAscii(char c) {
    return c > 0x20 && c < 0x7f;
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /** Client text made safe to echo: printable ASCII, at most 40 characters. */
  private static String printable(String s) {
    String p = s.replaceAll("[^\\x20-\\x7e]", "?");
    return p.length() > 40 ? p.substring(0, 40) + "..." : p;
  }
}
