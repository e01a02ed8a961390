package dev.herald.push.spi;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.herald.push.ErrorCode;
import dev.herald.push.JsonCodec;
import dev.herald.push.PushException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The top-level fields of a client frame, read in one pass without building a tree: a field's
 * string or boolean value, and for {@code data} and {@code member} the value's own JSON text, cut
 * out of the frame as the client wrote it. The usual frame is read by a scanner of our own ({@link
 * Scanner}); any other by Jackson's streaming parser. Immutable.
 *
 * <p>A frame that is not a JSON object, is malformed, nests too deeply or is too large is refused
 * with the codec's own error: the codec parses it again to name the problem, so the errors are the
 * same as for every other JSON Herald reads.
 *
 * <p>Design note: a client publish used to be parsed into a tree and its {@code data} written out
 * again; both were a measurable part of each HTTP publish (issue 16). Cutting the value out keeps
 * the client's text, which {@link JsonCodec#normalize} returns as it is when it is already compact
 * and otherwise rewrites compactly, as every transport needs; a value the scanner read, and found
 * compact, is kept without that second parse.
 */
final class FrameFields {
  /** The fields the frames know; any other field is skipped. */
  private static final String[] NAMES = {
    "type", "ref", "channel", "event", "since", "presence", "ephemeral", "data", "member"
  };

  static final int TYPE = 0;
  static final int REF = 1;
  static final int CHANNEL = 2;
  static final int EVENT = 3;
  static final int SINCE = 4;
  static final int PRESENCE = 5;
  static final int EPHEMERAL = 6;
  static final int DATA = 7;
  static final int MEMBER = 8;

  /** A value that is neither a string, a boolean nor null: a type error if the field is read. */
  static final Object OTHER = new Object();

  /** One parser factory per limit pair; hubs in one process rarely differ. */
  private static final ConcurrentHashMap<Long, JsonFactory> FACTORIES = new ConcurrentHashMap<>();

  private final JsonCodec codec;
  private final String text;
  // Per field: null (absent or JSON null), a String, a Boolean, OTHER; for DATA and MEMBER an
  // int[] {start, end} into text.
  private final Object[] values = new Object[NAMES.length];

  private FrameFields(JsonCodec codec, String text) {
    this.codec = codec;
    this.text = text;
  }

  /**
   * Reads the frame's fields.
   *
   * @throws PushException {@link ErrorCode#TOO_LARGE}, or {@link ErrorCode#BAD_JSON} if the text is
   *     not one JSON object or nests too deeply; the codec's own errors, word for word
   */
  static FrameFields read(JsonCodec codec, String text) {
    Objects.requireNonNull(text, "text");
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit, so the exact count is only
    // needed near the limit.
    if (text.length() * 3L > codec.maxBytes()
        && text.getBytes(StandardCharsets.UTF_8).length > codec.maxBytes()) {
      throw refused(codec, text);
    }
    FrameFields scanned = scan(codec, text);
    return scanned != null ? scanned : parse(codec, text);
  }

  /**
   * Reads the frame's fields with its own scanner ({@link Scanner}), or {@code null} if the frame
   * is not one the scanner is sure of. Package-private for the tests that hold it to {@link
   * #parse}.
   */
  static FrameFields scan(JsonCodec codec, String text) {
    FrameFields fields = new FrameFields(codec, text);
    return new Scanner(text, codec.maxDepth(), fields.values).frame() ? fields : null;
  }

  /**
   * Reads the frame's fields with Jackson's streaming parser: every frame, valid or not, with
   * Jackson's own verdict. Package-private for the tests.
   */
  static FrameFields parse(JsonCodec codec, String text) {
    FrameFields fields = new FrameFields(codec, text);
    try (JsonParser p = factory(codec).createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw refused(codec, text);
      }
      JsonToken t = p.nextToken();
      while (t == JsonToken.FIELD_NAME) {
        int field = index(p.currentName());
        JsonToken value = p.nextToken();
        if (field == DATA || field == MEMBER) {
          int start = (int) p.currentTokenLocation().getCharOffset();
          p.skipChildren();
          t = p.nextToken();
          // What lies between the value and the next token is white space and a comma at most.
          fields.values[field] = new int[] {start, valueEnd(text, start, t, p)};
          continue;
        }
        p.skipChildren();
        if (field >= 0) {
          fields.values[field] =
              switch (value) {
                case VALUE_STRING -> p.getText();
                case VALUE_TRUE -> Boolean.TRUE;
                case VALUE_FALSE -> Boolean.FALSE;
                case VALUE_NULL -> null;
                default -> OTHER;
              };
        }
        t = p.nextToken();
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw refused(codec, text);
      }
    } catch (IOException e) {
      throw refused(codec, text);
    }
    return fields;
  }

  /**
   * The error for a frame this reader refused: the codec's, which parses the text again to name the
   * problem (malformed, too deep, too large, not an object).
   */
  private static PushException refused(JsonCodec codec, String text) {
    try {
      codec.parseObject(text);
    } catch (PushException e) {
      return e;
    }
    return new PushException(ErrorCode.BAD_JSON, "malformed JSON");
  }

  /** The end of a value that starts at {@code start}, the token after it being {@code next}. */
  private static int valueEnd(String text, int start, JsonToken next, JsonParser p) {
    int end = next == null ? text.length() : (int) p.currentTokenLocation().getCharOffset();
    end = trimEnd(text, start, end);
    if (end > start && text.charAt(end - 1) == ',') {
      end = trimEnd(text, start, end - 1);
    }
    return end;
  }

  private static int trimEnd(String text, int start, int end) {
    while (end > start && isSpace(text.charAt(end - 1))) {
      end--;
    }
    return end;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
  }

  private static int index(String name) {
    return index(name, 0, name.length());
  }

  /** The index in {@link #NAMES} of the name {@code text[start, end)}, or -1. */
  private static int index(String text, int start, int end) {
    for (int i = 0; i < NAMES.length; i++) {
      String known = NAMES[i];
      if (known.length() == end - start && text.startsWith(known, start)) {
        return i;
      }
    }
    return -1;
  }

  private static JsonFactory factory(JsonCodec codec) {
    long key = ((long) codec.maxDepth() << 32) | codec.maxBytes();
    return FACTORIES.computeIfAbsent(
        key,
        k ->
            JsonFactory.builder()
                .streamReadConstraints(
                    StreamReadConstraints.builder()
                        .maxNestingDepth(codec.maxDepth())
                        .maxStringLength(codec.maxBytes())
                        .maxDocumentLength(codec.maxBytes())
                        .build())
                .build());
  }

  /**
   * The field's value: {@code null} if absent or JSON null, a String, a Boolean or {@link #OTHER}.
   */
  Object value(int field) {
    Object v = values[field];
    return v instanceof int[] ? OTHER : v;
  }

  /**
   * The value of {@code data} or {@code member} as compact JSON text, or {@code null} if the field
   * is absent or JSON null.
   */
  String json(int field) {
    if (!(values[field] instanceof int[] range)) {
      return null;
    }
    String value = text.substring(range[0], range[1]);
    if (value.equals("null")) {
      return null;
    }
    // A value the scanner found valid and compact is kept as written, as normalize would keep it,
    // without parsing it again; any other is the codec's to check and rewrite.
    return range.length > 2 && range[2] == COMPACT ? value : codec.normalize(value);
  }

  /** The third element of a scanned value's range: valid, and no white space outside strings. */
  private static final int COMPACT = 1;

  /**
   * A one-pass reader of the frames clients usually send, allocating nothing but itself and the
   * values it keeps: one JSON object whose field names are plain (no escapes, at most {@link
   * #MAX_NAME} characters), whose known string fields have no escapes, and whose values nest less
   * deeply than the codec's limit. It checks the JSON grammar of everything it reads (RFC 8259, as
   * Jackson does with its default features) and keeps what {@link #parse} keeps; on anything else,
   * valid or not, it gives up and {@link #parse} reads the frame, so that refusals keep Jackson's
   * words and the rarer valid forms its handling.
   *
   * <p>Design note: this reader exists for the cost of a publish over HTTP, where Jackson's parser
   * was made twice per message, once for the frame and once more for its data (issue 16). It only
   * ever says yes to a frame Jackson also accepts, with the same fields: {@code FrameFieldsTest}
   * holds the two to that over a corpus of valid, broken and mutated frames.
   */
  private static final class Scanner {
    private static final int MAX_NAME = 64;
    private static final int MAX_NUMBER = 64;

    private final String s;
    private final int n;
    private final int maxDepth;
    private final Object[] values;
    private int i;
    private boolean spaced;

    Scanner(String s, int maxDepth, Object[] values) {
      this.s = s;
      this.n = s.length();
      this.maxDepth = maxDepth;
      this.values = values;
    }

    /** Whether the whole text is one object this reader is sure of; its fields are then kept. */
    boolean frame() {
      space();
      if (!take('{') || 1 >= maxDepth) {
        return false;
      }
      space();
      if (take('}')) {
        return end();
      }
      do {
        space();
        int field = name();
        if (field == -2) {
          return false;
        }
        space();
        if (!take(':')) {
          return false;
        }
        space();
        if (!member(field)) {
          return false;
        }
        space();
      } while (take(','));
      return take('}') && end();
    }

    /** Reads a top-level field's value and keeps it as {@link #parse} would. */
    private boolean member(int field) {
      int start = i;
      if (field == DATA || field == MEMBER) {
        spaced = false;
        if (!value(2)) {
          return false;
        }
        values[field] = new int[] {start, i, spaced ? 0 : COMPACT};
        return true;
      }
      if (field < 0) {
        return value(2);
      }
      char c = i < n ? s.charAt(i) : 0;
      if (c == '"') {
        int end = plainString();
        if (end < 0) {
          return false;
        }
        values[field] = s.substring(start + 1, end);
        return true;
      }
      if (literal("true")) {
        values[field] = Boolean.TRUE;
      } else if (literal("false")) {
        values[field] = Boolean.FALSE;
      } else if (literal("null")) {
        values[field] = null;
      } else if (value(2)) {
        values[field] = OTHER;
      } else {
        return false;
      }
      return true;
    }

    /** Nothing but white space left. */
    private boolean end() {
      space();
      return i == n;
    }

    /**
     * A field name's index in {@link #NAMES}, -1 for another name, -2 if it is not a plain string
     * this reader takes.
     */
    private int name() {
      int start = i + 1;
      if (!(i < n && s.charAt(i) == '"')) {
        return -2;
      }
      int end = plainString();
      if (end < 0 || end - start > MAX_NAME) {
        return -2;
      }
      return index(s, start, end);
    }

    /**
     * At a quote: reads a string with no escapes and no control characters, and returns the index
     * of its closing quote (the reader is then past it), or -1.
     */
    private int plainString() {
      for (int k = i + 1; k < n; k++) {
        char c = s.charAt(k);
        if (c == '"') {
          i = k + 1;
          return k;
        }
        if (c == '\\' || c < 0x20) {
          return -1;
        }
      }
      return -1;
    }

    /** One JSON value at nesting {@code depth} (the frame's object being 1). */
    private boolean value(int depth) {
      if (i >= n) {
        return false;
      }
      char c = s.charAt(i);
      switch (c) {
        case '{':
          return container(depth, '}');
        case '[':
          return container(depth, ']');
        case '"':
          return string();
        case 't':
          return literal("true");
        case 'f':
          return literal("false");
        case 'n':
          return literal("null");
        default:
          return number();
      }
    }

    /**
     * At {@code '{'} or {@code '['}: an object (members with names) or an array, through its {@code
     * close} character.
     */
    private boolean container(int depth, char close) {
      if (depth >= maxDepth) {
        return false;
      }
      i++;
      spaceInside();
      if (take(close)) {
        return true;
      }
      do {
        spaceInside();
        if (close == '}' && !memberName()) {
          return false;
        }
        if (!value(depth + 1)) {
          return false;
        }
        spaceInside();
      } while (take(','));
      return take(close);
    }

    /**
     * A member's name of at most {@link #MAX_NAME} characters and its colon, and the space after.
     */
    private boolean memberName() {
      int start = i;
      if (!(i < n && s.charAt(i) == '"') || !string() || i - start - 2 > MAX_NAME) {
        return false;
      }
      spaceInside();
      if (!take(':')) {
        return false;
      }
      spaceInside();
      return true;
    }

    /** At a quote: a string with valid escapes and no control characters. */
    private boolean string() {
      for (int k = i + 1; k < n; k++) {
        char c = s.charAt(k);
        if (c == '"') {
          i = k + 1;
          return true;
        }
        if (c < 0x20) {
          return false;
        }
        if (c == '\\') {
          if (++k >= n) {
            return false;
          }
          char e = s.charAt(k);
          if (e == 'u') {
            if (k + 4 >= n) {
              return false;
            }
            for (int h = 1; h <= 4; h++) {
              if (!isHex(s.charAt(k + h))) {
                return false;
              }
            }
            k += 4;
          } else if ("\"\\/bfnrt".indexOf(e) < 0) {
            return false;
          }
        }
      }
      return false;
    }

    private static boolean isHex(char c) {
      return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    /**
     * {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}, at most {@link #MAX_NUMBER}.
     */
    private boolean number() {
      int start = i;
      int k = i;
      if (k < n && s.charAt(k) == '-') {
        k++;
      }
      if (k < n && s.charAt(k) == '0') {
        k++;
      } else {
        int d = digits(k);
        if (d == k) {
          return false;
        }
        k = d;
      }
      if (k < n && s.charAt(k) == '.') {
        int d = digits(k + 1);
        if (d == k + 1) {
          return false;
        }
        k = d;
      }
      if (k < n && (s.charAt(k) == 'e' || s.charAt(k) == 'E')) {
        k++;
        if (k < n && (s.charAt(k) == '+' || s.charAt(k) == '-')) {
          k++;
        }
        int d = digits(k);
        if (d == k) {
          return false;
        }
        k = d;
      }
      i = k;
      return k - start <= MAX_NUMBER;
    }

    private int digits(int from) {
      int k = from;
      while (k < n && s.charAt(k) >= '0' && s.charAt(k) <= '9') {
        k++;
      }
      return k;
    }

    private boolean literal(String word) {
      if (s.startsWith(word, i)) {
        i += word.length();
        return true;
      }
      return false;
    }

    private boolean take(char c) {
      if (i < n && s.charAt(i) == c) {
        i++;
        return true;
      }
      return false;
    }

    /** Skips JSON white space between the frame's own tokens. */
    private void space() {
      while (i < n && isSpace(s.charAt(i))) {
        i++;
      }
    }

    /** Skips white space inside a value, noting that the value is not compact. */
    private void spaceInside() {
      int start = i;
      space();
      if (i > start) {
        spaced = true;
      }
    }
  }
}
