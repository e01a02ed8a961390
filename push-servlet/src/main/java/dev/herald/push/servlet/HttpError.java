package dev.herald.push.servlet;

import dev.herald.push.ErrorCode;
import dev.herald.push.PushException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * A refusal of an HTTP request: status, wire code and a client-facing message, answered as {@code
 * {"type":"error","code":…,"message":…}}. Carries the extra headers some statuses need. Immutable
 * once thrown.
 */
final class HttpError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The path names no transport. */
  static final String NOT_FOUND = "not_found";

  /** The path exists, the method does not. */
  static final String METHOD_NOT_ALLOWED = "method_not_allowed";

  private final int status;
  private final String code;
  private final Map<String, String> headers = new TreeMap<>();

  HttpError(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  /** The error for a core refusal, with the status its code names. */
  static HttpError of(PushException e) {
    return new HttpError(e.code().httpStatus(), e.code().wireName(), e.getMessage());
  }

  /** An error of one of the core's codes. */
  static HttpError of(ErrorCode code, String message) {
    return new HttpError(code.httpStatus(), code.wireName(), message);
  }

  /** Adds a response header; returns this error. */
  HttpError header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  /** The JSON body. */
  byte[] body() {
    return json(code, getMessage()).getBytes(StandardCharsets.UTF_8);
  }

  /** Sets status and headers on a response that is not committed. */
  void applyTo(HttpServletResponse response) {
    response.setStatus(status);
    response.setContentType("application/json");
    response.setHeader("Cache-Control", "no-store");
    headers.forEach(response::setHeader);
  }

  /**
   * Answers the request with this error using a blocking write: for container threads only, before
   * the response is non-blocking.
   */
  void send(HttpServletResponse response) throws IOException {
    if (response.isCommitted()) {
      return;
    }
    response.resetBuffer();
    applyTo(response);
    byte[] body = body();
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  /** {@code {"type":"error","code":…,"message":…}}. */
  static String json(String code, String message) {
    return json(code, message, 0);
  }

  /** {@code {"type":"error","code":…,"message":…,"retry":…}}, without {@code retry} if 0. */
  static String json(String code, String message, long retryMillis) {
    String text = message == null ? "" : message;
    StringBuilder sb = new StringBuilder(80 + text.length());
    sb.append("{\"type\":\"error\",\"code\":");
    quote(sb, code);
    sb.append(",\"message\":");
    quote(sb, text);
    if (retryMillis > 0) {
      sb.append(",\"retry\":").append(retryMillis);
    }
    return sb.append('}').toString();
  }

  /** Appends a JSON string literal. */
  static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
