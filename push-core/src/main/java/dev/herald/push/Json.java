package dev.herald.push;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/** Appends JSON string literals for hand-built frames. Thread-safe. */
final class Json {
  private Json() {}

  static StringBuilder string(StringBuilder sb, String value) {
    sb.append('"');
    JsonStringEncoder.getInstance().quoteAsString(value, sb);
    return sb.append('"');
  }

  static StringBuilder field(StringBuilder sb, String name, String value) {
    sb.append(",\"").append(name).append("\":");
    return string(sb, value);
  }

  static StringBuilder field(StringBuilder sb, String name, long value) {
    return sb.append(",\"").append(name).append("\":").append(value);
  }
}
