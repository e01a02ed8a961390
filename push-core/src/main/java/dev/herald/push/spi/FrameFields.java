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
 * The top-level fields of a client frame, read in one pass of Jackson's streaming parser, without
 * building a tree: a field's string or boolean value, and for {@code data} and {@code member} the
 * value's own JSON text, cut out of the frame as the client wrote it. Immutable.
 *
 * <p>A frame that is not a JSON object, is malformed, nests too deeply or is too large is refused
 * with the codec's own error: the codec parses it again to name the problem, so the errors are the
 * same as for every other JSON Herald reads.
 *
 * <p>Design note: a client publish used to be parsed into a tree and its {@code data} written out
 * again; both were a measurable part of each HTTP publish (issue 16). Cutting the value out keeps
 * the client's text, which {@link JsonCodec#normalize} returns as it is when it is already compact
 * and otherwise rewrites compactly, as every transport needs.
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
    for (int i = 0; i < NAMES.length; i++) {
      if (NAMES[i].equals(name)) {
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
    return codec.normalize(value);
  }
}
