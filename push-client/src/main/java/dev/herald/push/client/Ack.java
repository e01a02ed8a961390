package dev.herald.push.client;

import dev.herald.push.Names;

/**
 * The server's confirmation that a publish was stored. Immutable.
 *
 * @param channel the channel the message was stored in
 * @param offset the message's offset in the channel, from 1
 * @param epoch the channel history the offset belongs to
 */
public record Ack(String channel, long offset, String epoch) {
  /** Checks the channel name, that the offset is positive and the epoch's characters. */
  public Ack {
    Names.checkChannel(channel);
    if (offset < 1) {
      throw new IllegalArgumentException("offset must be >= 1, was " + offset);
    }
    Names.checkEpoch(epoch);
  }
}
