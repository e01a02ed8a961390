package dev.herald.push.client;

import java.net.http.HttpHeaders;
import java.util.OptionalLong;

/**
 * The server's word that a connection ended, or was refused, for a while only: a draining node's
 * {@code server_restart} (with WebSocket close 1012), or {@code unavailable} (an HTTP 503 with
 * {@code Retry-After}, a hub without its broker). The client then reconnects after a uniformly
 * random delay within the window, to the same URL, and does not count it against the transport.
 * Immutable.
 *
 * @param code {@code server_restart} or {@code unavailable}
 * @param windowMillis the longest delay the server asks for, or {@code -1} if it named none (the
 *     client's own backoff applies then)
 */
record RetryHint(String code, long windowMillis) {
  static final String SERVER_RESTART = "server_restart";
  static final String UNAVAILABLE = "unavailable";

  /** The longest window honoured: a server's hint beyond an hour is taken for an hour. */
  static final long MAX_WINDOW_MILLIS = 3_600_000L;

  RetryHint {
    windowMillis = Math.min(windowMillis, MAX_WINDOW_MILLIS);
  }

  /** The hint of an error frame with a transient code, or {@code null}. */
  static RetryHint of(ServerFrame.ErrorFrame frame) {
    if (frame == null || !frame.isTransient()) {
      return null;
    }
    return new RetryHint(frame.code(), frame.retry() == null ? -1 : frame.retry());
  }

  /**
   * The hint of an HTTP error answer: any 503, or an error body with a transient code. The body's
   * {@code retry} wins over {@code Retry-After}, which counts seconds.
   */
  static RetryHint ofHttp(int status, HttpHeaders headers, String body) {
    ServerFrame.ErrorFrame error = FrameReader.errorBody(body);
    boolean transientCode = error != null && error.isTransient();
    if (status != 503 && !transientCode) {
      return null;
    }
    long window = -1;
    if (error != null && error.retry() != null) {
      window = error.retry();
    } else if (headers != null) {
      OptionalLong seconds = retryAfterSeconds(headers);
      if (seconds.isPresent()) {
        window = seconds.getAsLong() * 1000;
      }
    }
    return new RetryHint(transientCode ? error.code() : UNAVAILABLE, window);
  }

  /** {@code Retry-After} in seconds, when it is the delay form (the date form is not used here). */
  private static OptionalLong retryAfterSeconds(HttpHeaders headers) {
    String value = headers.firstValue("Retry-After").orElse("").trim();
    if (value.isEmpty() || value.length() > 9 || !value.chars().allMatch(Character::isDigit)) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Long.parseLong(value));
  }
}
