package dev.herald.push;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Herald's JSON, on Jackson: it turns application objects into payload JSON and back, and parses
 * what clients send within the configured size and nesting limits. Thread-safe.
 *
 * <p>An application can hand in its own {@code ObjectMapper} (its modules and naming strategy are
 * then used for payloads); Herald works on a copy, so the application's mapper is never changed.
 */
public final class JsonCodec {
  private final ObjectMapper mapper;
  private final int maxBytes;
  private final int maxDepth;

  /**
   * Creates a codec.
   *
   * @param mapper the application's mapper, copied; {@code null} for a default one
   * @param maxBytes the largest JSON text accepted from a client, in UTF-8 bytes
   * @param maxDepth the deepest nesting of arrays and objects accepted from a client
   */
  public JsonCodec(ObjectMapper mapper, int maxBytes, int maxDepth) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be > 0, was " + maxBytes);
    }
    if (maxDepth <= 0) {
      throw new IllegalArgumentException("maxDepth must be > 0, was " + maxDepth);
    }
    this.mapper = mapper == null ? new ObjectMapper() : mapper.copy();
    this.mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.mapper
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(maxDepth)
                .maxStringLength(maxBytes)
                .maxDocumentLength(maxBytes)
                .build());
    this.maxBytes = maxBytes;
    this.maxDepth = maxDepth;
  }

  /** The largest JSON text accepted from a client, in UTF-8 bytes. */
  public int maxBytes() {
    return maxBytes;
  }

  /** The deepest nesting accepted from a client. */
  public int maxDepth() {
    return maxDepth;
  }

  /**
   * Serialises an application object as compact JSON.
   *
   * @throws IllegalArgumentException if the mapper cannot serialise it
   */
  public String toJson(Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "cannot serialise " + value.getClass().getName() + " as JSON: " + e.getOriginalMessage(),
          e);
    }
  }

  /**
   * Binds JSON text to a type.
   *
   * @throws PushException with {@link ErrorCode#BAD_REQUEST} if it does not fit
   */
  public <T> T fromJson(String json, Class<T> type) {
    try {
      return mapper.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new PushException(
          ErrorCode.BAD_REQUEST, "data does not fit " + type.getSimpleName(), e);
    }
  }

  /**
   * Parses and re-serialises JSON text from a client or the application: the result is compact,
   * with no line breaks between tokens, so that every transport can carry it as one line. Text that
   * is already one valid, compact value (no whitespace outside strings) is returned as written.
   *
   * @throws PushException {@link ErrorCode#TOO_LARGE} past the size limit, {@link
   *     ErrorCode#BAD_JSON} if it is not one JSON value or nests too deeply
   */
  public String normalize(String json) {
    if (isCompact(json) && isOneValue(json)) {
      // Already one line and valid: kept as written (no tree to build and write out again).
      return json;
    }
    return parse(json).toString();
  }

  /**
   * Whether the text is one valid JSON value within the limits, checked by reading its tokens
   * without building a tree; {@code false} for anything else, which {@link #parse} then refuses
   * with the precise reason.
   */
  private boolean isOneValue(String json) {
    if (json.length() > maxBytes || json.length() * 3L > maxBytes) {
      return false;
    }
    try (JsonParser parser = mapper.getFactory().createParser(json)) {
      if (parser.nextToken() == null) {
        return false;
      }
      parser.skipChildren();
      return parser.nextToken() == null;
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether the text has no whitespace outside its strings, so it is one compact line. */
  private static boolean isCompact(String json) {
    boolean inString = false;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        return false;
      }
    }
    return true;
  }

  /**
   * Parses JSON text that must be an object, such as a client frame or a publish body.
   *
   * @throws PushException {@link ErrorCode#TOO_LARGE}, or {@link ErrorCode#BAD_JSON} if it is not a
   *     JSON object
   */
  public ObjectNode parseObject(String json) {
    JsonNode node = parse(json);
    if (!(node instanceof ObjectNode object)) {
      throw new PushException(ErrorCode.BAD_JSON, "expected a JSON object");
    }
    return object;
  }

  /** Like {@link #parseObject(String)} for UTF-8 bytes. */
  public ObjectNode parseObject(byte[] utf8) {
    if (utf8.length > maxBytes) {
      throw tooLarge(utf8.length);
    }
    return parseObject(new String(utf8, StandardCharsets.UTF_8));
  }

  /** Serialises a tree as compact JSON. */
  public String write(JsonNode node) {
    return node.toString();
  }

  /**
   * Parses one JSON value within the limits.
   *
   * @throws PushException {@link ErrorCode#TOO_LARGE} or {@link ErrorCode#BAD_JSON}
   */
  public JsonNode parse(String json) {
    Objects.requireNonNull(json, "json");
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit, so the exact count is only
    // needed near the limit.
    if (json.length() > maxBytes
        || (json.length() * 3L > maxBytes
            && json.getBytes(StandardCharsets.UTF_8).length > maxBytes)) {
      throw tooLarge(json.getBytes(StandardCharsets.UTF_8).length);
    }
    try {
      JsonNode node = mapper.readTree(json);
      if (node == null || node.isMissingNode()) {
        throw new PushException(ErrorCode.BAD_JSON, "expected a JSON value, got nothing");
      }
      return node;
    } catch (StreamConstraintsException e) {
      throw new PushException(
          ErrorCode.BAD_JSON, "JSON nests deeper than " + maxDepth + " levels", e);
    } catch (JsonProcessingException e) {
      throw new PushException(
          ErrorCode.BAD_JSON, "malformed JSON: " + firstLine(e.getOriginalMessage()), e);
    }
  }

  private PushException tooLarge(int bytes) {
    return new PushException(
        ErrorCode.TOO_LARGE, "JSON is " + bytes + " bytes, more than the limit of " + maxBytes);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) : line;
  }
}
