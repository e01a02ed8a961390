package dev.herald.push.client;

import dev.herald.push.Names;

/**
 * The server's answer to a publish: where the message was stored, or that it was ephemeral
 * (delivered live to the subscribers of that moment and never stored, so it has no offset).
 * Immutable.
 *
 * <p>Which of the two a publish gets is the server's decision: {@link HeraldClient#publish} asks
 * for the channel's default (stored, unless the hub makes the channel ephemeral) and {@link
 * HeraldClient#publishEphemeral} for an ephemeral message, and the server's message handler may
 * change either. Look at {@link #ephemeral()} before reading {@link #offset()} where it matters.
 *
 * @param channel the channel the message was published to
 * @param offset the stored message's offset in the channel, from 1; {@code 0} for an ephemeral one
 * @param epoch the channel history the offset belongs to; {@code null} for an ephemeral message
 * @param ephemeral whether the message was ephemeral: delivered live only, never stored
 */
public record Ack(String channel, long offset, String epoch, boolean ephemeral) {
  /**
   * Checks the channel name and, for a stored message, that the offset is positive and the epoch's
   * characters; an ephemeral ack has offset {@code 0} and no epoch.
   */
  public Ack {
    Names.checkChannel(channel);
    if (ephemeral) {
      if (offset != 0 || epoch != null) {
        throw new IllegalArgumentException(
            "an ephemeral ack has offset 0 and no epoch, was " + offset + " and " + epoch);
      }
    } else {
      if (offset < 1) {
        throw new IllegalArgumentException("offset must be >= 1, was " + offset);
      }
      Names.checkEpoch(epoch);
    }
  }

  /** The acknowledgement of a stored message. */
  public Ack(String channel, long offset, String epoch) {
    this(channel, offset, epoch, false);
  }

  /** The acknowledgement of an ephemeral message on {@code channel}. */
  public static Ack ofEphemeral(String channel) {
    return new Ack(channel, 0, null, true);
  }
}
