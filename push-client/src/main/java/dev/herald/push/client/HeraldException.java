package dev.herald.push.client;

/**
 * A failure the client reports: a refusal by the server (its error {@code code}, and the HTTP
 * status on HTTP transports), or a condition found by the client itself. Immutable.
 *
 * <p>Codes the client itself uses:
 *
 * <ul>
 *   <li>{@code connect_failed}: the server could not be reached or the request failed;
 *   <li>{@code timeout}: no {@code ready} frame, or no answer to a publish, in time;
 *   <li>{@code disconnected}: the connection closed before a publish was acknowledged, so it may or
 *       may not have been stored;
 *   <li>{@code closed}: the client was closed;
 *   <li>{@code protocol}: the server sent something that is not Herald's wire protocol;
 *   <li>{@code http_<status>}: an HTTP error without a Herald error body.
 * </ul>
 *
 * Every other code is the server's, such as {@code forbidden}, {@code bad_channel} or {@code
 * rate_limited} (see docs/protocol.md).
 */
public final class HeraldException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final int status;
  private final String channel;

  /**
   * Creates an exception.
   *
   * @param code a short machine-readable reason such as {@code forbidden}
   * @param message what happened, for people
   * @param status the HTTP status, or {@code 0} if there was none
   * @param channel the channel concerned, or {@code null}
   * @param cause the underlying failure, or {@code null}
   */
  public HeraldException(String code, String message, int status, String channel, Throwable cause) {
    super(message, cause);
    this.code = code == null || code.isEmpty() ? "unknown" : code;
    this.status = status;
    this.channel = channel;
  }

  static HeraldException of(String code, String message) {
    return new HeraldException(code, message, 0, null, null);
  }

  /** The reason as a short code, such as {@code forbidden} or {@code connect_failed}. */
  public String code() {
    return code;
  }

  /** The HTTP status the server answered with, or {@code 0} if the failure had none. */
  public int status() {
    return status;
  }

  /** The channel the failure concerns, or {@code null} if it concerns none in particular. */
  public String channel() {
    return channel;
  }

  @Override
  public String toString() {
    return "HeraldException["
        + code
        + (status == 0 ? "" : ", HTTP " + status)
        + (channel == null ? "" : ", channel " + channel)
        + "]: "
        + getMessage();
  }
}
