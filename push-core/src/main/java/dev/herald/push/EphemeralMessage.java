package dev.herald.push;

import java.time.Instant;
import java.util.Objects;

/**
 * A message delivered live to the connections subscribed at that moment and then forgotten: never
 * stored in history, without an offset, never replayed, so a resume neither repeats it nor counts
 * it as a gap. For updates that are worth nothing a moment later, such as cursor positions or
 * typing indicators. Immutable.
 *
 * @param channel the channel it was published to
 * @param event the application's event name, for example {@code cursor}
 * @param data the payload as compact JSON text
 * @param time when it was published
 * @param publisherId the client id of the publisher, or {@code null} when the server published it
 */
public record EphemeralMessage(
    String channel, String event, String data, Instant time, String publisherId)
    implements Publication {

  /** Validates every field; {@code publisherId} may be {@code null}. */
  public EphemeralMessage {
    Names.checkChannel(channel);
    Names.checkEvent(event);
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(time, "time");
  }

  /** Always {@code true}. */
  @Override
  public boolean ephemeral() {
    return true;
  }
}
