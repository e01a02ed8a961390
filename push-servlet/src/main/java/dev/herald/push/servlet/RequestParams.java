package dev.herald.push.servlet;

import dev.herald.push.Cursor;
import dev.herald.push.ErrorCode;
import dev.herald.push.JsonCodec;
import dev.herald.push.spi.QueryParameters;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Locale;

/** Reads and checks the query parameters and headers the transports take. Thread-safe. */
final class RequestParams {
  /** The longest poll timeout a client may ask for, in seconds, before the servlet's cap. */
  static final int MAX_TIMEOUT_SECONDS = 3600;

  private static final String QUERY_ATTRIBUTE = RequestParams.class.getName() + ".query";

  private RequestParams() {}

  /**
   * The {@code channel} parameters, in order; each name is checked by the hub.
   *
   * @throws HttpError 400 if there is none
   */
  static List<String> channels(HttpServletRequest request) {
    List<String> values = query(request).all("channel");
    if (values.isEmpty()) {
      throw HttpError.of(
          ErrorCode.BAD_CHANNEL, "name at least one channel, as in ?channel=chat/lobby");
    }
    return values;
  }

  /**
   * The {@code member} parameter as compact JSON text, or {@code null} if absent or empty: the
   * presence data the connection shows in each of its channels.
   *
   * @throws dev.herald.push.PushException with {@code BAD_JSON} if it is not JSON, {@code
   *     TOO_LARGE} if it is longer than the hub allows a message
   */
  static String member(HttpServletRequest request, JsonCodec codec) {
    String text = parameter(request, "member");
    return text == null || text.isEmpty() ? null : codec.normalize(text);
  }

  /**
   * The {@code presence} parameters: the channels whose presence frames the connection wants. Each
   * must also be a {@code channel} parameter; the hub checks that.
   */
  static List<String> presence(HttpServletRequest request) {
    return query(request).all("presence");
  }

  /**
   * The cursor to resume from: the {@code Last-Event-ID} header if {@code lastEventId} and it is
   * present, else the {@code since} parameter, else {@code null}. Empty values count as absent.
   *
   * @throws dev.herald.push.PushException with {@code BAD_CURSOR} for a malformed cursor
   */
  static Cursor since(HttpServletRequest request, boolean lastEventId) {
    String text = sinceText(request, lastEventId);
    return text == null ? null : Cursor.decode(text);
  }

  /** The cursor text {@link #since} decodes, or {@code null}. */
  static String sinceText(HttpServletRequest request, boolean lastEventId) {
    if (lastEventId) {
      String header = request.getHeader("Last-Event-ID");
      if (header != null && !header.isBlank()) {
        return header.trim();
      }
    }
    String param = parameter(request, "since");
    return param == null || param.isEmpty() ? null : param;
  }

  /**
   * The {@code timeout} parameter in seconds, or {@code fallback} if absent.
   *
   * @throws HttpError 400 if it is not a whole number from 0 to {@link #MAX_TIMEOUT_SECONDS}
   */
  static int timeoutSeconds(HttpServletRequest request, int fallback) {
    String text = parameter(request, "timeout");
    if (text == null || text.isEmpty()) {
      return fallback;
    }
    if (text.length() <= 5 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      int seconds = Integer.parseInt(text);
      if (seconds <= MAX_TIMEOUT_SECONDS) {
        return seconds;
      }
    }
    throw HttpError.of(
        ErrorCode.BAD_REQUEST,
        "timeout must be a whole number of seconds from 0 to "
            + MAX_TIMEOUT_SECONDS
            + ", was \""
            + printable(text)
            + "\"");
  }

  /**
   * Checks that a publish body is JSON: {@code application/json} or a {@code +json} type, in UTF-8
   * if a charset is given.
   *
   * @throws HttpError 415 otherwise
   */
  static void requireJson(HttpServletRequest request) {
    String type = request.getContentType();
    if (type == null || type.isBlank()) {
      throw HttpError.of(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send the body as Content-Type: application/json");
    }
    if (type.equalsIgnoreCase("application/json")) {
      // What nearly every publisher sends: nothing to split.
      return;
    }
    String[] parts = type.split(";");
    String essence = parts[0].trim().toLowerCase(Locale.ROOT);
    if (!essence.equals("application/json")
        && !(essence.startsWith("application/") && essence.endsWith("+json"))) {
      throw HttpError.of(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "the body must be application/json, was \"" + printable(essence) + "\"");
    }
    for (int i = 1; i < parts.length; i++) {
      String param = parts[i].trim().toLowerCase(Locale.ROOT);
      if (param.startsWith("charset=")) {
        String charset = param.substring("charset=".length()).replace("\"", "");
        if (!charset.equals("utf-8") && !charset.equals("utf8")) {
          throw HttpError.of(
              ErrorCode.UNSUPPORTED_MEDIA_TYPE,
              "the body must be UTF-8, was charset \"" + printable(charset) + "\"");
        }
      }
    }
  }

  /**
   * The request's query parameters, decoded strictly from the raw query string rather than read
   * through the container, which may drop a parameter it cannot decode and serve the request as if
   * it were absent. Decoded once per request that has a query string.
   *
   * @throws dev.herald.push.PushException naming the parameter if the query string is malformed
   */
  static QueryParameters query(HttpServletRequest request) {
    String raw = request.getQueryString();
    if (raw == null || raw.isEmpty()) {
      // Nothing to decode or to keep: most publishes. Storing an attribute makes the container
      // create the request's attribute map (docs/benchmarks.md, twentieth round).
      return QueryParameters.parse(raw);
    }
    Object cached = request.getAttribute(QUERY_ATTRIBUTE);
    if (cached instanceof QueryParameters query) {
      return query;
    }
    QueryParameters query = QueryParameters.parse(raw);
    request.setAttribute(QUERY_ATTRIBUTE, query);
    return query;
  }

  /** A query parameter's first value, or {@code null}. */
  static String parameter(HttpServletRequest request, String name) {
    return query(request).first(name);
  }

  /** Client text made safe to echo in an error message: printable ASCII, at most 40 chars. */
  static String printable(String s) {
    String p = s.replaceAll("[^\\x20-\\x7e]", "?");
    return p.length() > 40 ? p.substring(0, 40) + "..." : p;
  }
}
