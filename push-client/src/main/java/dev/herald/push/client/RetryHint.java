package dev.herald.push.client;

import java.net.http.HttpHeaders;
import java.util.OptionalLong;

/**
 * The server's word that a connection ended, or was refused, for a while only: a draining node's
 * {@code server_restart} (with WebSocket close 1012), {@code unavailable} (an HTTP 503 with {@code
 * Retry-After}, a hub without its broker), or {@code rate_limited} (an HTTP 429 with {@code
 * Retry-After}, or the closing {@code error} of a stream or poll with {@code retry}: the client's
 * address is over the hub's connection limits). The client then reconnects to the same URL, and
 * does not count it against the transport: after a uniformly random delay within the window, or for
 * {@code rate_limited}, whose window is the soonest a retry can succeed, after the window plus such
 * a delay. Immutable.
 *
 * @param code {@code server_restart}, {@code unavailable} or {@code rate_limited}
 * @param windowMillis the delay the server names, or {@code -1} if it named none (the client's own
 *     backoff applies then)
 */
record RetryHint(String code, long windowMillis) {
  static final String SERVER_RESTART = "server_restart";
  static final String UNAVAILABLE = "unavailable";
  static final String RATE_LIMITED = "rate_limited";

  /** The longest window honoured: a server's hint beyond an hour is taken for an hour. */
  static final long MAX_WINDOW_MILLIS = 3_600_000L;

  RetryHint {
    windowMillis = Math.min(windowMillis, MAX_WINDOW_MILLIS);
  }

  /**
   * Whether the window is the least delay ({@code rate_limited}: no retry succeeds sooner) rather
   * than the longest.
   */
  boolean windowIsFloor() {
    return RATE_LIMITED.equals(code);
  }

  /** The hint of an error frame with a transient code, or {@code null}. */
  static RetryHint of(ServerFrame.ErrorFrame frame) {
    if (frame == null || !frame.isTransient()) {
      return null;
    }
    return new RetryHint(frame.code(), frame.retry() == null ? -1 : frame.retry());
  }

  /**
   * The hint of an HTTP error answer to a connection attempt: any 503 ({@code unavailable}), any
   * 429 ({@code rate_limited}: a connection refused for the hub's limits), or an error body with a
   * transient code. The body's {@code retry} wins over {@code Retry-After}, which counts seconds.
   */
  static RetryHint ofHttp(int status, HttpHeaders headers, String body) {
    ServerFrame.ErrorFrame error = FrameReader.errorBody(body);
    boolean transientCode = error != null && error.isTransient();
    if (status != 503 && status != 429 && !transientCode) {
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
    String code = transientCode ? error.code() : status == 429 ? RATE_LIMITED : UNAVAILABLE;
    return new RetryHint(code, window);
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
