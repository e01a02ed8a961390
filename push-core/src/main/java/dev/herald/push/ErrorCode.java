package dev.herald.push;

/**
 * The reasons Herald refuses something, as named on the wire ({@code "code"} of an {@code error}
 * frame) and as the HTTP status an HTTP transport answers with. Immutable.
 */
public enum ErrorCode {
  /** A channel name is missing or breaks the naming rules. */
  BAD_CHANNEL("bad_channel", 400),
  /** A cursor is malformed, tampered with or too long. */
  BAD_CURSOR("bad_cursor", 400),
  /** A body or frame is not valid JSON, not an object, or nests too deeply. */
  BAD_JSON("bad_json", 400),
  /** A request or frame is well-formed JSON but lacks a field or has a field of the wrong kind. */
  BAD_REQUEST("bad_request", 400),
  /** A connection asked for more channels than it may hold. */
  TOO_MANY_CHANNELS("too_many_channels", 400),
  /** A bearer token was given but the {@link Authenticator} did not accept it. */
  UNAUTHORIZED("unauthorized", 401),
  /** The authorizer, or the channel's configuration, does not allow this. */
  FORBIDDEN("forbidden", 403),
  /** A body or frame is larger than the configured limit. */
  TOO_LARGE("too_large", 413),
  /** The request body is not JSON. */
  UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415),
  /** A channel's handler refused a client message. */
  REJECTED("rejected", 422),
  /** A client sends faster than it may. */
  RATE_LIMITED("rate_limited", 429),
  /** The broker cannot be reached, or the hub is closed. */
  UNAVAILABLE("unavailable", 503),
  /** An unexpected failure inside Herald or the application; details are logged, not sent. */
  INTERNAL("internal", 500);

  private final String wireName;
  private final int httpStatus;

  ErrorCode(String wireName, int httpStatus) {
    this.wireName = wireName;
    this.httpStatus = httpStatus;
  }

  /** The name sent in the {@code code} field of an error frame, for example {@code bad_cursor}. */
  public String wireName() {
    return wireName;
  }

  /** The HTTP status an HTTP transport answers with. */
  public int httpStatus() {
    return httpStatus;
  }
}
