package dev.herald.push;

import java.time.Instant;
import java.util.Objects;

/**
 * One message stored in a channel's history. Immutable.
 *
 * @param channel the channel it was published to
 * @param offset its place in the channel's history: dense, starting at 1
 * @param epoch names the history the offset belongs to
 * @param event the application's event name, for example {@code chat}
 * @param data the payload as compact JSON text
 * @param time when the broker stored it
 * @param publisherId the client id of the publisher, or {@code null} when the server published it
 */
public record Message(
    String channel,
    long offset,
    String epoch,
    String event,
    String data,
    Instant time,
    String publisherId)
    implements Publication {

  /** Validates every field; {@code publisherId} may be {@code null}. */
  public Message {
    Names.checkChannel(channel);
    if (offset < 1) {
      throw new IllegalArgumentException("offset must be >= 1, was " + offset);
    }
    Names.checkEpoch(epoch);
    Names.checkEvent(event);
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(time, "time");
  }

  /** Always {@code false}: a stored message has its offset. */
  @Override
  public boolean ephemeral() {
    return false;
  }

  /** The position right after this message. */
  public Position position() {
    return new Position(epoch, offset);
  }
}
