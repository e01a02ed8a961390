package dev.herald.push.spi;

import dev.herald.push.EphemeralMessage;
import dev.herald.push.Message;
import dev.herald.push.PresenceEvent;

/**
 * A node's live feed of one channel. Calls for one channel never overlap; they come from the
 * broker's threads and must not block.
 */
public interface BrokerListener {
  /** A message was published. It may repeat one already seen, or arrive after a gap. */
  void onMessage(Message message);

  /**
   * The feed may have missed messages (the broker lost its connection, say): the hub replays from
   * the last offset it delivered.
   */
  void onResync();

  /** An ephemeral message was published: deliver it to the live subscribers, never store it. */
  default void onEphemeral(EphemeralMessage message) {}

  /** A member joined or left the channel, on this node or another. */
  default void onPresence(PresenceEvent event) {}
}
